// The schema, as an ordered list of migrations. A migration is never edited once released:
// changes come as a new migration at the end. "{ID}" in a statement becomes the backend's
// auto-increment primary key. A statement that starts with "{SQLITE}" or "{POSTGRESQL}" runs only
// on that backend (for what the two spell differently, such as altering a constraint).
#pragma once

#include <string>
#include <vector>

namespace casecrypt::store {

struct Migration {
    int version;
    std::string description;
    std::vector<std::string> statements;
};

const std::vector<Migration>& migrations();

}  // namespace casecrypt::store
