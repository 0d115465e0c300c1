// workflow::LuaEngine without mail: check() and its lines, the sandbox's refusals, the
// instruction budget and the memory cap (a stop, told apart from a script's error), the
// globals a script sees, and the run's log.
#include "workflow/lua_engine.h"

#include <chrono>

#include "workflow/run_context.h"
#include "workflow_fixture.h"

namespace casecrypt::workflow::test {
namespace {

using services::WorkflowRunOutcome;

class LuaEngineTest : public WorkflowFixture {};

TEST_F(LuaEngineTest, CheckAcceptsAScriptAndGivesTheLineOfASyntaxError) {
    EXPECT_FALSE(engine().check("ack", "local n = 1\nworkflowAPI.log(n)\n"));
    auto problem = engine().check("ack", "local n = 1\nif n then\n  n = = 2\nend\n");
    ASSERT_TRUE(problem);
    EXPECT_TRUE(problem->message.starts_with("ack:3:")) << problem->message;
    EXPECT_EQ(problem->line, 3);
    EXPECT_EQ(line_in_message("ack:12: unexpected symbol"), 12);
    EXPECT_EQ(line_in_message("ack: stopped: the script used more"), std::nullopt);
}

TEST_F(LuaEngineTest, CheckRefusesABinaryChunk) {
    auto problem = engine().check("bin", std::string("\x1bLua\x54\x00", 6) + "junk");
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->message.find("binary"), std::string::npos) << problem->message;
    EXPECT_FALSE(problem->line);
}

TEST_F(LuaEngineTest, TheSandboxRefusesFilesProcessesModulesAndLoadingCode) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"os.execute('touch /tmp/casecrypt-pwned')", "os.execute is not available"},
        {"io.open('/etc/passwd')", "io is not available"},
        {"require('socket')", "require is not available"},
        {"load('return 1')()", "load is not available"},
        {"dofile('/etc/passwd')", "dofile is not available"},
        {"loadfile('/etc/passwd')", "loadfile is not available"},
        {"debug.getinfo(1)", "debug is not available"},
        {"print(package.path)", "package is not available"},
        {"collectgarbage('count')", "collectgarbage is not available"},
        {"os.getenv('HOME')", "os.getenv is not available"},
        {"os.remove('/tmp/x')", "os.remove is not available"},
        {"string.dump(function() end)", "attempt to call a nil value (field 'dump')"},
    };
    for (const auto& [code, expected] : cases) {
        const auto result = run("local a = 1\n" + code + "\n");
        EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed) << code;
        EXPECT_NE(result.error.find(expected), std::string::npos) << code << " -> " << result.error;
        EXPECT_TRUE(result.error.starts_with("test:2: ")) << result.error;
        EXPECT_EQ(result.line, 2) << code;
    }
}

TEST_F(LuaEngineTest, WhatTheSandboxKeepsWorks) {
    const auto result = run(R"(
        assert(type(os.time()) == "number" and type(os.clock()) == "number")
        assert(os.date("!%Y", 0) == "1970")
        assert(string.format("%05d", 42) == "00042" and ("abc"):upper() == "ABC")
        assert(table.concat({1, 2, 3}, ",") == "1,2,3" and math.max(1, 5) == 5)
        assert(utf8.len("äö") == 2)
        local co = coroutine.wrap(function() coroutine.yield(7) end)
        assert(co() == 7)
        assert(pcall(error, "x") == false)
        assert(select("#", 1, 2) == 2 and tostring(nil) == "nil")
    )");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
}

TEST_F(LuaEngineTest, ALoopThatNeverEndsIsStoppedByTheInstructionBudget) {
    const auto started = std::chrono::steady_clock::now();
    const auto result = run("local n = 0\nwhile true do\n  n = n + 1\nend\n");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::stopped) << describe(result);
    EXPECT_NE(result.error.find("stopped: the script used more than"), std::string::npos)
        << result.error;
    EXPECT_NE(result.error.find("instructions"), std::string::npos) << result.error;
    ASSERT_TRUE(result.line);
    EXPECT_TRUE(*result.line == 2 || *result.line == 3) << *result.line;
}

TEST_F(LuaEngineTest, AStopCannotBeCaughtWithPcall) {
    const auto result = run(R"(
        while true do
            pcall(function() while true do end end)
            pcall(coroutine.wrap(function() while true do end end))
        end
    )");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::stopped) << describe(result);
}

