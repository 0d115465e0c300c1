// The store on both backends: SQLite in a temp file, and the real PostgreSQL the `postgres`
// CTest fixture started (its URL in $CASECRYPT_TEST_PG_URL_FILE).
#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include "core/base64.h"
#include "core/iso_time.h"
#include "store/account_store.h"
#include "store/audit_log.h"
#include "store/certificate_store.h"
#include "store/chunked_bytes.h"
#include "store/database.h"
#include "store/guarded.h"
#include "store/incoming_store.h"
#include "store/ldap_miss_store.h"
#include "store/migrations.h"
#include "store/outbox_store.h"
#include "store/property_store.h"
#include "store/ticket_store.h"
#include "support/run_cli.h"

namespace casecrypt::store {
namespace {

using test::TempDir;

std::string postgres_url() {
    const char* file = std::getenv("CASECRYPT_TEST_PG_URL_FILE");
    std::ifstream in(file != nullptr ? file : "");
    std::string url;
    std::getline(in, url);
    return url;
}

class StoreTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::sqlite) {
            m_url = (m_dir.path() / "test.db").string();
        } else {
            m_url = postgres_url();
            ASSERT_FALSE(m_url.empty()) << "the postgres fixture did not start";
            // A clean schema for every test.
            auto db = Database::open(m_url);
            ASSERT_TRUE(db) << db.error().message();
            reset_postgres(**db);
        }
        auto db = Database::open(m_url);
        ASSERT_TRUE(db) << db.error().message();
        m_db = std::move(*db);
    }

    static void reset_postgres(Database& db) {
        db.session() << "DROP SCHEMA public CASCADE";
        db.session() << "CREATE SCHEMA public";
    }

    CertificateRecord record(const std::string& fingerprint, CertificateKind kind,
                             std::vector<std::string> addresses) {
        CertificateRecord r;
        r.kind = kind;
        r.subject = "E=" + addresses.front() + ", CN=Test";
        r.issuer = "CN=Test CA";
        r.serial = "0A1B";
        r.fingerprint_sha256 = fingerprint;
        r.not_before = *from_iso8601("2026-01-01T00:00:00Z");
        r.not_after = *from_iso8601("2028-01-01T00:00:00Z");
        r.key_description = "RSA 2048";
        r.addresses = std::move(addresses);
        r.der = std::string("\x30\x82\x00\x00binary\0der", 13);
        r.source = CertificateSource::file;
        r.created_at = *from_iso8601("2026-11-27T12:00:00Z");
        r.created_by = "test";
        return r;
    }

    TempDir m_dir;
    std::string m_url;
    std::unique_ptr<Database> m_db;
};

TEST_P(StoreTest, MigrationsApplyOnceAndReopeningKeepsTheVersion) {
    EXPECT_EQ(m_db->schema_version(), migrations().back().version);
    m_db.reset();
    auto again = Database::open(m_url);
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ((*again)->schema_version(), migrations().back().version);
}

TEST_P(StoreTest, InsertsAndReadsACertificateWithAddressesChainAndSealedKey) {
    CertificateStore store(*m_db);
    const auto r =
        record("aa11", CertificateKind::server, {"support@example.test", "help@example.test"});
    const std::string sealed("\x01sealed\0bytes", 13);
    auto id = store.insert(r, {"chain-der-1", std::string("chain\0two", 9)}, sealed);
    ASSERT_TRUE(id) << id.error().message();

    auto got = store.get(*id);
    ASSERT_TRUE(got && *got);
    const CertificateRecord& g = **got;
    EXPECT_EQ(g.id, *id);
    EXPECT_EQ(g.kind, CertificateKind::server);
    EXPECT_EQ(g.der, r.der);
    EXPECT_EQ(g.not_after, r.not_after);
    EXPECT_EQ(g.created_at, r.created_at);
    EXPECT_TRUE(g.has_private_key);
    EXPECT_EQ(g.addresses, (std::vector<std::string>{"help@example.test", "support@example.test"}));
    auto chain = store.chain(*id);
    ASSERT_TRUE(chain);
    EXPECT_EQ(*chain, (std::vector<std::string>{"chain-der-1", std::string("chain\0two", 9)}));
    auto key = store.sealed_private_key(*id);
    ASSERT_TRUE(key && *key);
    EXPECT_EQ(**key, sealed);
}

TEST_P(StoreTest, FingerprintIsUniquePerKindAndAFailedInsertLeavesNothing) {
    CertificateStore store(*m_db);
    ASSERT_TRUE(store.insert(record("bb22", CertificateKind::client, {"a@example.test"}), {}, {}));
    // The same certificate may be both a client and a server certificate ...
    ASSERT_TRUE(store.insert(record("bb22", CertificateKind::server, {"a@example.test"}), {}, "k"));
    // ... but not twice of one kind; the failed insert must not leave addresses behind.
    auto dup = store.insert(record("bb22", CertificateKind::client, {"zzz@example.test"}), {}, {});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code(), Errc::io);
    EXPECT_EQ(*store.count(), 2);
    auto orphans = store.find_by_address(CertificateKind::client, "zzz@example.test");
    ASSERT_TRUE(orphans);
    EXPECT_TRUE(orphans->empty());
}

