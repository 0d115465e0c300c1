// sanitize_html (declared in message_parser.h): libxml2's HTML parser builds the tree the way a
// browser would from broken markup, and a whitelist walk writes back only what is known to be
// harmless. The output is our own serialisation (every text and attribute value escaped, only
// whitelisted tag and attribute names), never the input bytes, so markup the parser and a
// browser would read differently cannot slip through.
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/text.h"
#include "mime/charset.h"
#include "mime/message_parser.h"

namespace casecrypt::mime {
namespace {

// Owning handles for libxml2 (STYLE.md rule 4); only this file includes libxml2.
struct XmlDocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocFree>;
struct XmlCharFree {
    void operator()(xmlChar* text) const { xmlFree(text); }
};
using XmlCharPtr = std::unique_ptr<xmlChar, XmlCharFree>;

// Formatting elements that are kept (with the attributes below).
constexpr std::string_view kKeptElements[] = {
    "a",     "abbr",  "b",   "big",   "blockquote", "br",    "caption", "center", "cite", "code",
    "dd",    "del",   "div", "dl",    "dt",         "em",    "font",    "h1",     "h2",   "h3",
    "h4",    "h5",    "h6",  "hr",    "i",          "img",   "ins",     "kbd",    "li",   "ol",
    "p",     "pre",   "q",   "s",     "small",      "span",  "strike",  "strong", "sub",  "sup",
    "table", "tbody", "td",  "tfoot", "th",         "thead", "tr",      "tt",     "u",    "ul"};
// Void elements (HTML5) have no content. libxml2 2.9 only knows the HTML 4 ones and nests what
// follows an <embed>, <source>, <track>, <wbr> or <keygen> inside it; a browser keeps that as
// siblings, so the children of a void element are always walked, never dropped with it.
constexpr std::string_view kVoidElements[] = {"area", "base",  "br",     "col",    "embed",
                                              "hr",   "img",   "input",  "keygen", "link",
                                              "meta", "param", "source", "track",  "wbr"};
// Elements that go with everything inside them: active content, forms, document-level
// elements, foreign content (svg, math) and raw-text containers whose text is not for reading.
constexpr std::string_view kDroppedElements[] = {
    "applet",   "audio",    "base",     "button",   "canvas", "embed",    "form",
    "frame",    "frameset", "head",     "iframe",   "input",  "link",     "math",
    "meta",     "noembed",  "noframes", "noscript", "object", "optgroup", "option",
    "param",    "script",   "select",   "source",   "style",  "svg",      "template",
    "textarea", "title",    "track",    "video",    "xml"};
// Attributes kept on any kept element; none of them holds a URL or script.
constexpr std::string_view kKeptAttributes[] = {
    "align",   "alt",     "bgcolor", "border", "cellpadding", "cellspacing",
    "color",   "colspan", "dir",     "face",   "height",      "lang",
    "rowspan", "size",    "title",   "valign", "width"};

template <std::size_t N>
bool among(const std::string_view (&list)[N], std::string_view name) {
    return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

std::string_view name_of(const xmlChar* name) {
    return name != nullptr ? std::string_view(reinterpret_cast<const char*>(name))
                           : std::string_view();
}

void append_escaped(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
}

// A URL as a browser reads it (URL Standard: tab, CR and LF removed everywhere, C0 controls and
// spaces trimmed at both ends), or nothing when another control character is left inside.
// Entities are already decoded by the parser, so "jAvA&#x09;script:" arrives as "jAvA\tscript:".
std::optional<std::string> clean_url(std::string_view value) {
    std::string url;
    for (char c : value) {
        if (c != '\t' && c != '\n' && c != '\r')
            url += c;
    }
    auto is_space_or_control = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
    const auto first = std::find_if_not(url.begin(), url.end(), is_space_or_control);
    const auto last = std::find_if_not(url.rbegin(), url.rend(), is_space_or_control).base();
    url = first < last ? std::string(first, last) : std::string();
    if (std::any_of(url.begin(), url.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
        return std::nullopt;
    }
    return url;
}

bool scheme_is_one_of(const std::string& url, std::initializer_list<std::string_view> prefixes) {
    const std::string folded = to_lower_ascii(url.substr(0, 32));
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](std::string_view prefix) { return folded.starts_with(prefix); });
}

std::optional<std::string> attribute(xmlNode* node, const char* name) {
    XmlCharPtr value(xmlGetProp(node, reinterpret_cast<const xmlChar*>(name)));
    if (!value)
        return std::nullopt;
    return std::string(reinterpret_cast<const char*>(value.get()));
}

// Links keep http, https and mailto; anything else (javascript:, data:, relative) is dropped.
std::optional<std::string> safe_href(xmlNode* node) {
    const auto value = attribute(node, "href");
    auto url = value ? clean_url(*value) : std::nullopt;
    if (!url || !scheme_is_one_of(*url, {"http://", "https://", "mailto:"}))
        return std::nullopt;
    return url;
}

// Images keep cid: (the message's own parts) and inline raster data; remote images are dropped
// so that opening a ticket does not tell the sender (tracking pixels).
std::optional<std::string> safe_src(xmlNode* node) {
    const auto value = attribute(node, "src");
    auto url = value ? clean_url(*value) : std::nullopt;
    if (!url || !scheme_is_one_of(*url, {"cid:", "data:image/png;base64,", "data:image/gif;base64,",
                                         "data:image/jpeg;base64,", "data:image/webp;base64,"})) {
        return std::nullopt;
    }
    return url;
}

enum class Treatment { keep, unwrap, drop };

Treatment treatment(xmlNode* node) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
        return Treatment::keep;
    if (node->type != XML_ELEMENT_NODE)
        return Treatment::drop;  // comments, PIs, DTD
    const std::string name = to_lower_ascii(name_of(node->name));
    const bool is_void = among(kVoidElements, name);
    if (among(kDroppedElements, name))
        return is_void ? Treatment::unwrap : Treatment::drop;
    if (!among(kKeptElements, name))
        return Treatment::unwrap;
    if (name == "a" && !safe_href(node))
        return Treatment::unwrap;  // the link text stays
    if (name == "img" && !safe_src(node))
        return Treatment::unwrap;  // void: nothing is shown
    return Treatment::keep;
}

void open_tag(xmlNode* node, std::string& out) {
    const std::string name = to_lower_ascii(name_of(node->name));
    out += "<" + name;
    for (xmlAttr* a = node->properties; a != nullptr; a = a->next) {
        const std::string attr = to_lower_ascii(name_of(a->name));
        if (!among(kKeptAttributes, attr))
            continue;
        XmlCharPtr value(xmlNodeGetContent(reinterpret_cast<xmlNode*>(a)));
        out += " " + attr + "=\"";
        append_escaped(out, name_of(value.get()));
        out += "\"";
    }
    if (name == "a") {
        out += " href=\"";
        append_escaped(out, *safe_href(node));
        out += "\" rel=\"noopener noreferrer\" target=\"_blank\"";
    } else if (name == "img") {
        out += " src=\"";
        append_escaped(out, *safe_src(node));
        out += "\"";
    }
    out += ">";
}

void close_tag(xmlNode* node, std::string& out) {
    const std::string name = to_lower_ascii(name_of(node->name));
    if (!among(kVoidElements, name))
        out += "</" + name + ">";
}

// Writes the children of `container` depth-first without recursion (a hostile message may nest
// elements very deeply).
void write_children(xmlNode* container, std::string& out) {
    xmlNode* node = container->children;
    while (node != nullptr) {
        const Treatment t = treatment(node);
        if (t == Treatment::keep && node->type != XML_ELEMENT_NODE) {
            append_escaped(out, name_of(node->content));
        } else if (t == Treatment::keep) {
            open_tag(node, out);
        }
        if (t != Treatment::drop && node->type == XML_ELEMENT_NODE && node->children != nullptr) {
            node = node->children;
            continue;
        }
        if (t == Treatment::keep && node->type == XML_ELEMENT_NODE)
            close_tag(node, out);
        while (node != nullptr && node->next == nullptr) {
            node = node->parent;
            if (node == container) {
                node = nullptr;
            } else if (node->type == XML_ELEMENT_NODE && treatment(node) == Treatment::keep) {
                close_tag(node, out);
            }
        }
        if (node != nullptr)
            node = node->next;
    }
}

}  // namespace

std::string sanitize_html(std::string_view html) {
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
    // Strictly valid UTF-8: libxml2 would switch the rest of the document to Latin-1 at the
    // first bad byte, and copies overlong forms through.
    const std::string input = clean_utf8(html.substr(0, INT_MAX));
    // IGNORE_ENC: the text is UTF-8 whatever a <meta charset> inside it claims.
    XmlDocPtr doc(htmlReadMemory(input.data(), static_cast<int>(input.size()), nullptr, "UTF-8",
                                 HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                     HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC));
    std::string out;
    if (doc) {
        // html and body are not kept: their content is, which makes the result a fragment.
        write_children(reinterpret_cast<xmlNode*>(doc.get()), out);
    }
    return out;
}

}  // namespace casecrypt::mime
