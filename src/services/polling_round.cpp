#include "services/polling_round.h"

#include <algorithm>
#include <iterator>

#include "services/delivery.h"
#include "services/mail_accounts.h"
#include "store/account_store.h"

namespace casecrypt::services {
namespace {

struct Delivered {
    int handled = 0;
    std::optional<std::string> error;
};

// The one place a round talks to Delivery (its result type is its own business).
Delivered deliver_due(Delivery& delivery) {
    auto delivered = delivery.deliver_due();
    if (!delivered)
        return {0, delivered.error().message()};
    return {static_cast<int>(delivered->size()), std::nullopt};
}

}  // namespace

void RoundCounts::count(MailOutcome outcome) {
    switch (outcome) {
        case MailOutcome::new_ticket:
            ++new_tickets;
            break;
        case MailOutcome::appended:
            ++appended;
            break;
        case MailOutcome::duplicate:
            ++duplicates;
            break;
        case MailOutcome::backup:
            ++backups;
            break;
        case MailOutcome::failed:
            ++failed;
            break;
    }
}

bool RoundReport::accounts_unreadable() const {
    return std::any_of(accounts.begin(), accounts.end(),
                       [](const AccountRound& a) { return a.error.has_value(); });
}

Result<RoundReport> PollingRound::run(const RoundRequest& request) {
    auto accounts = m_accounts.list();
    if (!accounts)
        return std::unexpected(accounts.error());
    RoundReport report;
    for (const auto& a : *accounts) {
        if (request.account.empty() || a.name == request.account)
            report.accounts.push_back(AccountRound{a.name, {}, true, 0, std::nullopt});
    }
    if (!request.account.empty() && report.accounts.empty())
        return fail(Errc::not_found, "no mail account named " + request.account);

    for (auto& account : report.accounts) {
        auto fetched = m_incoming.fetch(account.name);
        if (!fetched)
            return std::unexpected(fetched.error());
        account.listed = fetched->listed;
        account.counts.fetched = fetched->fetched;
        report.totals.fetched += fetched->fetched;
        if (!fetched->error.empty())
            account.error = fetched->error;
    }

    // Also what earlier rounds stored and could not finish (a crash, a retry).
    auto processed = m_incoming.process_pending();
    if (!processed) {
        report.processing_error = processed.error();
    } else {
        for (auto& outcome : processed->outcomes) {
            report.totals.count(outcome.outcome);
            auto it =
                std::find_if(report.accounts.begin(), report.accounts.end(),
                             [&](const AccountRound& a) { return a.name == outcome.account; });
            if (it == report.accounts.end()) {
                report.accounts.push_back(
                    AccountRound{outcome.account, {}, false, 0, std::nullopt});
                it = std::prev(report.accounts.end());
            }
            it->counts.count(outcome.outcome);
        }
        report.outcomes = std::move(processed->outcomes);
    }

    if (request.deliver) {
        const Delivered delivered = deliver_due(m_delivery);
        report.delivered = delivered.handled;
        report.delivery_error = delivered.error;
    }
    return report;
}

}  // namespace casecrypt::services