TEST_F(LuaEngineTest, TheBudgetComesFromItsProperty) {
    auto limits = engine().limits();
    EXPECT_EQ(limits.max_instructions, 10'000'000);
    EXPECT_EQ(limits.max_memory_mib, 32);
    set_property(services::kWorkflowMaxInstructions, "100000");
    EXPECT_EQ(engine().limits().max_instructions, 100000);
    const auto result = run("for i = 1, 1000000 do end");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::stopped) << describe(result);
    EXPECT_NE(result.error.find("more than 100000 instructions"), std::string::npos)
        << result.error;

    set_property(services::kWorkflowMaxMemoryMib, "4");
    EXPECT_EQ(run("local s = string.rep('x', 1024 * 1024)").outcome, WorkflowRunOutcome::ok);
    const auto big = run("local s = string.rep('x', 8 * 1024 * 1024)");
    EXPECT_EQ(big.outcome, WorkflowRunOutcome::stopped) << describe(big);
    EXPECT_NE(big.error.find("more than 4 MiB of memory"), std::string::npos) << big.error;
}

TEST_F(LuaEngineTest, ARunThatTakesTooLongIsStoppedByTheClock) {
    // Cheap in instructions, slow in time: comparing two different 4 MiB strings in a loop.
    set_property(services::kWorkflowMaxInstructions, "2000000000");
    set_property(services::kWorkflowMaxSeconds, "1");
    EXPECT_EQ(engine().limits().max_seconds, 1);
    const auto started = std::chrono::steady_clock::now();
    const auto result =
        run("local a = string.rep('x', 4 * 1024 * 1024) .. 'a'\n"
            "local b = string.rep('x', 4 * 1024 * 1024) .. 'b'\n"
            "while true do local same = (a == b) end");
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::stopped) << describe(result);
    EXPECT_NE(result.error.find("ran longer than 1 second"), std::string::npos) << result.error;
    EXPECT_EQ(result.line, 3) << describe(result);
    EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(LuaEngineTest, AllocatingWithoutEndIsStoppedByTheMemoryCap) {
    const auto result =
        run("local t = {}\nwhile true do\n  t[#t + 1] = string.rep('x', 1e6) .. #t\nend\n");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::stopped) << describe(result);
    EXPECT_TRUE(
        result.error.starts_with("test:3: stopped: the script used more than 32 MiB of memory"))
        << result.error;
    EXPECT_EQ(result.line, 3)
        << "a memory error reaches no message handler; the stop names the line";
}

TEST_F(LuaEngineTest, AHugeStringRepIsStoppedNotACrash) {
    for (const char* script :
         {"local s = string.rep('x', 2^40)", "local s = string.rep('abc', 2^62)"}) {
        const auto result = run(script);
        EXPECT_NE(result.outcome, WorkflowRunOutcome::ok) << script;
        EXPECT_FALSE(result.error.empty()) << script;
    }
    // 1 GiB is a size Lua accepts: the memory cap refuses it, and a pcall does not hide that.
    for (const char* script :
         {"local s = string.rep('x', 2^30)",
          "local ok = pcall(string.rep, 'x', 2^30)\nlocal t = {}\nfor i = 1, 10 do t[i] = i end"}) {
        const auto result = run(script);
        EXPECT_EQ(result.outcome, WorkflowRunOutcome::stopped) << script << describe(result);
        EXPECT_NE(result.error.find("MiB of memory"), std::string::npos) << result.error;
        EXPECT_EQ(result.line, 1) << result.error;
    }
    // The engine goes on working after a stop.
    EXPECT_EQ(run("local s = string.rep('x', 1000)").outcome, WorkflowRunOutcome::ok);
}

TEST_F(LuaEngineTest, EndlessRecursionFailsWithoutACrash) {
    auto result = run("local function f(n)\n  return 1 + f(n + 1)\nend\nf(1)\n");
    EXPECT_NE(result.outcome, WorkflowRunOutcome::ok);  // the memory cap or Lua's stack limit
    EXPECT_TRUE(result.error.starts_with("test:2: ")) << result.error;
    result = run("local function f() return pcall(f) end\nf()\n");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);  // pcall returns false
}

TEST_F(LuaEngineTest, AnErrorNamesTheScriptsLineAlsoFromAFunctionItDefines) {
    auto result = run("local t = nil\nlocal function f()\n  return t.x\nend\nf()\n");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed);
    EXPECT_TRUE(result.error.starts_with("test:3: attempt to index")) << result.error;
    EXPECT_EQ(result.line, 3);

    result = run("\n\nerror('no customer')\n");
    EXPECT_EQ(result.error, "test:3: no customer");
    EXPECT_EQ(result.line, 3);

    result = run("error({code = 1})");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed);
    EXPECT_EQ(result.error, "test:1: (error object is a table value)");

    result = run("local a = 1\nlocal x = string.rep()\n");
    EXPECT_TRUE(result.error.starts_with("test:2: bad argument #1 to 'rep'")) << result.error;

    result = run("x = = 1");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed);
    EXPECT_EQ(result.line, 1);
}

