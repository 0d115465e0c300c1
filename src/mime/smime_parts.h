// Where S/MIME is in a GMime tree, for the two parsers of this module (MimeDocument, which the
// S/MIME engine opens, and parse_message, which reads a mail for its ticket): one answer for
// both. Internal to src/mime (it exposes GMime types).
#pragma once

#include <gmime/gmime.h>

namespace casecrypt::mime {

// True when a message body is S/MIME or a multipart with an S/MIME part among its children:
// exactly when MimeDocument::layout() is not Layout::none.
bool has_smime_parts(GMimeObject* body);

}  // namespace casecrypt::mime
