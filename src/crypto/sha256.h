// Sha256: a streaming SHA-256 for content digests (e.g. what tells two copies of one received
// mail from two mails that share a Message-ID). Not a MAC and not for secrets. Not thread-safe;
// cheap to create.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace casecrypt::crypto {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;

    Sha256& update(std::string_view bytes);
    // A field of a structured value: its length first, so ("ab", "c") and ("a", "bc") differ.
    Sha256& field(std::string_view bytes);
    // Lower-case hex; the object is spent afterwards.
    std::string hex();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace casecrypt::crypto
