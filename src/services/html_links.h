// The link targets of a received mail's sanitised HTML, for the pages to list under the
// sandboxed view (a click there goes nowhere; the page shows each target and opens it only on
// a click). A linear scan of our own sanitiser's output (attributes in double quotes, entities
// escaped): no std::regex, whose recursion overflowed the stack on long input (DESIGN.md).
// Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace casecrypt::services {

// Each href of an <a> element once, in document order, entities decoded; at most `limit`.
std::vector<std::string> links_in_html(std::string_view html, std::size_t limit = 200);

}  // namespace casecrypt::services
