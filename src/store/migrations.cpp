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
        {4,
         "mail accounts, incoming mail and email backups, tickets",
         {
             // `sealed_password` is base64 of the KeyVault's seal, bound to the account name.
             R"(CREATE TABLE mail_accounts (
                 id {ID},
                 name TEXT NOT NULL UNIQUE,
                 url TEXT NOT NULL,
                 username TEXT NOT NULL,
                 sealed_password TEXT,
                 created_at TEXT NOT NULL,
                 created_by TEXT NOT NULL,
                 last_fetch_at TEXT,
                 last_error TEXT))",
             // Facts about the installation itself (e.g. that the `local` account was made
             // once, so removing it sticks).
             R"(CREATE TABLE installation_facts (
                 name TEXT PRIMARY KEY,
                 value TEXT NOT NULL))",
             // Every fetched mail, raw, stored before anything else happens to it; unique per
             // source message, which is what makes "fetched once" hold. state: new (to be
             // processed), filed (in a ticket), backup (an email backup: see error), deleted (a
             // backup the admin deleted: the key stays so the mail is not fetched again).
             R"(CREATE TABLE incoming (
                 id {ID},
                 account TEXT NOT NULL,
                 source_key TEXT NOT NULL,
                 state TEXT NOT NULL CHECK (state IN ('new', 'filed', 'backup', 'deleted')),
                 raw_base64 TEXT,
                 size BIGINT NOT NULL,
                 subject TEXT NOT NULL,
                 from_address TEXT NOT NULL,
                 message_id TEXT NOT NULL,
                 received_at TEXT NOT NULL,
                 attempts INTEGER NOT NULL,
                 error TEXT,
                 error_at TEXT,
                 done_on_server INTEGER NOT NULL,
                 UNIQUE (account, source_key)))",
             "CREATE INDEX incoming_by_state ON incoming (state, id)",
             R"(CREATE TABLE tickets (
                 id {ID},
                 subject TEXT NOT NULL,
                 status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
                 customer TEXT NOT NULL,
                 linked_ticket BIGINT REFERENCES tickets (id),
                 created_at TEXT NOT NULL,
                 updated_at TEXT NOT NULL))",
             // One row per mail in a ticket's history. `incoming_id` is unique: one fetched mail
             // is one ticket message, whatever crashes and retries happen. Addresses are JSON
             // arrays; encryption, signature and report JSON objects (or NULL).
             R"(CREATE TABLE ticket_messages (
                 id {ID},
                 ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                 direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
                 incoming_id BIGINT UNIQUE REFERENCES incoming (id),
                 message_id TEXT NOT NULL,
                 from_address TEXT NOT NULL,
                 to_addresses TEXT NOT NULL,
                 cc_addresses TEXT NOT NULL,
                 subject TEXT NOT NULL,
                 sent_at TEXT NOT NULL,
                 body_text TEXT,
                 body_html TEXT,
                 encrypted INTEGER NOT NULL,
                 encryption TEXT,
                 signature TEXT,
                 report TEXT,
                 created_at TEXT NOT NULL))",
             "CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket_id, id)",
             "CREATE INDEX ticket_messages_by_message_id ON ticket_messages (message_id)",
             R"(CREATE TABLE ticket_attachments (
                 id {ID},
                 message_id BIGINT NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
                 position INTEGER NOT NULL,
                 name TEXT NOT NULL,
                 content_type TEXT NOT NULL,
                 size BIGINT NOT NULL,
                 content_id TEXT NOT NULL,
                 is_inline INTEGER NOT NULL,
                 content_base64 TEXT NOT NULL))",
             "CREATE INDEX ticket_attachments_by_message ON ticket_attachments (message_id)",
         }},
        {5,
         "ticket messages remember a digest of their content",
         {
             // With the Message-ID it tells a second copy of a mail (not filed twice) from a
             // different mail that reuses a Message-ID (filed, never hidden).
             "ALTER TABLE ticket_messages ADD COLUMN content_digest TEXT",
         }},
        {6,
         "trust anchors become certificates of kind ca, so one id names one certificate",
         {
             // `cert remove ID` must never act on the wrong kind: with trust anchors in their
             // own table, id 3 could be a client certificate and a CA at once. The kind CHECK
             // cannot be altered in SQLite, so the table is rebuilt there (children first:
             // foreign keys are on, and dropping a parent would cascade to them); PostgreSQL
             // replaces the constraint. A CA keeps no addresses: it never encrypts.
             R"({SQLITE}CREATE TABLE certificates_v6 (
                 id {ID},
                 kind TEXT NOT NULL CHECK (kind IN ('server', 'client', 'ca')),
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
             R"({SQLITE}INSERT INTO certificates_v6 SELECT id, kind, subject, issuer, serial,
                 fingerprint_sha256, not_before, not_after, key_description, der_base64,
                 sealed_private_key, source, created_at, created_by FROM certificates)",
             R"({SQLITE}CREATE TABLE certificate_addresses_v6 (
                 certificate_id BIGINT NOT NULL REFERENCES certificates_v6 (id) ON DELETE CASCADE,
                 address TEXT NOT NULL,
                 PRIMARY KEY (certificate_id, address)))",
             "{SQLITE}INSERT INTO certificate_addresses_v6 SELECT certificate_id, address FROM "
             "certificate_addresses",
             R"({SQLITE}CREATE TABLE certificate_chain_v6 (
                 certificate_id BIGINT NOT NULL REFERENCES certificates_v6 (id) ON DELETE CASCADE,
                 position INTEGER NOT NULL,
                 der_base64 TEXT NOT NULL,
                 PRIMARY KEY (certificate_id, position)))",
             "{SQLITE}INSERT INTO certificate_chain_v6 SELECT certificate_id, position, der_base64 "
             "FROM certificate_chain",
             "{SQLITE}DROP TABLE certificate_addresses",
             "{SQLITE}DROP TABLE certificate_chain",
             "{SQLITE}DROP TABLE certificates",
             // SQLite rewrites the children's REFERENCES to the new name.
             "{SQLITE}ALTER TABLE certificates_v6 RENAME TO certificates",
             "{SQLITE}ALTER TABLE certificate_addresses_v6 RENAME TO certificate_addresses",
             "{SQLITE}ALTER TABLE certificate_chain_v6 RENAME TO certificate_chain",
             "{SQLITE}CREATE INDEX certificate_addresses_by_address ON certificate_addresses "
             "(address)",
             "{POSTGRESQL}ALTER TABLE certificates DROP CONSTRAINT certificates_kind_check",
             "{POSTGRESQL}ALTER TABLE certificates ADD CONSTRAINT certificates_kind_check CHECK "
             "(kind IN ('server', 'client', 'ca'))",
             // The old table kept no issuer, serial or start date: they stay empty here and the
             // services read them from the DER.
             R"(INSERT INTO certificates (kind, subject, issuer, serial, fingerprint_sha256,
                 not_before, not_after, key_description, der_base64, sealed_private_key, source,
                 created_at, created_by)
                 SELECT 'ca', subject, '', '', fingerprint_sha256, '', not_after, '', der_base64,
                 NULL, 'file', created_at, created_by FROM trust_anchors ORDER BY id)",
             "DROP TABLE trust_anchors",
         }},
        {7,
         "fetched mail and attachments stored in chunks",
         {
             // Large bytes move a chunk at a time (store/chunked_bytes.h): a fetched mail
             // (owner 'incoming', its id; incoming.raw_base64 stays NULL) and a received
             // attachment (owner 'attachment'; ticket_attachments.content_base64 stays '').
             // Rows from before keep their bytes in those columns.
             R"(CREATE TABLE blob_chunks (
                 owner TEXT NOT NULL CHECK (owner IN ('incoming', 'attachment')),
                 owner_id BIGINT NOT NULL,
                 seq INTEGER NOT NULL,
                 data_base64 TEXT NOT NULL,
                 PRIMARY KEY (owner, owner_id, seq)))",
         }},
        {8,
         "outbox copies stored in chunks",
         {
             // An outbox copy's bytes to send (owner 'outbox_payload', the outbox id) and its kept
             // plain message ('outbox_plain') move into blob_chunks: while they shared the row
             // with the state, SQLite loaded the whole copy on every UPDATE of it (claim, mark
             // sent) and PostgreSQL bound it whole. outbox.payload_base64 and plain_base64 stay
             // NULL for new copies; copies from before keep their bytes there and are read from
             // there. The owner CHECK cannot be altered in SQLite, so the table is rebuilt there
             // (nothing references it); PostgreSQL replaces the constraint.
             R"({SQLITE}CREATE TABLE blob_chunks_v8 (
                 owner TEXT NOT NULL CHECK (owner IN ('incoming', 'attachment', 'outbox_payload',
                                                      'outbox_plain')),
                 owner_id BIGINT NOT NULL,
                 seq INTEGER NOT NULL,
                 data_base64 TEXT NOT NULL,
                 PRIMARY KEY (owner, owner_id, seq)))",
             "{SQLITE}INSERT INTO blob_chunks_v8 SELECT owner, owner_id, seq, data_base64 FROM "
             "blob_chunks",
             "{SQLITE}DROP TABLE blob_chunks",
             "{SQLITE}ALTER TABLE blob_chunks_v8 RENAME TO blob_chunks",
             "{POSTGRESQL}ALTER TABLE blob_chunks DROP CONSTRAINT blob_chunks_owner_check",
             "{POSTGRESQL}ALTER TABLE blob_chunks ADD CONSTRAINT blob_chunks_owner_check CHECK "
             "(owner IN ('incoming', 'attachment', 'outbox_payload', 'outbox_plain'))",
         }},
        {9,
         "users, sessions, failed logins and page customizations for the web edge",
         {
             // A session row keeps the SHA-256 of the cookie's token, never the token; its CSRF
             // token is derived from the token (services/sessions.h), so a copy of the database
             // logs nobody in and can forge no write.
             R"(CREATE TABLE users (
                 login TEXT PRIMARY KEY,
                 role TEXT NOT NULL CHECK (role IN ('admin', 'engineer')),
                 password_hash TEXT NOT NULL,
                 must_change_password INTEGER NOT NULL,
                 created_at TEXT NOT NULL,
                 created_by TEXT NOT NULL,
                 last_login_at TEXT))",
             R"(CREATE TABLE sessions (
                 token_sha256 TEXT PRIMARY KEY,
                 login TEXT NOT NULL REFERENCES users (login) ON DELETE CASCADE,
                 created_at TEXT NOT NULL,
                 expires_at TEXT NOT NULL))",
             "CREATE INDEX sessions_by_login ON sessions (login)",
             R"(CREATE TABLE login_failures (
                 id {ID},
                 login TEXT NOT NULL,
                 client TEXT NOT NULL,
                 at TEXT NOT NULL))",
             "CREATE INDEX login_failures_by_login ON login_failures (login, at)",
             "CREATE INDEX login_failures_by_client ON login_failures (client, at)",
             R"(CREATE TABLE page_customizations (
                 type TEXT NOT NULL,
                 name TEXT NOT NULL,
                 value TEXT NOT NULL,
                 updated_at TEXT NOT NULL,
                 updated_by TEXT NOT NULL,
                 PRIMARY KEY (type, name)))",
         }},
        {10,
         "workflows: the scripts, their runs, the events waiting for them, and ticket notes",
         {
             R"(CREATE TABLE workflows (
                 id {ID},
                 name TEXT NOT NULL UNIQUE,
                 event TEXT NOT NULL CHECK (event IN ('ticket-created', 'email-received',
                     'ticket-closed', 'ticket-reopened', 'timer')),
                 every_minutes INTEGER,
                 enabled INTEGER NOT NULL,
                 script TEXT NOT NULL,
                 created_at TEXT NOT NULL,
                 updated_at TEXT NOT NULL,
                 updated_by TEXT NOT NULL,
                 next_run_at TEXT))",
             "CREATE INDEX workflows_by_event ON workflows (event, enabled)",
             R"(CREATE TABLE workflow_runs (
                 id {ID},
                 workflow_id BIGINT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
                 workflow TEXT NOT NULL,
                 event TEXT NOT NULL,
                 ticket_id BIGINT,
                 started_at TEXT NOT NULL,
                 finished_at TEXT,
                 outcome TEXT NOT NULL,
                 error TEXT NOT NULL,
                 line INTEGER,
                 log TEXT NOT NULL,
                 mails INTEGER NOT NULL,
                 dry_run INTEGER NOT NULL,
                 actor TEXT NOT NULL))",
             "CREATE INDEX workflow_runs_by_workflow ON workflow_runs (workflow_id, id)",
             // An event waits here from the commit of what caused it until one process takes
             // it (services/workflows.h).
             R"(CREATE TABLE workflow_events (
                 id {ID},
                 event TEXT NOT NULL,
                 ticket_id BIGINT NOT NULL,
                 ticket_message_id BIGINT,
                 depth INTEGER NOT NULL,
                 created_at TEXT NOT NULL))",
             R"(CREATE TABLE ticket_notes (
                 id {ID},
                 ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                 created_at TEXT NOT NULL,
                 author TEXT NOT NULL,
                 text TEXT NOT NULL))",
             "CREATE INDEX ticket_notes_by_ticket ON ticket_notes (ticket_id, id)",
         }},
    };
    return all;
}

}  // namespace casecrypt::store
