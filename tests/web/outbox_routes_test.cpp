// The outbox through the API: a reply sent from a ticket is listed as `outbox list --json`
// says; retrying a copy that does not exist is 404.
#include <gtest/gtest.h>

#include "web/served_desk.h"

namespace casecrypt::test {
namespace {

TEST(OutboxRoutes, TheOutboxIsListedAsTheCliSaysAndAnUnknownRetryIs404) {
    ServedDesk served;
    served.desk().drop("1", plain_mail("Printer on fire", "first@customer.test"));
    ASSERT_EQ(served.desk().fetch().exit_code, 0);
    const auto admin = served.admin();
    auto c = served.client();
    const auto sent =
        c.Post("/api/tickets/1/mails", admin.headers(true),
               R"({"to":"carl@customer.test","subject":"Re","text":"Done."})", "application/json");
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 201) << sent->body;
    const auto listed = c.Get("/api/outbox", admin.headers());
    ASSERT_TRUE(listed);
    const auto outbox = ServedDesk::json(listed);
    EXPECT_EQ(outbox, served.desk().json({"outbox", "list", "--json"}));
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0]["state"], "sent") << outbox.dump();
    const auto unknown = c.Post("/api/outbox/999/retry", admin.headers(true));
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << unknown->body;
}

}  // namespace
}  // namespace casecrypt::test