TEST_P(StoreTest, FindsByAddressAndKindAndLists) {
    CertificateStore store(*m_db);
    ASSERT_TRUE(store.insert(record("c1", CertificateKind::client, {"x@example.test"}), {}, {}));
    ASSERT_TRUE(store.insert(
        record("c2", CertificateKind::client, {"x@example.test", "y@example.test"}), {}, {}));
    ASSERT_TRUE(store.insert(record("s1", CertificateKind::server, {"x@example.test"}), {}, "k"));
    EXPECT_EQ(store.find_by_address(CertificateKind::client, "x@example.test")->size(), 2u);
    EXPECT_EQ(store.find_by_address(CertificateKind::client, "y@example.test")->size(), 1u);
    EXPECT_EQ(store.find_by_address(CertificateKind::server, "x@example.test")->size(), 1u);
    EXPECT_EQ(store.list()->size(), 3u);
    EXPECT_EQ(store.list(CertificateKind::server)->size(), 1u);
    auto by_fp = store.find_by_fingerprint(CertificateKind::client, "c2");
    ASSERT_TRUE(by_fp && *by_fp);
    EXPECT_FALSE((*by_fp)->has_private_key);
    EXPECT_FALSE(*store.find_by_fingerprint(CertificateKind::server, "c2"));
}

TEST_P(StoreTest, RemoveDeletesTheCertificateAndItsRows) {
    CertificateStore store(*m_db);
    auto id = store.insert(record("d1", CertificateKind::server, {"r@example.test"}), {"ca"}, "k");
    ASSERT_TRUE(id);
    EXPECT_TRUE(*store.remove(*id));
    EXPECT_FALSE(*store.remove(*id));
    EXPECT_FALSE(*store.get(*id));
    EXPECT_TRUE(store.find_by_address(CertificateKind::server, "r@example.test")->empty());
    EXPECT_TRUE(store.chain(*id)->empty());
}

TEST_P(StoreTest, PropertiesKeepTheirValueWhenRedefined) {
    PropertyStore properties(*m_db);
    PropertyRecord def{"cmas-core-server", "x.flag", "boolean", "false", "a flag", {}, {}, {}};
    ASSERT_TRUE(properties.define(def));
    ASSERT_TRUE(properties.set("cmas-core-server", "x.flag", "true",
                               *from_iso8601("2026-11-27T00:00:00Z"), "tester"));
    def.description = "a better description";
    ASSERT_TRUE(properties.define(def));
    auto got = properties.get("cmas-core-server", "x.flag");
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->effective_value(), "true");
    EXPECT_EQ((*got)->description, "a better description");
    EXPECT_EQ((*got)->updated_by, "tester");
    auto missing = properties.set("cmas-core-server", "nope", "1", {}, "tester");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code(), Errc::not_found);
}

// Regression (issue 9): a write to a read-only database reported the whole SQL statement SOCI
// appends ("while executing \"INSERT INTO ...\""), over several lines on PostgreSQL.
TEST_P(StoreTest, AWriteToAReadOnlyDatabaseIsOneLineNamingTheCauseWithoutTheStatement) {
    if (GetParam() == Backend::sqlite) {
        m_db->session() << "PRAGMA query_only = ON";
    } else {
        m_db->session() << "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY";
    }
    AuditLog audit(*m_db);
    auto written = audit.record(*from_iso8601("2026-11-27T00:00:00Z"), "a", "one", "first");
    ASSERT_FALSE(written);
    const std::string& message = written.error().message();
    EXPECT_EQ(written.error().code(), Errc::io);
    EXPECT_EQ(message.find_first_of("\r\n"), std::string::npos) << message;
    EXPECT_NE(message.find("read"), std::string::npos) << "names the cause: " << message;
    EXPECT_EQ(message.find("INSERT INTO"), std::string::npos) << message;
    EXPECT_EQ(message.find("VALUES"), std::string::npos) << message;
}

// Regression (issue 9): PostgreSQL's "ERROR: ...\nLINE 1: ...\n ^\n" reached the terminal as
// three lines.
TEST_P(StoreTest, AMultiLineDatabaseErrorBecomesOneLine) {
    auto failed = guarded("testing", [&]() -> Result<void> {
        m_db->session() << "SELEC 1 FROM nowhere";
        return {};
    });
    ASSERT_FALSE(failed);
    const std::string& message = failed.error().message();
    EXPECT_EQ(message.find_first_of("\r\n"), std::string::npos) << message;
    EXPECT_TRUE(message.starts_with("database error while testing: ")) << message;
    EXPECT_NE(message.find("SELEC"), std::string::npos) << "says what was wrong: " << message;
}

TEST_P(StoreTest, AuditLogKeepsEntriesNewestFirst) {
    AuditLog audit(*m_db);
    ASSERT_TRUE(audit.record(*from_iso8601("2026-11-27T00:00:00Z"), "a", "one", "first"));
    ASSERT_TRUE(audit.record(*from_iso8601("2026-11-27T00:00:01Z"), "b", "two", "second"));
    auto entries = audit.recent(10);
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].action, "two");
    EXPECT_EQ((*entries)[1].detail, "first");
}

OutboxEntry copy_to(const std::string& recipient, TimePoint now) {
    OutboxEntry e;
    e.mail_id = "m1@example.test";
    e.envelope_from = "support@example.test";
    e.recipients = {recipient, "second@customer.test"};
    e.subject = "Ticket (1)";
    e.payload = std::string("From: a\r\n\r\nbinary \0 body", 24);
    e.report = "{}";
    e.next_attempt_at = now;
    e.created_at = now;
    e.expires_at = now + std::chrono::hours(48);
    return e;
}