TEST_F(LuaEngineTest, PrintAndLogGoToTheRunsLog) {
    const auto result = run("print('a', 1, nil)\nworkflowAPI.log('b', true)\n");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    EXPECT_EQ(result.log, (std::vector<std::string>{"a\t1\tnil", "b\ttrue"}));
}

TEST_F(LuaEngineTest, TheApiWorksInsideACoroutine) {
    const auto result = run(R"(
        local co = coroutine.wrap(function() workflowAPI.log("in a coroutine") coroutine.yield() end)
        co()
    )");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
    EXPECT_EQ(result.log, (std::vector<std::string>{"in a coroutine"}));
}

TEST_F(LuaEngineTest, ALogThatNeverEndsIsCut) {
    const auto result = run("for i = 1, 5000 do workflowAPI.log(string.rep('y', 10000)) end");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << result.error;
    EXPECT_EQ(result.log.size(), RunContext::kMaxLogLines);
    EXPECT_EQ(result.log.back(), "(more log lines were left out)");
    EXPECT_LT(result.log.front().size(), 5000u);
}

TEST_F(LuaEngineTest, ATimerRunHasNoTicketAndItsEvent) {
    const auto result = run(R"(
        assert(ticket == nil, "no ticket")
        assert(event.name == "timer" and event.ticket == nil and event.workflow == "test")
        assert(event.dryRun == true)
    )",
                            std::nullopt, true, services::WorkflowEvent::timer);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
}

TEST_F(LuaEngineTest, TheTicketTableHasTheTicketAndItsMessages) {
    const long long number = file_mail("Carl Customer <carl@customer.test>", "Printer on fire");
    const auto result = run(R"(
        assert(ticket.number == event.ticket, "number")
        assert(ticket.subject == "Printer on fire", ticket.subject)
        assert(ticket.status == "open")
        assert(ticket.customer == "carl@customer.test", ticket.customer)
        assert(ticket.mailbox == "Support <support@example.test>", tostring(ticket.mailbox))
        assert(ticket.created:match("^%d%d%d%d%-%d%d%-%d%dT"), ticket.created)
        local m = ticket.messages[1]
        assert(#ticket.messages == 1)
        assert(m.direction == "in" and m.from:find("carl@customer.test", 1, true), m.from)
        assert(m.to[1]:find("support@example.test", 1, true) and #m.cc == 0)
        assert(m.text:find("printer is on fire", 1, true), m.text)
        assert(m.encrypted == false and m.signature == nil)
        assert(event.name == "ticket-created")
    )",
                            number);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
}

TEST_F(LuaEngineTest, TheEventCarriesTheMessageThatFiredIt) {
    const long long number = file_mail("Carl Customer <carl@customer.test>", "First");
    auto view = installation().tickets().show(number);
    ASSERT_TRUE(view) << view.error().message();
    services::WorkflowView workflow;
    workflow.name = "received";
    workflow.event = services::WorkflowEvent::email_received;
    workflow.script = R"(
        assert(event.name == "email-received" and event.workflow == "received")
        assert(event.message.id == ticket.messages[1].id and event.message.direction == "in")
        assert(event.dryRun == false)
    )";
    services::WorkflowTrigger trigger;
    trigger.event = services::WorkflowEvent::email_received;
    trigger.ticket = number;
    trigger.ticket_message = view->messages.at(0).id;
    const auto result = engine().run(workflow, trigger);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::ok) << describe(result);
}

TEST_F(LuaEngineTest, AnUnknownTicketFailsTheRun) {
    const auto result = run("workflowAPI.log('never')", 424242);
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed);
    EXPECT_TRUE(result.log.empty());
    EXPECT_TRUE(result.error.starts_with("test: ")) << result.error;
}

// Lua runs finalizers with hooks off: one that loops would never be stopped (it hung lua_close).
TEST_F(LuaEngineTest, FinalizersAreRefusedSoNoneEscapesTheBudget) {
    const auto result =
        run("local a = 1\nlooping = setmetatable({}, {__gc = function() while true do end end})\n");
    EXPECT_EQ(result.outcome, WorkflowRunOutcome::failed) << describe(result);
    EXPECT_EQ(result.error, "test:2: __gc metamethods are not available in workflows");
    const auto other = run(R"(
        local t = setmetatable({}, {__index = function(_, k) return k .. "!" end})
        assert(t.x == "x!")
        local weak = setmetatable({}, {__mode = "k"})
        assert(getmetatable(weak).__mode == "k")
    )");
    EXPECT_EQ(other.outcome, WorkflowRunOutcome::ok) << describe(other);
}

}  // namespace
}  // namespace casecrypt::workflow::test
