// workflow's copy of Lua's pattern matching (src/workflow/lua_pattern.cpp): a pattern that
// backtracks for long inside one string.find / match / gmatch / gsub call is stopped by the
// instruction budget (Lua's count hook alone does not see it: it counts VM instructions), a
// pcall does not hide the stop, and ordinary patterns give what standard Lua 5.4.4 gives.
#include <chrono>
#include <string>

#include "workflow_fixture.h"

namespace casecrypt::workflow::test {
namespace {

using services::WorkflowRunOutcome;

class LuaPatternTest : public WorkflowFixture {
protected:
    // Runs `script`, which must be stopped by the instruction budget at `line`, within seconds
    // (not the minutes it took before). A budget of 2,000,000 keeps that true in the sanitizer
    // build too (a plain find's 64-byte steps there take 6 s for the default 10,000,000); the
    // bound stays below workflow.script.max.seconds, so the clock cannot be what stopped it.
    void expect_stopped(const std::string& script, int line) {
        set_property(services::kWorkflowMaxInstructions, "2000000");
        const auto started = std::chrono::steady_clock::now();
        const auto result = run(script);
        const auto took = std::chrono::steady_clock::now() - started;
        EXPECT_LT(took, std::chrono::seconds(20)) << script;
        EXPECT_EQ(result.outcome, WorkflowRunOutcome::stopped) << script << describe(result);
        EXPECT_NE(result.error.find("stopped: the script used more than 2000000 instructions"),
                  std::string::npos)
            << result.error;
        EXPECT_EQ(result.line, line) << script << " -> " << result.error;
    }
};

// Before: one s:find(".-.-.-x") on 200,000 characters ran for minutes inside string.find, out
// of the budget's sight, and would have held a `serve` round.
TEST_F(LuaPatternTest, ABacktrackingFindIsStoppedByTheInstructionBudget) {
    expect_stopped("local s = string.rep('a', 200000)\nlocal i = s:find('.-.-.-x')\n", 2);
    expect_stopped("local s = string.rep('a', 200000)\nlocal i = string.find(s, '.-.-.-x')\n", 2);
    // %b() scans to the end of the text from every '(' it starts at.
    expect_stopped("local s = string.rep('(', 200000)\nlocal i = s:find('%b()')\n", 2);
}

TEST_F(LuaPatternTest, MatchGmatchAndGsubAreStoppedLikewise) {
    expect_stopped("local s = string.rep('a', 200000)\nlocal m = s:match('(.-)(.-)(.-)x')\n", 2);
    expect_stopped("local s = string.rep('a', 200000)\nfor w in s:gmatch('.*.*x') do end\n", 2);
    expect_stopped("local s = string.rep('a', 200000)\nlocal r = s:gsub('a*a*b', 'c')\n", 2);
    expect_stopped("local s = string.rep('ab', 100000)\nlocal r = s:gsub('(.-)%1x', '')\n", 2);
}

TEST_F(LuaPatternTest, APcallDoesNotHideAStopInsideTheMatcher) {
    expect_stopped(R"(local s = string.rep("a", 200000)
local ok, err = pcall(string.find, s, ".-.-.-x")
workflowAPI.log("carried on after", tostring(err))
)",
                   2);
    // Also from a gsub callback, and over and over.
    expect_stopped(R"(local s = string.rep("a", 200000)
while true do pcall(function() ("xy"):gsub(".", function() pcall(s.find, s, ".-.-x") end) end) end
)",
                   2);
}

// memchr and memcmp are fast, but a long needle that almost matches everywhere, or a plain find
// over megabytes in a loop, ran for many minutes within the budget's VM instructions.
TEST_F(LuaPatternTest, APlainFindIsCountedToo) {
    expect_stopped(R"(local s = string.rep("a", 4000000)
local i = s:find(string.rep("a", 2000000) .. "b", 1, true)
)",
                   2);
    expect_stopped(R"(local s = string.rep("a", 8000000)
while true do local i = s:find("b", 1, true) end
)",
                   2);
}

TEST_F(LuaPatternTest, TheMatcherCountsAgainstTheBudgetsProperty) {
    set_property(services::kWorkflowMaxInstructions, "100000");
    // A few hundred thousand matcher steps and hardly a VM instruction.
    const auto result = run("local s = string.rep('a', 1000)\nlocal i = s:find('.-.-x')\n");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::stopped) << describe(result);
    EXPECT_NE(result.error.find("more than 100000 instructions"), std::string::npos)
        << result.error;
    // Linear work on a long text stays well inside the default budget.
    set_property(services::kWorkflowMaxInstructions, "10000000");
    const auto linear = run(R"(
        local s = string.rep("word ", 200000) .. "thanks"
        assert(s:find("thanks") == 1000001)
        assert(s:find("th%a+") == 1000001)
        local n = select(2, s:gsub("word", "w"))
        assert(n == 200000, n)
    )");
    EXPECT_EQ(linear.outcome, WorkflowRunOutcome::ok) << describe(linear);
}

