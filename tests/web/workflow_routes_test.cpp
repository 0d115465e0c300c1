// Workflows through the API: admins only and with the CSRF token, added, listed, shown, changed,
// enabled, disabled and removed with each change in the audit log under the admin's login; a
// script that does not compile is refused with its line (and nothing changes); the editor's
// check; a dry run for a ticket says what it would send and sends nothing; a failed run is
// recorded with its line; a script's note shows in the ticket's history.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

const std::string kGood = "workflowAPI.log(\"hello from \" .. event)\n";
// Line 3 does not compile.
const std::string kSyntaxErrorAtLine3 =
    "workflowAPI.log(\"one\")\nworkflowAPI.log(\"two\")\nlocal x = = 3\n";

class Api {
public:
    Api(const ServedDesk& served, WebSession session)
        : m_client(served.client()), m_session(std::move(session)) {}

    httplib::Result get(const std::string& path) { return m_client.Get(path, m_session.headers()); }
    httplib::Result post(const std::string& path, const nlohmann::json& body) {
        return m_client.Post(path, m_session.headers(true), body.dump(), "application/json");
    }
    httplib::Result put(const std::string& path, const nlohmann::json& body) {
        return m_client.Put(path, m_session.headers(true), body.dump(), "application/json");
    }
    httplib::Result del(const std::string& path) {
        return m_client.Delete(path, m_session.headers(true));
    }
    // A write without the X-CSRF-Token header.
    httplib::Result post_without_csrf(const std::string& path, const nlohmann::json& body) {
        return m_client.Post(path, m_session.headers(false), body.dump(), "application/json");
    }

private:
    httplib::Client m_client;
    WebSession m_session;
};

int status(const httplib::Result& r) {
    return r ? r->status : -1;
}

std::string body(const httplib::Result& r) {
    return r ? r->body : std::string("(no answer)");
}

nlohmann::json workflow(const std::string& name, const std::string& script,
                        const std::string& event = "ticket-created") {
    return {{"name", name}, {"event", event}, {"script", script}, {"enabled", true}};
}

bool audited(const ServedDesk& served, const std::string& action, const std::string& actor) {
    const auto entries = served.desk().json({"audit", "list", "--json", "--limit", "100"});
    for (const auto& e : entries) {
        if (e["action"] == action && e["actor"] == actor)
            return true;
    }
    return false;
}

// A ticket opened by a plain mail from carl@customer.test; its number.
long long open_ticket(const ServedDesk& served, const std::string& subject) {
    served.desk().drop(subject, plain_mail(subject, subject + "@customer.test"));
    const auto fetched = served.desk().fetch();
    EXPECT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    const auto tickets = served.desk().json({"ticket", "list", "--json"});
    for (const auto& t : tickets) {
        if (t["subject"] == subject)
            return t["number"].get<long long>();
    }
    ADD_FAILURE() << "no ticket " << subject << ": " << tickets.dump();
    return 0;
}

TEST(WorkflowRoutes, OnlyAdminsWithTheCsrfTokenMayTouchWorkflows) {
    ServedDesk served;
    Api admin(served, served.admin());
    Api erin(served, served.user("erin", "engineer"));

    EXPECT_EQ(status(erin.get("/api/workflows")), 403);
    EXPECT_EQ(status(erin.post("/api/workflows", workflow("ack", kGood))), 403);
    EXPECT_EQ(status(erin.post("/api/workflows/check", {{"script", kGood}})), 403);
    const auto without = admin.post_without_csrf("/api/workflows", workflow("ack", kGood));
    EXPECT_EQ(status(without), 403) << body(without);
    const auto list = admin.get("/api/workflows");
    ASSERT_EQ(status(list), 200) << body(list);
    EXPECT_EQ(ServedDesk::json(list), nlohmann::json::array()) << "a refused write added one";

    ASSERT_EQ(status(admin.post("/api/workflows", workflow("ack", kGood))), 201);
    EXPECT_EQ(status(erin.get("/api/workflows/ack")), 403);
    EXPECT_EQ(status(erin.post("/api/workflows/ack/disable", nlohmann::json::object())), 403);
    EXPECT_EQ(status(erin.del("/api/workflows/ack")), 403);
    EXPECT_EQ(ServedDesk::json(admin.get("/api/workflows/ack"))["enabled"], true);
}

