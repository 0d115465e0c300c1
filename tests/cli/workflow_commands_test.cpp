// `casecrypt workflow ...` end to end through the real binary: what an administrator does with
// the scripts (add, list, show, update, enable, disable, remove), the refusals (a syntax error
// names its line, an unknown event), and `workflow run --dry-run`, which decides and sends
// nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/workflow_desk.h"

namespace casecrypt::test {
namespace {

TEST(WorkflowCommands, AddListShowUpdateEnableDisableRemove) {
    WorkflowDesk desk;
    EXPECT_EQ(desk.run({"workflow", "list"}).out, "no workflows\n");
    const auto added = desk.add("ack", "ticket-created", "workflowAPI.log(\"one\")\n");
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_EQ(added.out, "workflow ack added (ticket-created, enabled)\n");
    const auto timer =
        desk.add("tick", "timer", "workflowAPI.log(\"tick\")\n", {"--every", "5", "--disabled"});
    ASSERT_EQ(timer.exit_code, 0) << timer.err;
    EXPECT_EQ(timer.out, "workflow tick added (timer every 5 min, disabled)\n");

    const auto list = desk.json({"workflow", "list", "--json"});
    ASSERT_EQ(list.size(), 2u) << list.dump(2);
    EXPECT_EQ(list[0]["name"], "ack");
    EXPECT_EQ(list[0]["event"], "ticket-created");
    EXPECT_EQ(list[0]["enabled"], true);
    EXPECT_TRUE(list[0]["every_minutes"].is_null());
    EXPECT_TRUE(list[0]["last_run"].is_null());
    EXPECT_EQ(list[1]["name"], "tick");
    EXPECT_EQ(list[1]["every_minutes"], 5);
    EXPECT_EQ(list[1]["enabled"], false);
    EXPECT_TRUE(list[0]["updated_by"].get<std::string>().starts_with("cli:"));
    const auto table = desk.run({"workflow", "list"});
    EXPECT_TRUE(table.out.starts_with("NAME")) << table.out;
    EXPECT_NE(table.out.find("timer every 5 min"), std::string::npos) << table.out;

    // A timer workflow runs by hand without a ticket, disabled or not.
    const auto tick = desk.run({"workflow", "run", "tick"});
    EXPECT_EQ(tick.exit_code, 0) << tick.out << tick.err;
    EXPECT_NE(tick.out.find("log: tick\n"), std::string::npos) << tick.out;

    const auto shown = desk.run({"workflow", "show", "ack"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_NE(shown.out.find("event: ticket-created\n"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("last runs: none\n"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("script:\nworkflowAPI.log(\"one\")\n"), std::string::npos)
        << shown.out;

    const auto updated =
        desk.run({"workflow", "update", "ack", desk.script("ack2", "workflowAPI.log(\"two\")\n")});
    ASSERT_EQ(updated.exit_code, 0) << updated.err;
    EXPECT_EQ(desk.json({"workflow", "show", "ack", "--json"})["script"],
              "workflowAPI.log(\"two\")\n");

    ASSERT_EQ(desk.run({"workflow", "disable", "ack"}).exit_code, 0);
    EXPECT_EQ(desk.json({"workflow", "show", "ack", "--json"})["enabled"], false);
    const auto enabled = desk.run({"workflow", "enable", "ack"});
    EXPECT_EQ(enabled.out, "workflow ack enabled\n");
    EXPECT_EQ(desk.json({"workflow", "show", "ack", "--json"})["enabled"], true);

    const auto removed = desk.run({"workflow", "remove", "ack"});
    ASSERT_EQ(removed.exit_code, 0) << removed.err;
    EXPECT_EQ(removed.out, "workflow ack removed\n");
    const auto gone = desk.run({"workflow", "show", "ack"});
    EXPECT_EQ(gone.exit_code, 3);
    EXPECT_TRUE(gone.err.starts_with("error: ")) << gone.err;
    EXPECT_EQ(desk.json({"workflow", "list", "--json"}).size(), 1u);

    // Each change is audited as the local operator.
    const auto audit = desk.json({"audit", "list", "--json"});
    std::vector<std::string> actions;
    for (const auto& e : audit) {
        if (e["action"].get<std::string>().starts_with("workflow.")) {
            actions.push_back(e["action"]);
            EXPECT_TRUE(e["actor"].get<std::string>().starts_with("cli:")) << e.dump();
        }
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"workflow.remove", "workflow.enable",
                                                 "workflow.disable", "workflow.update",
                                                 "workflow.run", "workflow.add", "workflow.add"}));
}

TEST(WorkflowCommands, ASyntaxErrorIsRefusedWithExitThreeNamingItsLine) {
    WorkflowDesk desk;
    const std::string broken = "local a = 1\nlocal b = 2\nlocal c = = 3\n";
    const auto add = desk.add("broken", "ticket-created", broken);
    EXPECT_EQ(add.exit_code, 3) << add.out;
    EXPECT_TRUE(add.err.starts_with("error: ")) << add.err;
    EXPECT_NE(add.err.find(":3:"), std::string::npos) << "names line 3: " << add.err;
    EXPECT_EQ(add.err.find('\n'), add.err.size() - 1) << "one line: " << add.err;
    EXPECT_EQ(desk.run({"workflow", "list"}).out, "no workflows\n");

    ASSERT_EQ(desk.add("fine", "ticket-closed", "workflowAPI.log(\"ok\")\n").exit_code, 0);
    const auto update =
        desk.run({"workflow", "update", "fine", desk.script("worse", "\n\n\n\nif then\n")});
    EXPECT_EQ(update.exit_code, 3);
    EXPECT_NE(update.err.find(":5:"), std::string::npos) << update.err;
    EXPECT_EQ(desk.json({"workflow", "show", "fine", "--json"})["script"],
              "workflowAPI.log(\"ok\")\n")
        << "the old script stays";
}

TEST(WorkflowCommands, AnUnknownEventOrAMisplacedPeriodIsRefused) {
    WorkflowDesk desk;
    const auto unknown = desk.add("x", "ticket-exploded", "workflowAPI.log(\"x\")\n");
    EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
    EXPECT_NE(unknown.err.find("ticket-exploded"), std::string::npos) << unknown.err;
    const auto timer_without_period = desk.add("t", "timer", "workflowAPI.log(\"x\")\n");
    EXPECT_EQ(timer_without_period.exit_code, 3) << timer_without_period.err;
    const auto period_without_timer =
        desk.add("p", "ticket-created", "workflowAPI.log(\"x\")\n", {"--every", "5"});
    EXPECT_EQ(period_without_timer.exit_code, 3) << period_without_timer.err;
    const auto bad_name = desk.add("no spaces", "ticket-created", "workflowAPI.log(\"x\")\n");
    EXPECT_EQ(bad_name.exit_code, 3) << bad_name.err;
    ASSERT_EQ(desk.add("twice", "ticket-created", "workflowAPI.log(\"x\")\n").exit_code, 0);
    EXPECT_EQ(desk.add("twice", "ticket-created", "workflowAPI.log(\"x\")\n").exit_code, 3);
    const auto missing = desk.run(
        {"workflow", "add", "f", "--on", "timer", "--every", "1", desk.data() + "/no-such.lua"});
    EXPECT_EQ(missing.exit_code, 1) << missing.err;
    EXPECT_NE(missing.err.find("no-such.lua"), std::string::npos) << missing.err;
    EXPECT_EQ(desk.json({"workflow", "list", "--json"}).size(), 1u);
}

TEST(WorkflowCommands, DryRunPrintsTheDecisionAndSendsNothing) {
    WorkflowDesk desk;
    desk.drop("question", mail_from("Alice <alice@example.test>", "Printer broken", "q-1@x.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    desk.set_property("mail.encryption", "true");
    ASSERT_EQ(desk.run({"cert", "import-client", fx("client/ok-rsa2048-dn-email.pem")}).exit_code,
              0);
    ASSERT_EQ(desk.add("ack", "ticket-created", acknowledge_script()).exit_code, 0);

    const auto dry = desk.run({"workflow", "run", "ack", "--ticket", "1", "--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
    EXPECT_NE(dry.out.find("would send"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find(": encrypted; "), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("  to alice@example.test: encrypted\n"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("log: acknowledged ticket 1\n"), std::string::npos) << dry.out;
    EXPECT_NE(dry.out.find("workflow ack: "), std::string::npos) << dry.out;
    EXPECT_TRUE(desk.outbox().empty()) << "a dry run sends nothing";
    EXPECT_FALSE(std::filesystem::exists(desk.outgoing()) &&
                 !std::filesystem::is_empty(desk.outgoing()));

    const auto json = desk.json({"workflow", "run", "ack", "--ticket", "1", "--dry-run", "--json"});
    EXPECT_EQ(json["outcome"], "ok") << json.dump(2);
    EXPECT_EQ(json["dry_run"], true);
    EXPECT_EQ(json["mails"], 1);
    ASSERT_EQ(json["reports"].size(), 1u) << json.dump(2);
    EXPECT_EQ(json["reports"][0]["encrypted"], true);
    EXPECT_TRUE(desk.outbox().empty());
    EXPECT_EQ(desk.json({"ticket", "show", "1", "--json"})["messages"].size(), 1u)
        << "nothing was appended to the ticket";

    // Without --dry-run it sends, and says so.
    const auto sent = desk.run({"workflow", "run", "ack", "--ticket", "1"});
    ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
    EXPECT_NE(sent.out.find("sent <"), std::string::npos) << sent.out;
    EXPECT_EQ(desk.outbox().size(), 1u);
    const auto runs = desk.runs("ack");
    ASSERT_GE(runs.size(), 3u) << runs.dump(2);
    EXPECT_EQ(runs[0]["dry_run"], false);
    EXPECT_TRUE(runs[0]["actor"].get<std::string>().starts_with("cli:")) << runs.dump(2);
}

TEST(WorkflowCommands, AFailingRunExitsOneAndNamesTheLine) {
    WorkflowDesk desk;
    desk.drop("question", mail_from("alice@example.test", "Help", "q-2@x.test"));
    ASSERT_EQ(desk.fetch().exit_code, 0);
    ASSERT_EQ(desk.add("boom", "ticket-closed", "local x = 1\nerror(\"boom\")\n").exit_code, 0);
    const auto r = desk.run({"workflow", "run", "boom", "--ticket", "1"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find("failed"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(":2:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("boom"), std::string::npos) << r.out;
    const auto unknown_ticket = desk.run({"workflow", "run", "boom", "--ticket", "99"});
    EXPECT_EQ(unknown_ticket.exit_code, 3) << unknown_ticket.err;
    const auto runs = desk.runs();
    ASSERT_EQ(runs.size(), 1u) << runs.dump(2);
    EXPECT_EQ(runs[0]["outcome"], "failed");
    EXPECT_EQ(runs[0]["line"], 2);
    EXPECT_EQ(runs[0]["ticket"], 1);
    const auto table = desk.run({"workflow", "runs"});
    EXPECT_TRUE(table.out.starts_with("STARTED")) << table.out;
}

TEST(WorkflowCommands, EveryWorkflowCommandsHelpEndsWithAnExample) {
    for (const char* command :
         {"add", "list", "show", "update", "enable", "disable", "remove", "run", "runs"}) {
        const auto r = run_cli({"workflow", command, "--help"});
        EXPECT_EQ(r.exit_code, 0) << command;
        EXPECT_NE(r.out.find("Example:\n  casecrypt workflow "), std::string::npos)
            << command << "\n"
            << r.out;
    }
    const auto group = run_cli({"workflow", "--help"});
    EXPECT_NE(group.out.find("docs/workflows.md"), std::string::npos) << group.out;
}

}  // namespace
}  // namespace casecrypt::test