TEST_P(StoreTest, OutboxClaimsEachCopyOnceAndAgainOnlyAfterItsLeaseRanOut) {
    OutboxStore outbox(*m_db);
    const TimePoint now = *from_iso8601("2026-11-27T12:00:00Z");
    auto ids = outbox.add({copy_to("a@customer.test", now), copy_to("b@customer.test", now)});
    ASSERT_TRUE(ids) << ids.error().message();
    ASSERT_EQ(ids->size(), 2u);

    auto first = outbox.claim(now, std::chrono::seconds(60));
    ASSERT_TRUE(first && *first) << (first ? "nothing due" : first.error().message());
    EXPECT_EQ((*first)->id, (*ids)[0]);
    EXPECT_EQ((*first)->state, OutboxState::sending);
    EXPECT_EQ((*first)->attempts, 1);
    EXPECT_EQ((*first)->payload, std::string("From: a\r\n\r\nbinary \0 body", 24));
    EXPECT_EQ((*first)->recipients,
              (std::vector<std::string>{"a@customer.test", "second@customer.test"}));
    auto second = outbox.claim(now, std::chrono::seconds(60));
    ASSERT_TRUE(second && *second);
    EXPECT_EQ((*second)->id, (*ids)[1]);
    // Both are leased: nothing more is due, not even the first one.
    auto none = outbox.claim(now + std::chrono::seconds(30), std::chrono::seconds(60));
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    // The worker holding the first one died: after its lease, another takes it over.
    auto again = outbox.claim(now + std::chrono::seconds(61), std::chrono::seconds(60));
    ASSERT_TRUE(again && *again);
    EXPECT_EQ((*again)->id, (*ids)[0]);
    EXPECT_EQ((*again)->attempts, 2);
    ASSERT_TRUE(outbox.mark_sent((*again)->id, now + std::chrono::seconds(62)));
    ASSERT_TRUE(outbox.mark_retry((*second)->id, now + std::chrono::hours(1), "450 try later"));
    auto later = outbox.claim(now + std::chrono::minutes(5), std::chrono::seconds(60));
    ASSERT_TRUE(later);
    EXPECT_FALSE(*later) << "the retry is not due yet and the sent copy never again";
    auto listed = outbox.list();
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ(listed->at(0).state, OutboxState::queued);
    EXPECT_EQ(listed->at(0).last_error, "450 try later");
    EXPECT_EQ(listed->at(1).state, OutboxState::sent);
    EXPECT_FALSE(listed->at(1).payload.has_value()) << "listings carry no message bytes";
}

// Issue 10: an outgoing copy went into the outbox from a whole-mail string, and came out as
// one for the transport; now it goes from a file into the database and back into a file a
// chunk at a time (blob_chunks since migration 8; the test keeps its first name), with every byte
// value and a length that is no multiple of a chunk.
TEST_P(StoreTest, AnOutboxCopyGoesFromAFileIntoTheRowAndBackIntoAFile) {
    OutboxStore outbox(*m_db);
    const TimePoint now = *from_iso8601("2026-11-27T12:00:00Z");
    std::string bytes;
    for (int i = 0; i < 3 * 256 * 1024 + 7; ++i)
        bytes += static_cast<char>(i * 7 % 256);
    const auto payload = m_dir.path() / "payload";
    const auto plain = m_dir.path() / "plain";
    std::ofstream(payload, std::ios::binary) << bytes;
    std::ofstream(plain, std::ios::binary) << "From: a\r\n\r\nplain";
    OutboxEntry e = copy_to("a@customer.test", now);
    e.payload.reset();
    e.payload_file = payload;
    e.plain_file = plain;
    auto ids = outbox.add({e});
    ASSERT_TRUE(ids) << ids.error().message();
    const auto back = m_dir.path() / "back";
    auto written = outbox.payload_to_file(ids->front(), back);
    ASSERT_TRUE(written) << written.error().message();
    EXPECT_TRUE(*written);
    std::ifstream in(back, std::ios::binary);
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
              bytes);
    auto got = outbox.get(ids->front());
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->payload, bytes) << "read as a whole too";
    EXPECT_EQ((*got)->plain, "From: a\r\n\r\nplain");

    // A copy sent keeps no plain text; a requeue takes new bytes from a file.
    ASSERT_TRUE(outbox.mark_sent(ids->front(), now));
    auto none = outbox.plain_to_file(ids->front(), back);
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
    OutboxEntry again = **got;
    again.payload.reset();
    again.plain.reset();
    again.payload_file = plain;
    ASSERT_TRUE(outbox.requeue(again, now, now + std::chrono::hours(1)));
    ASSERT_TRUE(outbox.payload_to_file(ids->front(), back));
    std::ifstream in2(back, std::ios::binary);
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>()),
              "From: a\r\n\r\nplain");
}

