// open_master_key: the master key for one database, and the rule that keeps every sealed value
// under one key (DESIGN.md, "Data"; docs/certificates.md, "The master key").
//
// - A key file is made only for a database that holds nothing sealed and no check value: a
//   missing file for a database with sealed data (or with a check value) is Errc::io naming the
//   file, and no file is made; a new key would seal new values under another key than the old
//   ones, after which no single key opens everything.
// - The key's check value (crypto::KeyVault::check_value) is kept in the database. A key whose
//   check value differs is Errc::io (a wrong key is a setup failure, exit 1), before anything
//   is unsealed or sealed with it.
// - A database from before check values: the key must open one of the sealed values (the first
//   few of each kind are tried), or it is the same error; then its check value is written. So
//   is it when nothing is sealed yet.
#pragma once

#include <filesystem>

#include "core/error.h"
#include "crypto/key_vault.h"
#include "store/database.h"

namespace casecrypt::services {

Result<crypto::KeyVault> open_master_key(const std::filesystem::path& key_file,
                                         store::Database& database);

}  // namespace casecrypt::services
