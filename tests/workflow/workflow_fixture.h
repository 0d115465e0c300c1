// A test installation with the Lua engine constructed directly: a ticket made by filing a
// customer's mail through the `local` account, scripts run as a workflow of any event.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "services/installation.h"
#include "support/run_cli.h"
#include "workflow/lua_engine.h"

namespace casecrypt::workflow::test {

class WorkflowFixture : public ::testing::Test {
protected:
    void SetUp() override;

    // Files a mail from `from` to support@example.test; the ticket it opened or joined.
    long long file_mail(const std::string& from, const std::string& subject);
    // mail.encryption = true and Alice's certificate (alice@example.test) in the store.
    void encryption_on_with_alice();
    void set_property(const char* name, const std::string& value);

    services::WorkflowRunResult run(
        const std::string& script, std::optional<long long> ticket = std::nullopt,
        bool dry_run = false,
        services::WorkflowEvent event = services::WorkflowEvent::ticket_created);

    services::Installation& installation() { return *m_installation; }
    LuaEngine& engine() { return *m_engine; }
    size_t outbox_size();

    casecrypt::test::TempDir m_dir;
    SystemClock m_clock;
    std::unique_ptr<services::Installation> m_installation;
    std::unique_ptr<LuaEngine> m_engine;
    int m_mails = 0;
};

// "outcome: error" for failure messages.
std::string describe(const services::WorkflowRunResult& result);

}  // namespace casecrypt::workflow::test