// Issue 10: a copy's bytes are in blob_chunks, not in its row; a copy made before that keeps
// them in payload_base64/plain_base64 and is still read from there, and a requeue moves it over.
TEST_P(StoreTest, AnOutboxCopyMadeBeforeTheChunksIsStillReadFromItsRow) {
    OutboxStore outbox(*m_db);
    const TimePoint now = *from_iso8601("2026-11-27T12:00:00Z");
    OutboxEntry e = copy_to("a@customer.test", now);
    e.payload.reset();
    auto ids = outbox.add({e});
    ASSERT_TRUE(ids) << ids.error().message();
    const long long id = ids->front();
    // What a copy from before migration 8 looks like: the base64 in the row, no chunks.
    const std::string payload = base64_encode(std::string("From: old\r\n\r\n\0old body", 22));
    const std::string plain = base64_encode("From: old\r\n\r\nplain");
    m_db->session() << "UPDATE outbox SET payload_base64 = :p, plain_base64 = :pl WHERE id = :id",
        soci::use(payload), soci::use(plain), soci::use(id);
    int chunks = -1;
    m_db->session() << "SELECT COUNT(*) FROM blob_chunks WHERE owner_id = :id", soci::use(id),
        soci::into(chunks);
    EXPECT_EQ(chunks, 0);

    auto claimed = outbox.claim(now, std::chrono::seconds(60), false);
    ASSERT_TRUE(claimed && *claimed);
    EXPECT_EQ((*claimed)->id, id);
    const auto back = m_dir.path() / "back";
    auto written = outbox.payload_to_file(id, back);
    ASSERT_TRUE(written) << written.error().message();
    EXPECT_TRUE(*written);
    std::ifstream in(back, std::ios::binary);
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
              std::string("From: old\r\n\r\n\0old body", 22));
    auto got = outbox.get(id);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->payload, std::string("From: old\r\n\r\n\0old body", 22));
    EXPECT_EQ((*got)->plain, "From: old\r\n\r\nplain");
    const auto kept = m_dir.path() / "kept";
    auto has_plain = outbox.plain_to_file(id, kept);
    ASSERT_TRUE(has_plain && *has_plain);

    // A requeue takes the bytes into chunks and clears the row's columns.
    OutboxEntry again = **got;
    again.payload.reset();
    again.plain.reset();
    again.payload_file = back;
    again.plain_file = kept;
    again.state = OutboxState::queued;
    ASSERT_TRUE(outbox.requeue(again, now, now + std::chrono::hours(1)));
    soci::indicator payload_i = soci::i_ok, plain_i = soci::i_ok;
    std::string column, column2;
    m_db->session() << "SELECT payload_base64, plain_base64 FROM outbox WHERE id = :id",
        soci::use(id), soci::into(column, payload_i), soci::into(column2, plain_i);
    EXPECT_EQ(payload_i, soci::i_null);
    EXPECT_EQ(plain_i, soci::i_null);
    auto moved = outbox.get(id);
    ASSERT_TRUE(moved && *moved);
    EXPECT_EQ((*moved)->payload, std::string("From: old\r\n\r\n\0old body", 22));
    EXPECT_EQ((*moved)->plain, "From: old\r\n\r\nplain");
}

// The plain message goes when a copy is sent (its chunks too), a requeue replaces the chunks
// rather than adding to them, and other copies' chunks stay.
TEST_P(StoreTest, AnOutboxCopysChunksGoWithWhatTheCopyNoLongerKeeps) {
    OutboxStore outbox(*m_db);
    const TimePoint now = *from_iso8601("2026-11-27T12:00:00Z");
    std::string big(2 * ChunkedBytes::kChunkBytes + 5, 'x');
    const auto payload = m_dir.path() / "payload";
    std::ofstream(payload, std::ios::binary) << big;
    OutboxEntry a = copy_to("a@customer.test", now);
    a.payload.reset();
    a.payload_file = payload;
    a.plain = "From: a\r\n\r\nplain";
    OutboxEntry b = copy_to("b@customer.test", now);
    b.plain = std::string();  // empty bytes are kept as such, not as none
    auto ids = outbox.add({a, b});
    ASSERT_TRUE(ids) << ids.error().message();
    auto count = [&](const std::string& owner, long long id) {
        int n = -1;
        m_db->session() << "SELECT COUNT(*) FROM blob_chunks WHERE owner = :o AND owner_id = :i",
            soci::use(owner), soci::use(id), soci::into(n);
        return n;
    };
    EXPECT_EQ(count("outbox_payload", (*ids)[0]), 3);
    EXPECT_EQ(count("outbox_plain", (*ids)[0]), 1);
    EXPECT_EQ(count("outbox_payload", (*ids)[1]), 1);
    EXPECT_EQ(count("outbox_plain", (*ids)[1]), 1);
    auto empty = outbox.get((*ids)[1]);
    ASSERT_TRUE(empty && *empty);
    EXPECT_EQ((*empty)->plain, std::string());

    ASSERT_TRUE(outbox.mark_sent((*ids)[0], now));
    EXPECT_EQ(count("outbox_plain", (*ids)[0]), 0) << "an outbox is no archive of plaintext";
    EXPECT_EQ(count("outbox_payload", (*ids)[0]), 3);
    EXPECT_EQ(count("outbox_plain", (*ids)[1]), 1) << "another copy keeps its own";

    OutboxEntry again = copy_to("a@customer.test", now);
    again.id = (*ids)[0];
    again.payload = "short";
    ASSERT_TRUE(outbox.requeue(again, now, now + std::chrono::hours(1)));
    EXPECT_EQ(count("outbox_payload", (*ids)[0]), 1);
    auto got = outbox.get((*ids)[0]);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->payload, "short");
    EXPECT_FALSE((*got)->plain.has_value());
    const auto none = m_dir.path() / "none";
    auto kept = outbox.plain_to_file((*ids)[0], none);
    ASSERT_TRUE(kept);
    EXPECT_FALSE(*kept);
    EXPECT_FALSE(std::filesystem::exists(none)) << "no file when nothing is kept";
}

TEST_P(StoreTest, LdapMissesAreRememberedUntilTheirTime) {
    LdapMissStore misses(*m_db);
    const TimePoint now = *from_iso8601("2026-11-27T12:00:00Z");
    EXPECT_FALSE(*misses.is_remembered("x@customer.test", now));
    ASSERT_TRUE(misses.remember("x@customer.test", now + std::chrono::minutes(5)));
    EXPECT_TRUE(*misses.is_remembered("x@customer.test", now + std::chrono::minutes(4)));
    EXPECT_FALSE(*misses.is_remembered("x@customer.test", now + std::chrono::minutes(6)));
    ASSERT_TRUE(misses.remember("x@customer.test", now + std::chrono::minutes(10)));  // upsert
    EXPECT_TRUE(*misses.is_remembered("x@customer.test", now + std::chrono::minutes(6)));
}

