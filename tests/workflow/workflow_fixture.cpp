#include "workflow_fixture.h"

#include <filesystem>
#include <fstream>

#include "core/text.h"

namespace casecrypt::workflow::test {

void WorkflowFixture::SetUp() {
    auto opened = services::Installation::open({m_dir.path() / "data", "", std::nullopt}, m_clock);
    ASSERT_TRUE(opened) << opened.error().message();
    m_installation = std::move(*opened);
    m_engine = std::make_unique<LuaEngine>(*m_installation, m_clock);
}

long long WorkflowFixture::file_mail(const std::string& from, const std::string& subject) {
    const auto dir = m_dir.path() / "data" / "mail" / "incoming";
    std::filesystem::create_directories(dir);
    const int n = ++m_mails;
    std::ofstream(dir / ("m" + std::to_string(n) + ".eml"))
        << "From: " << from << "\nTo: Support <support@example.test>\nSubject: " << subject
        << "\nMessage-ID: <m" << n << "@customer.test>\nDate: Sat, 28 Nov 2026 08:00:00 +0000\n\n"
        << "Hello, my printer is on fire.\n";
    auto round = m_installation->polling_round().run({"local", false});
    EXPECT_TRUE(round) << round.error().message();
    if (!round || round->outcomes.empty()) {
        ADD_FAILURE() << "the mail was not filed";
        return 0;
    }
    return round->outcomes.back().ticket;
}

void WorkflowFixture::set_property(const char* name, const std::string& value) {
    auto set = m_installation->properties().set(services::kCoreModule, name, value, "test");
    ASSERT_TRUE(set) << set.error().message();
}

void WorkflowFixture::encryption_on_with_alice() {
    set_property(services::kMailEncryption, "true");
    auto imported = m_installation->certificates().import_client(
        casecrypt::test::fixtures_dir() / "client/ok-rsa2048-dn-email.pem", "test");
    ASSERT_TRUE(imported) << imported.error().message();
}

services::WorkflowRunResult WorkflowFixture::run(const std::string& script,
                                                 std::optional<long long> ticket, bool dry_run,
                                                 services::WorkflowEvent event) {
    services::WorkflowView workflow;
    workflow.name = "test";
    workflow.event = event;
    workflow.script = script;
    services::WorkflowTrigger trigger;
    trigger.event = event;
    trigger.ticket = ticket;
    trigger.dry_run = dry_run;
    return m_engine->run(workflow, trigger);
}

size_t WorkflowFixture::outbox_size() {
    auto listed = m_installation->outbox().list();
    EXPECT_TRUE(listed) << listed.error().message();
    return listed ? listed->size() : 0;
}

std::string describe(const services::WorkflowRunResult& result) {
    return services::to_string(result.outcome) + ": " + result.error + "\nlog:\n" +
           join(result.log, "\n");
}

}  // namespace casecrypt::workflow::test
