// Owning handles for GMime/GObject references (STYLE.md rule 4). Only src/mime includes this.
#pragma once

#include <gmime/gmime.h>

#include <memory>
#include <string>

namespace casecrypt::mime {

// GMime's one-time set-up; every entry point of this module calls it first. Thread-safe.
void init_gmime();

struct GObjectUnref {
    void operator()(gpointer p) const {
        if (p != nullptr)
            g_object_unref(p);
    }
};

template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
    void operator()(gpointer p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<char, GFree>;

// GMime's boxed types that are not GObjects, each with its own free function.
template <auto Free>
struct GMimeFree {
    template <typename T>
    void operator()(T* p) const {
        if (p != nullptr)
            Free(p);
    }
};
using ParserOptionsPtr = std::unique_ptr<GMimeParserOptions, GMimeFree<g_mime_parser_options_free>>;
using ReferencesPtr = std::unique_ptr<GMimeReferences, GMimeFree<g_mime_references_free>>;
using PartIterPtr = std::unique_ptr<GMimePartIter, GMimeFree<g_mime_part_iter_free>>;

// The GError a GLib call reports through its GError** argument, freed with the owner:
//   GErrorOwner error;
//   g_mime_stream_fs_open(path, flags, mode, error.out());
//   ... error.message() ...
class GErrorOwner {
public:
    GErrorOwner() = default;
    ~GErrorOwner() { g_clear_error(&m_error); }
    GErrorOwner(const GErrorOwner&) = delete;
    GErrorOwner& operator=(const GErrorOwner&) = delete;

    // For the call's GError** argument; an error it held before is freed first.
    GError** out() {
        g_clear_error(&m_error);
        return &m_error;
    }
    explicit operator bool() const { return m_error != nullptr; }
    // GLib's sentence, or "unknown error" when the call failed without saying why.
    std::string message() const {
        return m_error != nullptr && m_error->message != nullptr ? m_error->message
                                                                 : "unknown error";
    }

private:
    GError* m_error = nullptr;
};

}  // namespace casecrypt::mime