IncomingRecord fetched_mail(const std::string& key, const std::string& raw) {
    IncomingRecord r;
    r.account = "support";
    r.source_key = key;
    r.raw = raw;
    r.size = static_cast<long long>(raw.size());
    r.subject = "Hello " + key;
    r.from_address = "alice@customer.test";
    r.message_id = key + "@customer.test";
    r.received_at = *from_iso8601("2026-11-28T08:00:00Z");
    return r;
}

// IncomingStore::add reads the bytes from a file (a fetched mail is one).
Result<std::optional<long long>> add_mail(IncomingStore& incoming, const IncomingRecord& r,
                                          const std::filesystem::path& dir) {
    const auto file =
        dir / ("mail-" + std::to_string(std::hash<std::string>()(r.account + "/" + r.source_key)));
    std::ofstream(file, std::ios::binary | std::ios::trunc) << r.raw.value_or("");
    return incoming.add(r, file);
}

std::string raw_of(IncomingStore& incoming, long long id) {
    std::string out;
    auto read = incoming.read_raw(id, [&](std::string_view chunk) -> Result<void> {
        out += chunk;
        return {};
    });
    EXPECT_TRUE(read) << read.error().message();
    EXPECT_EQ(read.value_or(-1), static_cast<long long>(out.size()));
    return out;
}

TEST_P(StoreTest, IncomingMailIsStoredOncePerSourceKeyWithItsExactBytes) {
    IncomingStore incoming(*m_db);
    const std::string raw("From: a\r\n\r\nbinary \0 body\xff", 25);
    auto first = add_mail(incoming, fetched_mail("7:1", raw), m_dir.path());
    ASSERT_TRUE(first && *first) << (first ? "not inserted" : first.error().message());
    auto again = add_mail(incoming, fetched_mail("7:1", "other bytes"), m_dir.path());
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_FALSE(*again) << "the same (account, key) is stored once";
    auto other_account = fetched_mail("7:1", raw);
    other_account.account = "sales";
    auto third = add_mail(incoming, other_account, m_dir.path());
    ASSERT_TRUE(third && *third) << "the key is unique per account only";
    auto keys = incoming.keys("support");
    ASSERT_TRUE(keys);
    EXPECT_EQ(*keys, (std::map<std::string, bool>{{"7:1", false}}));
    ASSERT_TRUE(incoming.mark_done_on_server("support", "7:1"));
    EXPECT_EQ(*incoming.keys("support"), (std::map<std::string, bool>{{"7:1", true}}));
    auto got = incoming.get(**first);
    ASSERT_TRUE(got && *got);
    EXPECT_EQ(raw_of(incoming, **first), raw);
    EXPECT_EQ((*got)->size, static_cast<long long>(raw.size()));
    EXPECT_EQ((*got)->state, IncomingState::fresh);
}

TEST_P(StoreTest, ALargeMailAndAttachmentMoveInChunksAndComeBackExactly) {
    IncomingStore incoming(*m_db);
    TicketStore tickets(*m_db);
    // Three chunks and a bit, every byte value.
    std::string raw;
    for (std::size_t i = 0; raw.size() < 3 * ChunkedBytes::kChunkBytes + 17; ++i)
        raw += static_cast<char>(i * 7 % 256);
    auto id = add_mail(incoming, fetched_mail("big", raw), m_dir.path());
    ASSERT_TRUE(id && *id) << (id ? "not inserted" : id.error().message());
    EXPECT_EQ((*incoming.summary(**id))->size, static_cast<long long>(raw.size()));
    EXPECT_EQ(raw_of(incoming, **id), raw);

    auto ticket = tickets.create("Big", "alice@customer.test", std::nullopt, TimePoint{});
    ASSERT_TRUE(ticket);
    const auto file = m_dir.path() / "attachment.bin";
    std::ofstream(file, std::ios::binary) << raw;
    TicketMessageRecord m;
    m.ticket = *ticket;
    m.direction = "in";
    m.to_json = m.cc_json = "[]";
    AttachmentRecord a;
    a.name = "big.bin";
    a.content_type = "application/octet-stream";
    a.size = static_cast<long long>(raw.size());
    a.file = file;
    m.attachments.push_back(a);
    ASSERT_TRUE(tickets.add_message(m));
    const long long attachment = tickets.messages(*ticket)->at(0).attachments.at(0).id;
    std::string back;
    int chunks = 0;
    auto read = tickets.read_attachment(attachment, [&](std::string_view chunk) -> Result<void> {
        back += chunk;
        ++chunks;
        return {};
    });
    ASSERT_TRUE(read && *read);
    EXPECT_EQ((*read)->name, "big.bin");
    EXPECT_EQ(back, raw);
    EXPECT_EQ(chunks, 4) << "a chunk at a time";
    auto unknown = tickets.read_attachment(attachment + 1,
                                           [](std::string_view) -> Result<void> { return {}; });
    ASSERT_TRUE(unknown);
    EXPECT_FALSE(*unknown);
}

