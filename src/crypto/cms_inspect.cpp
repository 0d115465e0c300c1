#include "crypto/cms_inspect.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "crypto/openssl_error.h"
#include "crypto/ossl_ptr.h"

namespace casecrypt::crypto {
namespace {

constexpr int kMaxDepth = 32;

// One TLV header read from the buffer.
struct Tlv {
    int tag = 0;
    int klass = 0;
    bool constructed = false;
    bool indefinite = false;
    const unsigned char* content = nullptr;  // first content byte
    long length = 0;                         // 0 when indefinite
};

class DerReader {
public:
    DerReader(const unsigned char* p, const unsigned char* end) : m_p(p), m_end(end) {}

    bool read(Tlv& tlv) {
        const unsigned char* p = m_p;
        long length = 0;
        const int ret = ASN1_get_object(&p, &length, &tlv.tag, &tlv.klass, m_end - m_p);
        // 0x80 flags an error; OpenSSL also sets it for "too long" when the prefix is cut, which
        // is fine for a constructed element we only enter.
        if ((ret & 0x80) != 0 && !((ret & V_ASN1_CONSTRUCTED) != 0 && p <= m_end)) {
            clear_openssl_errors();
            return false;
        }
        clear_openssl_errors();
        tlv.constructed = (ret & V_ASN1_CONSTRUCTED) != 0;
        tlv.indefinite = (ret & 0x01) != 0;
        tlv.content = p;
        tlv.length = length;
        m_p = p;
        return true;
    }

    // Skips the content of an element whose header was just read.
    bool skip(const Tlv& tlv, int depth = 0) {
        if (depth > kMaxDepth) {
            return false;
        }
        if (!tlv.indefinite) {
            if (tlv.length > m_end - m_p) {
                return false;
            }
            m_p += tlv.length;
            return true;
        }
        for (;;) {
            Tlv inner;
            if (!read(inner)) {
                return false;
            }
            if (inner.tag == 0 && inner.klass == 0 && !inner.constructed && inner.length == 0) {
                return true;  // end-of-contents
            }
            if (!skip(inner, depth + 1)) {
                return false;
            }
        }
    }

    const unsigned char* position() const { return m_p; }

private:
    const unsigned char* m_p;
    const unsigned char* m_end;
};

int read_oid(DerReader& reader, const Tlv& tlv, const unsigned char* start) {
    if (tlv.tag != V_ASN1_OBJECT || tlv.constructed) {
        return NID_undef;
    }
    const unsigned char* p = start;
    Asn1ObjectPtr object(d2i_ASN1_OBJECT(nullptr, &p, (tlv.content - start) + tlv.length));
    const int nid = object ? OBJ_obj2nid(object.get()) : NID_undef;
    clear_openssl_errors();
    reader.skip(tlv);
    return nid;
}

}  // namespace

Result<CmsOutline> inspect_cms(std::string_view prefix) {
    const auto* begin = reinterpret_cast<const unsigned char*>(prefix.data());
    DerReader reader(begin, begin + prefix.size());
    const auto damaged = [] {
        return fail(Errc::rejected,
                    "the S/MIME data is damaged or truncated (not a CMS structure)");
    };
    CmsOutline outline;
    Tlv tlv;
    if (!reader.read(tlv) || tlv.tag != V_ASN1_SEQUENCE)
        return damaged();  // ContentInfo
    const unsigned char* at = reader.position();
    if (!reader.read(tlv))
        return damaged();
    const int type = read_oid(reader, tlv, at);
    if (type == NID_pkcs7_enveloped) {
        outline.kind = CmsKind::enveloped;
    } else if (type == NID_id_smime_ct_authEnvelopedData) {
        outline.kind = CmsKind::auth_enveloped;
    } else if (type == NID_pkcs7_signed) {
        outline.kind = CmsKind::signed_data;
        return outline;
    } else if (type == NID_undef) {
        return damaged();
    } else {
        return outline;
    }
    if (!reader.read(tlv) || tlv.klass != V_ASN1_CONTEXT_SPECIFIC)
        return damaged();  // [0]
    if (!reader.read(tlv) || tlv.tag != V_ASN1_SEQUENCE)
        return damaged();  // EnvelopedData
    if (!reader.read(tlv) || tlv.tag != V_ASN1_INTEGER || !reader.skip(tlv))
        return damaged();
    if (!reader.read(tlv))
        return damaged();
    if (tlv.klass == V_ASN1_CONTEXT_SPECIFIC) {  // originatorInfo [0]
        if (!reader.skip(tlv) || !reader.read(tlv))
            return damaged();
    }
    if (tlv.tag != V_ASN1_SET || !reader.skip(tlv))
        return damaged();  // recipientInfos
    if (!reader.read(tlv) || tlv.tag != V_ASN1_SEQUENCE)
        return damaged();  // EncryptedContentInfo
    at = reader.position();
    if (!reader.read(tlv) || read_oid(reader, tlv, at) == NID_undef)
        return damaged();
    if (!reader.read(tlv) || tlv.tag != V_ASN1_SEQUENCE)
        return damaged();  // AlgorithmIdentifier
    at = reader.position();
    if (!reader.read(tlv))
        return damaged();
    const int cipher = read_oid(reader, tlv, at);
    outline.content_cipher = cipher == NID_undef ? "unknown" : OBJ_nid2sn(cipher);
    return outline;
}

}  // namespace casecrypt::crypto
