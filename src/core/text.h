// Small text helpers used across modules: ASCII lower-casing (addresses, header names, MIME
// types are case-insensitive in ASCII only), joining and splitting comma lists. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace casecrypt {

std::string to_lower_ascii(std::string_view text);

std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Splits on commas, trims spaces and tabs around each item, drops empty items.
std::vector<std::string> split_list(std::string_view text);

}  // namespace casecrypt