TEST(WorkflowRoutes, AWorkflowIsAddedListedChangedEnabledDisabledAndRemovedAndEachChangeAudited) {
    ServedDesk served;
    Api admin(served, served.admin());

    const auto added = admin.post("/api/workflows", workflow("ack", kGood));
    ASSERT_EQ(status(added), 201) << body(added);
    auto json = ServedDesk::json(added);
    EXPECT_EQ(json["name"], "ack");
    EXPECT_EQ(json["event"], "ticket-created");
    EXPECT_EQ(json["every_minutes"], nullptr);
    EXPECT_EQ(json["enabled"], true);
    EXPECT_EQ(json["script"], kGood);
    EXPECT_EQ(json["updated_by"], "admin");
    EXPECT_EQ(json["last_run"], nullptr);
    EXPECT_EQ(json["runs"], nlohmann::json::array());
    EXPECT_EQ(status(admin.post("/api/workflows", workflow("ack", kGood))), 409);
    EXPECT_EQ(status(admin.post("/api/workflows", workflow("bad name!", kGood))), 422);
    EXPECT_EQ(status(admin.post("/api/workflows", workflow("x", kGood, "ticket-eaten"))), 422);
    EXPECT_EQ(status(admin.post("/api/workflows", {{"name", "x"}, {"event", "timer"}})), 400)
        << "no script";

    auto timer = workflow("nightly", kGood, "timer");
    timer["every_minutes"] = 1440;
    timer["enabled"] = false;
    const auto added_timer = admin.post("/api/workflows", timer);
    ASSERT_EQ(status(added_timer), 201) << body(added_timer);
    EXPECT_EQ(ServedDesk::json(added_timer)["every_minutes"], 1440);
    EXPECT_EQ(ServedDesk::json(added_timer)["enabled"], false);

    const auto list = ServedDesk::json(admin.get("/api/workflows"));
    ASSERT_EQ(list.size(), 2u) << list.dump();
    EXPECT_EQ(list[0]["name"], "ack");
    EXPECT_EQ(list[1]["name"], "nightly");

    const std::string changed = "workflowAPI.log(\"changed\")\n";
    const auto updated = admin.put("/api/workflows/ack", {{"script", changed}});
    ASSERT_EQ(status(updated), 200) << body(updated);
    EXPECT_EQ(ServedDesk::json(updated)["script"], changed);
    const auto period = admin.put("/api/workflows/nightly", {{"every_minutes", 60}});
    ASSERT_EQ(status(period), 200) << body(period);
    EXPECT_EQ(ServedDesk::json(period)["every_minutes"], 60);
    EXPECT_EQ(status(admin.put("/api/workflows/ack", {{"every_minutes", 60}})), 422)
        << "a period for an event workflow";
    EXPECT_EQ(status(admin.put("/api/workflows/ack", nlohmann::json::object())), 400);
    EXPECT_EQ(status(admin.put("/api/workflows/nobody", {{"script", kGood}})), 404);

    const auto disabled = admin.post("/api/workflows/ack/disable", nlohmann::json::object());
    ASSERT_EQ(status(disabled), 200) << body(disabled);
    EXPECT_EQ(ServedDesk::json(disabled)["enabled"], false);
    const auto enabled = admin.post("/api/workflows/ack/enable", nlohmann::json::object());
    ASSERT_EQ(status(enabled), 200) << body(enabled);
    EXPECT_EQ(ServedDesk::json(enabled)["enabled"], true);

    const auto removed = admin.del("/api/workflows/ack");
    ASSERT_EQ(status(removed), 200) << body(removed);
    EXPECT_EQ(ServedDesk::json(removed)["removed"], true);
    EXPECT_EQ(status(admin.get("/api/workflows/ack")), 404);
    EXPECT_EQ(status(admin.del("/api/workflows/ack")), 404);
    EXPECT_EQ(ServedDesk::json(admin.get("/api/workflows")).size(), 1u);

    for (const char* action : {"workflow.add", "workflow.update", "workflow.disable",
                               "workflow.enable", "workflow.remove"}) {
        EXPECT_TRUE(audited(served, action, "admin")) << action;
    }
}

