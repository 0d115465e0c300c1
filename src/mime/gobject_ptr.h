// Owning handles for GMime/GObject references (STYLE.md rule 4). Only src/mime includes this.
#pragma once

#include <gmime/gmime.h>

#include <memory>

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

}  // namespace casecrypt::mime
