// PollingRound: one round of the main job, the one use case behind `casecrypt serve` (every
// interval) and `mail fetch` (once): fetch every account (or one), process every stored mail
// that is not processed yet (this round's and what an earlier round could not finish), and,
// when asked, deliver the outbox copies that are due. The result counts each mail's outcome
// once, in all and per account. One account that cannot be read does not stop the others: its
// error is in its entry. Not thread-safe (its services share one database connection).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "services/incoming_mail.h"

namespace casecrypt::services {

class Delivery;
class MailAccounts;

struct RoundCounts {
    int fetched = 0;      // new mails stored
    int new_tickets = 0;  // mails that opened a ticket
    int appended = 0;     // mails appended to a ticket
    int backups = 0;      // mails kept as email backups
    int duplicates = 0;   // second copies of mails already filed
    int failed = 0;       // attempts that failed; those mails are tried again later

    void count(MailOutcome outcome);
};

struct AccountRound {
    std::string name;
    RoundCounts counts;
    bool polled = false;  // fetched in this round (else: only its stored mail processed)
    int listed = 0;       // mails in the mailbox
    std::optional<std::string> error;  // the mailbox could not be read (or not all of it)
};

struct RoundRequest {
    std::string account;   // empty: every account
    bool deliver = false;  // also deliver the outbox copies that are due
};

struct RoundReport {
    RoundCounts totals;
    // Every account fetched, in name order; then any other account whose stored mail was
    // processed in this round.
    std::vector<AccountRound> accounts;
    std::vector<ProcessOutcome> outcomes;  // each processed mail, oldest first
    // When delivery was asked for: how many outbox copies were handled, or why delivery could
    // not run this round.
    int delivered = 0;
    std::optional<std::string> delivery_error;
    // Processing could not run (our database): the round did what it could before.
    std::optional<Error> processing_error;

    bool accounts_unreadable() const;
};

class PollingRound {
public:
    PollingRound(MailAccounts& accounts, IncomingMail& incoming, Delivery& delivery)
        : m_accounts(accounts), m_incoming(incoming), m_delivery(delivery) {}

    // Errc::not_found when the named account does not exist; Errc::io when our database cannot
    // list the accounts or store a fetched mail.
    Result<RoundReport> run(const RoundRequest& request);

private:
    MailAccounts& m_accounts;
    IncomingMail& m_incoming;
    Delivery& m_delivery;
};

}  // namespace casecrypt::services