TEST(WorkflowRoutes, AScriptThatDoesNotCompileIsRefusedWithItsLineAndNothingChanges) {
    ServedDesk served;
    Api admin(served, served.admin());

    const auto refused = admin.post("/api/workflows", workflow("ack", kSyntaxErrorAtLine3));
    ASSERT_EQ(status(refused), 422) << body(refused);
    auto json = ServedDesk::json(refused);
    EXPECT_EQ(json["line"], 3) << json.dump();
    EXPECT_NE(json["error"].get<std::string>().find(":3:"), std::string::npos) << json.dump();
    EXPECT_EQ(ServedDesk::json(admin.get("/api/workflows")), nlohmann::json::array());

    ASSERT_EQ(status(admin.post("/api/workflows", workflow("ack", kGood))), 201);
    const auto not_updated = admin.put("/api/workflows/ack", {{"script", kSyntaxErrorAtLine3}});
    ASSERT_EQ(status(not_updated), 422) << body(not_updated);
    EXPECT_EQ(ServedDesk::json(not_updated)["line"], 3);
    EXPECT_EQ(ServedDesk::json(admin.get("/api/workflows/ack"))["script"], kGood);
    EXPECT_FALSE(audited(served, "workflow.update", "admin"));

    // The editor's check: nothing is stored either way.
    const auto bad = admin.post("/api/workflows/check", {{"name", "ack"}, {"script", "x = \n"}});
    ASSERT_EQ(status(bad), 200) << body(bad);
    json = ServedDesk::json(bad);
    EXPECT_EQ(json["ok"], false);
    EXPECT_TRUE(json["line"].is_number_integer()) << json.dump();
    EXPECT_TRUE(json["error"].is_string()) << json.dump();
    const auto line3 =
        ServedDesk::json(admin.post("/api/workflows/check", {{"script", kSyntaxErrorAtLine3}}));
    EXPECT_EQ(line3["ok"], false);
    EXPECT_EQ(line3["line"], 3) << line3.dump();
    const auto good = ServedDesk::json(admin.post("/api/workflows/check", {{"script", kGood}}));
    EXPECT_EQ(good, (nlohmann::json{{"ok", true}}));
    EXPECT_EQ(status(admin.post("/api/workflows/check", nlohmann::json::object())), 400);
}