TEST_P(StoreTest,
       AClaimRolledBackLeavesTheMailNewWithItsAttemptCountedAndACommittedOneIsFiledOnce) {
    IncomingStore incoming(*m_db);
    TicketStore tickets(*m_db);
    auto id = add_mail(incoming, fetched_mail("1:1", "From: a\n\nhi\n"), m_dir.path());
    ASSERT_TRUE(id && *id);
    auto started = incoming.start_attempt(0);
    ASSERT_TRUE(started && *started);
    EXPECT_EQ((*started)->id, **id);
    EXPECT_EQ((*started)->attempts, 1);
    // A process that fails (or dies) halfway: nothing of its work stays but the attempt.
    auto failed = in_transaction(*m_db, "test", [&]() -> Result<void> {
        auto claimed = incoming.claim(**id);
        EXPECT_TRUE(claimed && *claimed);
        auto ticket = tickets.create("Hello", "alice@customer.test", std::nullopt, TimePoint{});
        EXPECT_TRUE(ticket);
        return fail(Errc::io, "disk full");
    });
    ASSERT_FALSE(failed);
    EXPECT_TRUE(tickets.list()->empty()) << "the ticket went with the rollback";
    auto after = incoming.get(**id);
    EXPECT_EQ((*after)->state, IncomingState::fresh);
    EXPECT_EQ((*after)->attempts, 1) << "counted outside the rolled-back transaction";
    ASSERT_TRUE(incoming.record_failure(**id, "disk full", TimePoint{}));
    EXPECT_EQ((*incoming.get(**id))->error, "disk full");

    auto filed = in_transaction(*m_db, "test", [&]() -> Result<long long> {
        auto claimed = incoming.claim(**id);
        if (!claimed || !*claimed)
            return fail(Errc::internal, "nothing claimed");
        auto ticket = tickets.create("Hello", "alice@customer.test", std::nullopt, TimePoint{});
        if (!ticket)
            return ticket;
        TicketMessageRecord m;
        m.ticket = *ticket;
        m.direction = "in";
        m.incoming_id = (*claimed)->id;
        m.message_id = "1:1@customer.test";
        m.to_json = m.cc_json = "[]";
        m.text = "hi";
        AttachmentRecord a;
        a.name = "a.bin";
        a.content_type = "application/octet-stream";
        a.content = std::string("\0\x01\xff", 3);
        a.size = 3;
        m.attachments.push_back(a);
        auto added = tickets.add_message(m);
        if (!added)
            return added;
        if (auto marked = incoming.mark_filed((*claimed)->id); !marked)
            return std::unexpected(marked.error());
        return *ticket;
    });
    ASSERT_TRUE(filed) << filed.error().message();
    EXPECT_EQ((*incoming.get(**id))->state, IncomingState::filed);
    auto none = incoming.start_attempt(0);
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none) << "a filed mail is never attempted again";
    auto reclaimed = in_transaction(*m_db, "test", [&]() { return incoming.claim(**id); });
    ASSERT_TRUE(reclaimed);
    EXPECT_FALSE(*reclaimed) << "a filed mail is never claimed again";
    auto messages = tickets.messages(*filed);
    ASSERT_TRUE(messages);
    ASSERT_EQ(messages->size(), 1u);
    ASSERT_EQ(messages->at(0).attachments.size(), 1u);
    auto attachment = tickets.attachment(messages->at(0).attachments[0].id);
    ASSERT_TRUE(attachment && *attachment);
    EXPECT_EQ((*attachment)->content, std::string("\0\x01\xff", 3));
    // One fetched mail is one ticket message: the database refuses a second.
    TicketMessageRecord twice = messages->at(0);
    twice.attachments.clear();
    EXPECT_FALSE(tickets.add_message(twice));
    EXPECT_EQ(tickets.messages(*filed)->size(), 1u);
    EXPECT_EQ(*tickets.ticket_of_message_ids({"nope", "1:1@customer.test"}), *filed);
    EXPECT_EQ(tickets.incoming_with_message_id("1:1@customer.test")->size(), 1u);
}

TEST_P(StoreTest, BackupsAreRetriedOrDeletedAndADeletedOneKeepsItsKey) {
    IncomingStore incoming(*m_db);
    auto id = add_mail(incoming, fetched_mail("2:5", "From: a\n\nx\n"), m_dir.path());
    ASSERT_TRUE(id && *id);
    const TimePoint at = *from_iso8601("2026-11-28T09:00:00Z");
    ASSERT_TRUE(incoming.start_attempt(0));
    ASSERT_TRUE(in_transaction(*m_db, "test", [&]() -> Result<void> {
        auto claimed = incoming.claim(**id);
        if (!claimed || !*claimed)
            return fail(Errc::internal, "nothing claimed");
        return incoming.mark_backup(**id, "cannot decrypt", at);
    }));
    auto backups = incoming.list(IncomingState::backup);
    ASSERT_TRUE(backups);
    ASSERT_EQ(backups->size(), 1u);
    EXPECT_EQ(backups->at(0).error, "cannot decrypt");
    EXPECT_EQ(backups->at(0).error_at, at);
    EXPECT_EQ(backups->at(0).attempts, 1);
    EXPECT_FALSE(backups->at(0).raw) << "listings carry no bytes";
    EXPECT_TRUE(*incoming.requeue_backup(**id));
    EXPECT_FALSE(*incoming.requeue_backup(**id)) << "it is no backup any more";
    ASSERT_TRUE(in_transaction(*m_db, "test", [&]() -> Result<void> {
        return incoming.mark_backup(**id, "still not", at);
    }));
    EXPECT_TRUE(*incoming.delete_backup(**id));
    auto deleted = incoming.get(**id);
    EXPECT_EQ((*deleted)->state, IncomingState::deleted);
    EXPECT_FALSE((*deleted)->raw);
    auto gone = incoming.read_raw(**id, [](std::string_view) -> Result<void> { return {}; });
    ASSERT_FALSE(gone) << "its bytes went";
    EXPECT_EQ(gone.error().code(), Errc::not_found);
    EXPECT_EQ(incoming.keys("support")->count("2:5"), 1u) << "so it is not fetched again";
    EXPECT_EQ(*incoming.count(IncomingState::backup), 0);
}

