#include "services/master_key.h"

#include "services/mail_accounts.h"
#include "services/properties.h"
#include "store/sealed_data_store.h"

namespace casecrypt::services {
namespace {

// Enough to tell a wrong key from one damaged value, cheap however much is sealed.
constexpr int kSamplesPerKind = 3;

std::string plural(long long n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "2 server private keys and 1 mail account password"
std::string describe(const store::SealedData& data) {
    std::vector<std::string> parts;
    if (data.server_keys > 0) {
        parts.push_back(plural(data.server_keys, "server private key", "server private keys"));
    }
    if (data.account_passwords > 0) {
        parts.push_back(
            plural(data.account_passwords, "mail account password", "mail account passwords"));
    }
    if (data.secret_properties > 0) {
        parts.push_back(plural(data.secret_properties, "secret property", "secret properties"));
    }
    std::string text;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        text += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
    }
    return text;
}

std::string associated_data(const store::SealedSample& sample) {
    switch (sample.kind) {
        case store::SealedKind::server_key:
            return sample.owner;
        case store::SealedKind::account_password:
            return account_sealing_context(sample.owner);
        case store::SealedKind::secret_property: {
            const auto slash = sample.owner.find('/');
            return property_sealing_context(sample.owner.substr(0, slash),
                                            sample.owner.substr(slash + 1));
        }
    }
    return sample.owner;
}

bool opens_any(const crypto::KeyVault& vault, const store::SealedData& data) {
    for (const auto& sample : data.samples) {
        if (vault.unseal(sample.sealed, associated_data(sample)))
            return true;
    }
    return false;
}

Error missing_key(const std::filesystem::path& key_file, const store::SealedData& data) {
    const std::string what =
        data.total() > 0 ? "the database holds " + describe(data) +
                               " sealed under it; a new key would not "
                               "open them"
                         : "the database belongs to a master key (its check value is stored)";
    return Error(Errc::io, "the master key file " + key_file.string() + " is missing, but " + what +
                               ". Restore that file (or point CASECRYPT_MASTER_KEY_FILE "
                               "at it); no new key is made for this database");
}

Error wrong_key(const std::filesystem::path& key_file, const std::string& why) {
    return Error(Errc::io, "the master key " + key_file.string() +
                               " is not this database's master key (" + why +
                               "); use the file the sealed data was made with");
}

}  // namespace

Result<crypto::KeyVault> open_master_key(const std::filesystem::path& key_file,
                                         store::Database& database) {
    store::SealedDataStore store(database);
    auto check = store.check_value();
    if (!check)
        return std::unexpected(check.error());
    auto sealed = store.survey(kSamplesPerKind);
    if (!sealed)
        return std::unexpected(sealed.error());

    std::error_code ec;
    if (!std::filesystem::exists(key_file, ec)) {
        if (ec) {
            return fail(Errc::io, "cannot look for the master key " + key_file.string() + ": " +
                                      ec.message());
        }
        if (*check || sealed->total() > 0)
            return std::unexpected(missing_key(key_file, *sealed));
        if (auto created = crypto::KeyVault::create(key_file); !created) {
            return std::unexpected(created.error());
        }
    }
    auto vault = crypto::KeyVault::open(key_file);
    if (!vault)
        return std::unexpected(vault.error());

    if (*check) {
        if (!vault->matches_check_value(**check)) {
            return std::unexpected(
                wrong_key(key_file, "its check value differs from the one stored"));
        }
    } else {
        if (sealed->total() > 0 && !opens_any(*vault, *sealed)) {
            return std::unexpected(
                wrong_key(key_file,
                          "it opens none of the sealed values tried; the database "
                          "holds " +
                              describe(*sealed)));
        }
        auto value = vault->check_value();
        if (!value)
            return std::unexpected(value.error());
        auto written = store.set_check_value_once(*value);
        if (!written)
            return std::unexpected(written.error());
        if (!*written) {
            // Another process opened the database first, with its key: it must be this one.
            auto stored = store.check_value();
            if (!stored)
                return std::unexpected(stored.error());
            if (!*stored || !vault->matches_check_value(**stored)) {
                return std::unexpected(
                    wrong_key(key_file, "its check value differs from the one stored"));
            }
        }
    }
    vault->mark_checked();
    return std::move(*vault);
}

}  // namespace casecrypt::services
