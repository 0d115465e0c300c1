// docs/workflows.md cannot rot: every ```lua block in it is a complete script, run here through
// the Lua engine for real against a fresh ticket (a "-- event: timer" line runs it as a timer,
// without a ticket), with mail.encryption on and the customer's certificate in the store. Each
// must end ok.
#include <fstream>
#include <sstream>

#include "workflow_fixture.h"

namespace casecrypt::workflow::test {
namespace {

struct Example {
    int line = 0;  // where the block starts in the document
    std::string script;
};

std::vector<Example> lua_blocks(const std::string& document) {
    std::vector<Example> blocks;
    std::istringstream in(document);
    std::string line;
    int number = 0;
    std::optional<Example> open;
    while (std::getline(in, line)) {
        ++number;
        if (!open && line == "```lua") {
            open = Example{number, ""};
        } else if (open && line.starts_with("```")) {
            blocks.push_back(std::move(*open));
            open.reset();
        } else if (open) {
            open->script += line + "\n";
        }
    }
    EXPECT_FALSE(open) << "a ```lua block is not closed";
    return blocks;
}

class WorkflowDocsTest : public WorkflowFixture {};

TEST_F(WorkflowDocsTest, EveryLuaExampleRunsOk) {
    std::ifstream in(CASECRYPT_WORKFLOWS_DOC);
    ASSERT_TRUE(in) << CASECRYPT_WORKFLOWS_DOC;
    const std::string document((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    const auto examples = lua_blocks(document);
    ASSERT_GE(examples.size(), 5u) << "the examples the page promises";
    encryption_on_with_alice();

    for (const auto& example : examples) {
        SCOPED_TRACE("docs/workflows.md:" + std::to_string(example.line));
        const std::string where = "workflows.md:" + std::to_string(example.line);
        ASSERT_FALSE(engine().check("example", example.script)) << where;
        const bool timer = example.script.find("-- event: timer") != std::string::npos;
        std::optional<long long> ticket;
        if (!timer)
            ticket = file_mail("Alice <alice@example.test>",
                               "Example at line " + std::to_string(example.line));
        const auto result =
            run(example.script, ticket, false,
                timer ? services::WorkflowEvent::timer : services::WorkflowEvent::ticket_created);
        EXPECT_EQ(result.outcome, services::WorkflowRunOutcome::ok)
            << where << ": " << describe(result);
        // And as a dry run (`workflow run --dry-run`).
        const auto dry =
            run(example.script, ticket, true,
                timer ? services::WorkflowEvent::timer : services::WorkflowEvent::ticket_created);
        EXPECT_EQ(dry.outcome, services::WorkflowRunOutcome::ok) << where << ": " << describe(dry);
    }
}

}  // namespace
}  // namespace casecrypt::workflow::test
