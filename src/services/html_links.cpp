#include "services/html_links.h"

#include <algorithm>
#include <utility>

namespace casecrypt::services {
namespace {

bool starts_with_icase(std::string_view text, std::size_t at, std::string_view prefix) {
    if (text.size() - at < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[at + i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i])
            return false;
    }
    return true;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

std::string decode_entities(std::string_view value) {
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&quot;", '"'}, {"&#39;", '\''}, {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}};
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size();) {
        bool decoded = false;
        if (value[i] == '&') {
            for (const auto& [entity, c] : kEntities) {
                if (value.substr(i, entity.size()) == entity) {
                    out.push_back(c);
                    i += entity.size();
                    decoded = true;
                    break;
                }
            }
        }
        if (!decoded)
            out.push_back(value[i++]);
    }
    return out;
}

}  // namespace

std::vector<std::string> links_in_html(std::string_view html, std::size_t limit) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (out.size() < limit && (at = html.find('<', at)) != std::string_view::npos) {
        ++at;
        if (!starts_with_icase(html, at, "a") || at + 1 >= html.size() || !is_space(html[at + 1]))
            continue;
        const std::size_t end = html.find('>', at);
        if (end == std::string_view::npos)
            break;
        const std::string_view tag = html.substr(at + 1, end - at - 1);
        for (std::size_t p = 0; p < tag.size(); ++p) {
            // An attribute name begins after white space; a quoted value is skipped whole.
            if (tag[p] == '"') {
                const std::size_t close = tag.find('"', p + 1);
                if (close == std::string_view::npos)
                    break;
                p = close;
                continue;
            }
            if (!is_space(tag[p]) || !starts_with_icase(tag, p + 1, "href=\""))
                continue;
            const std::size_t begin = p + 1 + 6;
            const std::size_t close = tag.find('"', begin);
            if (close == std::string_view::npos)
                break;
            std::string target = decode_entities(tag.substr(begin, close - begin));
            if (std::find(out.begin(), out.end(), target) == out.end())
                out.push_back(std::move(target));
            break;
        }
        at = end + 1;
    }
    return out;
}

}  // namespace casecrypt::services
