// Where S/MIME is in a GMime tree, for the two parsers of this module (MimeDocument, which the
// S/MIME engine opens, and parse_message, which reads a mail for its ticket): one answer for
// both. Internal to src/mime (it exposes GMime types).
#pragma once

#include <gmime/gmime.h>

#include "mime/gobject_ptr.h"
#include "mime/mime_document.h"

namespace casecrypt::mime {

// True when a message body is S/MIME or a multipart with an S/MIME part among its children:
// exactly when MimeDocument::layout() is not Layout::none.
bool has_smime_parts(GMimeObject* body);

// Counts one whole parse for parse_count().
void count_parse();

// The message parse_message made (with the persistent stream its bodies are read from) as a
// MimeDocument, so the S/MIME engine works on that parse instead of parsing the file again.
// Takes a reference to the stream and the message, and the options (which the parse's header
// lists may point to) for as long as the document lives. The document is not mbox.
MimeDocument adopt_message(GMimeStream* stream, GMimeMessage* message, GMimeParserOptions* options);

}  // namespace casecrypt::mime