TEST_P(StoreTest, MailAccountsAndInstallationFacts) {
    AccountStore accounts(*m_db);
    AccountRecord r;
    r.name = "support";
    r.url = "imap://127.0.0.1:143/INBOX";
    r.user = "support@example.test";
    r.sealed_password = "c2VhbGVk";
    r.created_at = "2026-11-28T08:00:00Z";
    r.created_by = "test";
    ASSERT_TRUE(accounts.add(r));
    auto dup = accounts.add(r);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code(), Errc::rejected);
    auto listed = accounts.list();
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_FALSE(listed->at(0).sealed_password) << "listings carry no password";
    EXPECT_EQ((*accounts.get("support"))->sealed_password, "c2VhbGVk");
    ASSERT_TRUE(accounts.record_fetch("support", *from_iso8601("2026-11-28T09:00:00Z"), "refused"));
    EXPECT_EQ((*accounts.get("support"))->last_error, "refused");
    EXPECT_TRUE(*accounts.remove("support"));
    EXPECT_FALSE(*accounts.remove("support"));
    EXPECT_TRUE(*accounts.set_fact_once("local", "1"));
    EXPECT_FALSE(*accounts.set_fact_once("local", "2"));
    EXPECT_EQ(*accounts.fact("local"), "1");
}

TEST_P(StoreTest, AnInnerFailureRollsBackTheWholeTransaction) {
    TicketStore tickets(*m_db);
    auto outer = in_transaction(*m_db, "outer", [&]() -> Result<void> {
        EXPECT_TRUE(tickets.create("kept?", "a@b", std::nullopt, TimePoint{}));
        TicketMessageRecord orphan;  // ticket 0 does not exist: the insert fails inside
        orphan.ticket = 999999;
        orphan.direction = "in";
        orphan.to_json = orphan.cc_json = "[]";
        auto added = tickets.add_message(orphan);
        EXPECT_FALSE(added);
        return {};  // the caller ignores the failure and wants to commit
    });
    EXPECT_FALSE(outer) << "a commit after an inner rollback must not pretend to succeed";
    EXPECT_TRUE(tickets.list()->empty());
}

TEST_P(StoreTest, OnPostgresqlASecondNodeSkipsAMailBeingProcessed) {
    if (GetParam() != Backend::postgresql)
        GTEST_SKIP() << "SQLite has one writer at a time";
    IncomingStore incoming(*m_db);
    ASSERT_TRUE(add_mail(incoming, fetched_mail("3:1", "a"), m_dir.path()));
    ASSERT_TRUE(add_mail(incoming, fetched_mail("3:2", "b"), m_dir.path()));
    auto other = Database::open(m_url);
    ASSERT_TRUE(other);
    IncomingStore second(**other);
    auto first = incoming.start_attempt(0);
    ASSERT_TRUE(first && *first);
    Transaction first_tx(*m_db);
    auto one = incoming.claim((*first)->id);
    ASSERT_TRUE(one && *one);
    auto two = second.start_attempt(0);
    ASSERT_TRUE(two && *two) << (two ? "nothing" : two.error().message());
    EXPECT_NE((*one)->id, (**two).id) << "the locked mail is skipped, not waited for";
    auto claimed =
        in_transaction(**other, "second node", [&]() { return second.claim((**two).id); });
    ASSERT_TRUE(claimed && *claimed);
    first_tx.commit();
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::sqlite, Backend::postgresql),
                         [](const auto& info) {
                             return info.param == Backend::sqlite ? "sqlite" : "postgresql";
                         });

TEST(Database, RejectsUnknownUrlsAndReportsUnreachableServers) {
    auto unknown = Database::open("mysql://x");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code(), Errc::usage);
    auto down = Database::open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error().code(), Errc::io);
    EXPECT_NE(down.error().message().find("database error"), std::string::npos);
}

