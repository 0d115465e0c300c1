#include "store/migrations.h"

namespace casecrypt::store {

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> all = {
        {1,
         "certificates, properties, audit log",
         {
             // Binary values (DER, sealed keys) are base64 text: identical in both backends.
             R"(CREATE TABLE certificates (
                 id {ID},
                 kind TEXT NOT NULL CHECK (kind IN ('server', 'client')),
                 subject TEXT NOT NULL,
                 issuer TEXT NOT NULL,
                 serial TEXT NOT NULL,
                 fingerprint_sha256 TEXT NOT NULL,
                 not_before TEXT NOT NULL,
                 not_after TEXT NOT NULL,
                 key_description TEXT NOT NULL,
                 der_base64 TEXT NOT NULL,
                 sealed_private_key TEXT,
                 source TEXT NOT NULL CHECK (source IN ('file', 'ldap', 'harvested')),
                 created_at TEXT NOT NULL,
                 created_by TEXT NOT NULL,
                 UNIQUE (kind, fingerprint_sha256)))",
             R"(CREATE TABLE certificate_addresses (
                 certificate_id BIGINT NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
                 address TEXT NOT NULL,
                 PRIMARY KEY (certificate_id, address)))",
             "CREATE INDEX certificate_addresses_by_address ON certificate_addresses (address)",
             R"(CREATE TABLE certificate_chain (
                 certificate_id BIGINT NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
                 position INTEGER NOT NULL,
                 der_base64 TEXT NOT NULL,
                 PRIMARY KEY (certificate_id, position)))",
             R"(CREATE TABLE properties (
                 module TEXT NOT NULL,
                 name TEXT NOT NULL,
                 type TEXT NOT NULL,
                 default_value TEXT NOT NULL,
                 description TEXT NOT NULL,
                 value TEXT,
                 updated_at TEXT,
                 updated_by TEXT,
                 PRIMARY KEY (module, name)))",
             R"(CREATE TABLE audit_log (
                 id {ID},
                 at TEXT NOT NULL,
                 actor TEXT NOT NULL,
                 action TEXT NOT NULL,
                 detail TEXT NOT NULL))",
         }},
        {2,
         "trust anchors for S/MIME signature verification",
         {
             R"(CREATE TABLE trust_anchors (
                 id {ID},
                 subject TEXT NOT NULL,
                 fingerprint_sha256 TEXT NOT NULL UNIQUE,
                 not_after TEXT NOT NULL,
                 der_base64 TEXT NOT NULL,
                 created_at TEXT NOT NULL,
                 created_by TEXT NOT NULL))",
         }},
        {3,
         "outbox, LDAP misses",
         {
             // One row per copy that goes out (the To/Cc copy, one per Bcc recipient of an
             // encrypted mail). `plain_base64` is kept only while the copy cannot go out yet
             // (state rejected); `payload_base64` is what is sent.
             R"(CREATE TABLE outbox (
                 id {ID},
                 mail_id TEXT NOT NULL,
                 state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed',
                                                      'rejected')),
                 envelope_from TEXT NOT NULL,
                 recipients TEXT NOT NULL,
                 subject TEXT NOT NULL,
                 encrypted INTEGER NOT NULL,
                 payload_base64 TEXT,
                 plain_base64 TEXT,
                 report TEXT NOT NULL,
                 attempts INTEGER NOT NULL,
                 next_attempt_at TEXT NOT NULL,
                 lease_until TEXT,
                 last_error TEXT,
                 created_at TEXT NOT NULL,
                 expires_at TEXT NOT NULL,
                 sent_at TEXT))",
             "CREATE INDEX outbox_due ON outbox (state, next_attempt_at)",
             R"(CREATE TABLE ldap_misses (
                 address TEXT PRIMARY KEY,
                 until_at TEXT NOT NULL))",
         }},
    };
    return all;
}

}  // namespace casecrypt::store