TEST(WorkflowRoutes, ADryRunSaysWhatItWouldSendAndAFailedRunIsRecordedWithItsLine) {
    ServedDesk served;
    Api admin(served, served.admin());
    const long long number = open_ticket(served, "Printer on fire");
    ASSERT_GT(number, 0);

    const std::string ack =
        "local mail = Mail.new()\n"
        "mail:setTo(ticket.customer)\n"
        "mail:setSubject(\"Ticket (\" .. ticket.number .. \") received\")\n"
        "mail:setText(\"We have your mail.\")\n"
        "mail:send()\n"
        "workflowAPI.log(\"acknowledged \" .. ticket.number)\n";
    ASSERT_EQ(status(admin.post("/api/workflows", workflow("ack", ack))), 201);
    const auto outbox_before = served.desk().json({"outbox", "list", "--json"});

    const auto dry = admin.post("/api/workflows/ack/run", {{"ticket", number}, {"dry_run", true}});
    ASSERT_EQ(status(dry), 200) << body(dry);
    auto run = ServedDesk::json(dry);
    EXPECT_EQ(run["outcome"], "ok") << run.dump();
    EXPECT_EQ(run["dry_run"], true);
    EXPECT_EQ(run["ticket"], number);
    EXPECT_EQ(run["mails"], 1) << run.dump();
    EXPECT_EQ(run["actor"], "admin");
    EXPECT_EQ(run["error"], nullptr);
    EXPECT_NE(run["log"].dump().find("acknowledged"), std::string::npos) << run.dump();
    // What it would send: to whom, and (no certificate for carl) unencrypted.
    ASSERT_EQ(run["reports"].size(), 1u) << run.dump();
    EXPECT_EQ(run["reports"][0]["encrypted"], false) << run.dump();
    EXPECT_EQ(run["reports"][0]["recipients"][0]["address"], "carl@customer.test") << run.dump();
    EXPECT_TRUE(run["reports"][0]["decision"].is_string()) << run.dump();
    EXPECT_EQ(served.desk().json({"outbox", "list", "--json"}), outbox_before)
        << "a dry run sent mail";
    EXPECT_EQ(status(admin.post("/api/workflows/ack/run", {{"ticket", 999}, {"dry_run", true}})),
              404);
    EXPECT_EQ(status(admin.post("/api/workflows/nobody/run", {{"ticket", number}})), 404);

    const std::string failing = "workflowAPI.log(\"before\")\nerror(\"out of paper\")\n";
    ASSERT_EQ(status(admin.post("/api/workflows", workflow("broken", failing))), 201);
    const auto failed = admin.post("/api/workflows/broken/run", {{"ticket", number}});
    ASSERT_EQ(status(failed), 200) << body(failed);
    run = ServedDesk::json(failed);
    EXPECT_EQ(run["outcome"], "failed") << run.dump();
    EXPECT_EQ(run["line"], 2) << run.dump();
    EXPECT_NE(run["error"].get<std::string>().find("out of paper"), std::string::npos);

    const auto runs = admin.get("/api/workflows/broken/runs?limit=5");
    ASSERT_EQ(status(runs), 200) << body(runs);
    ASSERT_EQ(ServedDesk::json(runs).size(), 1u) << body(runs);
    EXPECT_EQ(ServedDesk::json(runs)[0]["outcome"], "failed");
    EXPECT_EQ(status(admin.get("/api/workflows/broken/runs?limit=0")), 400);
    EXPECT_EQ(status(admin.get("/api/workflows/nobody/runs")), 404);
    const auto list = ServedDesk::json(admin.get("/api/workflows"));
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1]["last_run"]["outcome"], "failed") << list.dump();
    EXPECT_EQ(list[1]["last_run"]["line"], 2) << list.dump();
    EXPECT_TRUE(audited(served, "workflow.run", "admin"));
}

TEST(WorkflowRoutes, AScriptsNoteShowsInTheTicketHistory) {
    ServedDesk served;
    Api admin(served, served.admin());
    const long long number = open_ticket(served, "Scanner jammed");
    ASSERT_GT(number, 0);
    ASSERT_EQ(
        status(admin.post("/api/workflows",
                          workflow("ack", "workflowAPI.addNote(ticket, \"acknowledged\")\n"))),
        201);
    const auto ran = admin.post("/api/workflows/ack/run", {{"ticket", number}});
    ASSERT_EQ(status(ran), 200) << body(ran);
    ASSERT_EQ(ServedDesk::json(ran)["outcome"], "ok") << body(ran);

    Api erin(served, served.user("erin", "engineer"));
    const auto ticket = ServedDesk::json(erin.get("/api/tickets/" + std::to_string(number)));
    ASSERT_TRUE(ticket["notes"].is_array()) << ticket.dump();
    ASSERT_EQ(ticket["notes"].size(), 1u) << ticket.dump();
    EXPECT_EQ(ticket["notes"][0]["author"], "workflow:ack");
    EXPECT_EQ(ticket["notes"][0]["text"], "acknowledged");
    EXPECT_TRUE(ticket["notes"][0]["at"].is_string());
}

}  // namespace
}  // namespace casecrypt::test