// Migration 6 (issue 10): trust anchors move into the certificates table as kind ca, so ids are
// unique across kinds; on SQLite the table is rebuilt, which must keep every other row's id,
// addresses and chain (foreign keys are on: a careless rebuild cascades them away).
TEST(Migration6, TrustAnchorsBecomeCertificatesOfKindCaAndOtherRowsKeepIdsAddressesAndChains) {
    TempDir dir;
    const std::string path = (dir.path() / "v5.db").string();
    {
        soci::session sql(soci::sqlite3, "db=\"" + path + "\"");
        sql << "PRAGMA foreign_keys = ON";
        sql << "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT "
               "NULL, applied_at TEXT NOT NULL)";
        for (const Migration& m : migrations()) {
            if (m.version > 5)
                break;
            for (std::string statement : m.statements) {
                for (auto at = statement.find("{ID}"); at != std::string::npos;
                     at = statement.find("{ID}"))
                    statement.replace(at, 4, "INTEGER PRIMARY KEY AUTOINCREMENT");
                sql << statement;
            }
            sql << "INSERT INTO schema_migrations VALUES (:v, 'old', '2026-01-01T00:00:00Z')",
                soci::use(m.version);
        }
        sql << "INSERT INTO certificates (id, kind, subject, issuer, serial, fingerprint_sha256, "
               "not_before, not_after, key_description, der_base64, sealed_private_key, source, "
               "created_at, created_by) VALUES (7, 'client', 'E=a@x.test', 'CN=CA', '0A', 'f7', "
               "'2020-01-01T00:00:00Z', '2040-01-01T00:00:00Z', 'RSA 2048', 'QUJD', NULL, "
               "'file', '2026-01-01T00:00:00Z', 'test')";
        sql << "INSERT INTO certificate_addresses VALUES (7, 'a@x.test')";
        sql << "INSERT INTO certificate_chain VALUES (7, 0, 'REVG')";
        sql << "INSERT INTO trust_anchors (subject, fingerprint_sha256, not_after, der_base64, "
               "created_at, created_by) VALUES ('CN=Root', 'ca1', '2040-01-01T00:00:00Z', "
               "'R0hJ', '2026-01-02T00:00:00Z', 'admin')";
    }
    auto db = Database::open(path);
    ASSERT_TRUE(db) << db.error().message();
    EXPECT_EQ((*db)->schema_version(), static_cast<int>(migrations().size()));
    CertificateStore store(**db);
    auto cas = store.list(CertificateKind::ca);
    ASSERT_TRUE(cas);
    ASSERT_EQ(cas->size(), 1u);
    EXPECT_EQ(cas->at(0).subject, "CN=Root");
    EXPECT_EQ(cas->at(0).fingerprint_sha256, "ca1");
    EXPECT_EQ(cas->at(0).der, "GHI");
    EXPECT_EQ(cas->at(0).created_by, "admin");
    EXPECT_GT(cas->at(0).id, 7);
    auto client = store.get(7);
    ASSERT_TRUE(client && *client);
    EXPECT_EQ((*client)->kind, CertificateKind::client);
    EXPECT_EQ((*client)->addresses, std::vector<std::string>{"a@x.test"});
    EXPECT_EQ(*store.chain(7), std::vector<std::string>{"DEF"});
    auto found = store.find_by_address(CertificateKind::client, "a@x.test");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->size(), 1u);
    // New rows continue after the moved ones; a removal still takes the children with it.
    CertificateRecord r;
    r.kind = CertificateKind::client;
    r.fingerprint_sha256 = "new";
    r.addresses = {"b@x.test"};
    auto id = store.insert(r, {}, std::nullopt);
    ASSERT_TRUE(id) << id.error().message();
    EXPECT_GT(*id, cas->at(0).id);
    ASSERT_TRUE(store.remove(7));
    EXPECT_TRUE(store.find_by_address(CertificateKind::client, "a@x.test")->empty());
}

// Migration 8 (issue 10): blob_chunks is rebuilt on SQLite to take outbox owners; chunks
// stored before stay readable, and so does an outbox copy whose bytes are in its row.
TEST(Migration8, ChunksFromBeforeStayAndAnOldOutboxCopyIsStillDelivered) {
    TempDir dir;
    const std::string path = (dir.path() / "v7.db").string();
    {
        soci::session sql(soci::sqlite3, "db=\"" + path + "\"");
        sql << "PRAGMA foreign_keys = ON";
        sql << "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT "
               "NULL, applied_at TEXT NOT NULL)";
        for (const Migration& m : migrations()) {
            if (m.version > 7)
                break;
            for (std::string statement : m.statements) {
                for (auto at = statement.find("{ID}"); at != std::string::npos;
                     at = statement.find("{ID}"))
                    statement.replace(at, 4, "INTEGER PRIMARY KEY AUTOINCREMENT");
                if (statement.starts_with("{POSTGRESQL}"))
                    continue;
                if (statement.starts_with("{SQLITE}"))
                    statement.erase(0, 8);
                sql << statement;
            }
            sql << "INSERT INTO schema_migrations VALUES (:v, 'old', '2026-01-01T00:00:00Z')",
                soci::use(m.version);
        }
        sql << "INSERT INTO blob_chunks VALUES ('attachment', 4, 0, 'QUJD')";
        sql << "INSERT INTO outbox (id, mail_id, state, envelope_from, recipients, subject, "
               "encrypted, payload_base64, plain_base64, report, attempts, next_attempt_at, "
               "created_at, expires_at) VALUES (9, 'm9@example.test', 'queued', "
               "'support@example.test', 'a@customer.test', 'Old', 0, 'T2xkIG1haWw=', NULL, '{}', "
               "0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-03T00:00:00Z')";
    }
    auto db = Database::open(path);
    ASSERT_TRUE(db) << db.error().message();
    EXPECT_EQ((*db)->schema_version(), static_cast<int>(migrations().size()));
    ChunkedBytes chunks(**db);
    std::string read;
    auto old = chunks.read(ChunkOwner::attachment, 4, [&](std::string_view bytes) -> Result<void> {
        read += bytes;
        return {};
    });
    ASSERT_TRUE(old && *old);
    EXPECT_EQ(read, "ABC");
    OutboxStore outbox(**db);
    auto claimed =
        outbox.claim(*from_iso8601("2026-01-01T00:00:01Z"), std::chrono::seconds(60), false);
    ASSERT_TRUE(claimed && *claimed);
    EXPECT_EQ((*claimed)->id, 9);
    const auto out = dir.path() / "out";
    auto written = outbox.payload_to_file(9, out);
    ASSERT_TRUE(written && *written);
    std::ifstream in(out, std::ios::binary);
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
              "Old mail");
    auto plain = outbox.plain_to_file(9, out);
    ASSERT_TRUE(plain);
    EXPECT_FALSE(*plain);
    // The widened CHECK takes the new owners and still refuses unknown ones.
    ASSERT_TRUE(chunks.write(ChunkOwner::outbox_plain, 9, "plain"));
    EXPECT_THROW((**db).session() << "INSERT INTO blob_chunks VALUES ('other', 1, 0, '')",
                 soci::soci_error);
}

}  // namespace
}  // namespace casecrypt::store