// Every expected value was checked by running this script with standard Lua 5.4.4 (Debian 12's
// liblua5.4, luaL_openlibs).
TEST_F(LuaPatternTest, OrdinaryPatternsGiveWhatStandardLuaGives) {
    const auto result = run(R"LUA(
local function eq(a, b) assert(a == b, tostring(a) .. " ~= " .. tostring(b)) end
local function pack(...) return table.pack(...) end
local function same(t, ...)
  local u = table.pack(...)
  eq(t.n, u.n)
  for i = 1, u.n do eq(t[i], u[i]) end
end
same(pack(("hello world"):find("o w")), 5, 7)
same(pack(("hello world"):find("l+")), 3, 4)
same(pack(("hello world"):find("(o)(r)")), 8, 9, "o", "r")
same(pack(("hello world"):find("o", 6)), 8, 8)
same(pack(("hello world"):find("o", -3)), nil)
same(pack(("a.b"):find(".", 1, true)), 2, 2)
same(pack(("hello"):find("^h")), 1, 1)
same(pack(("hello"):find("^e")), nil)
same(pack(("hello"):find("o$")), 5, 5)
same(pack(("key = value"):match("^(%w+)%s*=%s*(%w+)$")), "key", "value")
same(pack(("f(a(b)c)d"):match("%b()")), "(a(b)c)")
same(pack(("THE (quick) fox"):find("%f[%a]%a+")), 1, 3)
same(pack(("hello"):match("()ll()")), 3, 5)
same(pack(("x = 'a' .. 'b'"):match("(['\"])(.-)%1")), "'", "a")
same(pack(("abc"):match(".-")), "")
same(pack(("  trim  "):match("^%s*(.-)%s*$")), "trim")
same(pack(("2024-05-06"):match("(%d+)-(%d+)-(%d+)")), "2024", "05", "06")
same(pack(("[x]"):match("[%[%]]")), "[")
same(pack(("abc123"):match("[^%a]+")), "123")
same(pack(("hello world from lua"):gsub("(%w+)", "<%1>")), "<hello> <world> <from> <lua>", 4)
same(pack(("hello world"):gsub("o", "0", 1)), "hell0 world", 1)
same(pack(("abc"):gsub("", "-")), "-a-b-c-", 4)
same(pack(("$name is $age"):gsub("%$(%w+)", {name = "Ann", age = 7})), "Ann is 7", 2)
same(pack(("$name is $unknown"):gsub("%$(%w+)", {name = "Ann"})), "Ann is $unknown", 2)
same(pack(("1 2 3"):gsub("%d", function(d) return d * 2 end)), "2 4 6", 3)
same(pack(("a b"):gsub("%w", function() return nil end)), "a b", 2)
same(pack(("abc"):gsub("%w", "%0%0")), "aabbcc", 3)
same(pack(("abc"):gsub("^a", "x")), "xbc", 1)
same(pack(("hello"):gsub("l", "%%")), "he%%o", 2)
local words = {}
for k, v in ("a=1, b=2, c=3"):gmatch("(%w+)=(%w+)") do words[#words + 1] = k .. v end
eq(table.concat(words, ";"), "a1;b2;c3")
local all = {}
for w in ("one two  three"):gmatch("%a+") do all[#all + 1] = w end
eq(table.concat(all, ","), "one,two,three")
local pos = {}
for p in ("abc"):gmatch("()") do pos[#pos + 1] = p end
eq(table.concat(pos, ","), "1,2,3,4")
local from3 = {}
for w in ("ab cd ef"):gmatch("%a+", 3) do from3[#from3 + 1] = w end
eq(table.concat(from3, ","), "cd,ef")
same(pack(string.find("abc", "b", 1, false)), 2, 2)
same(pack(pcall(string.find, "abc", "[a")), false, "malformed pattern (missing ']')")
same(pack(pcall(string.find, "abc", "%")), false, "malformed pattern (ends with '%')")
same(pack(pcall(string.gsub, "abc", "(a", "%1")), false, "unfinished capture")
same(pack(pcall(string.match, "abc", "%1")), false, "invalid capture index %1")
same(pack(pcall(string.find, "a", string.rep("(", 40))), false, "too many captures")
same(pack(pcall(string.find, string.rep("a", 300), string.rep("a?", 300))), false, "pattern too complex")
same(pack(("abab"):match("^(ab)%1$")), "ab")
same(pack(("abba"):match("(a)(b)%2%1")), "a", "b")
same(pack(("hello"):find("l", 1, true)), 3, 3)
same(pack(("a+b"):find("+", 1, true)), 2, 2)
same(pack(("x"):find("", 10)), nil)
same(pack(("x"):find("", 2)), 2, 1)
)LUA");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
}

}  // namespace
}  // namespace casecrypt::workflow::test
