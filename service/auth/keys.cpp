#include "keys.h"

#include "auth/jwt.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace push::auth {

namespace {

struct BnDeleter
{
    void operator()(BIGNUM *bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;

struct BioDeleter
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BnPtr toBignum(const QByteArray &bytes)
{
    return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char *>(bytes.constData()),
                           int(bytes.size()), nullptr));
}

QByteArray fromBignum(const BIGNUM *bn, int width = 0)
{
    QByteArray out(std::max(width, BN_num_bytes(bn)), '\0');
    if (width > 0)
        BN_bn2binpad(bn, reinterpret_cast<unsigned char *>(out.data()), width);
    else
        BN_bn2bin(bn, reinterpret_cast<unsigned char *>(out.data()));
    return out;
}

// OpenSSL's group name for a JOSE curve name, and the coordinate size.
bool curveInfo(const QString &crv, const char **group, int *size)
{
    if (crv == QLatin1String("P-256")) {
        *group = "prime256v1";
        *size = 32;
        return true;
    }
    if (crv == QLatin1String("P-384")) {
        *group = "secp384r1";
        *size = 48;
        return true;
    }
    return false;
}

KeyPtr fromParams(const char *type, OSSL_PARAM_BLD *builder)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(builder);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    EVP_PKEY *key = nullptr;
    if (ctx && params && EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return adoptKey(key);
}

KeyPtr rsaFromJwk(const QJsonObject &jwk, QString *error)
{
    const auto n = base64UrlDecode(jwk.value(QLatin1String("n")).toString().toLatin1());
    const auto e = base64UrlDecode(jwk.value(QLatin1String("e")).toString().toLatin1());
    if (!n || !e || n->isEmpty() || e->isEmpty()) {
        *error = QStringLiteral("RSA key without valid n and e");
        return {};
    }
    BnPtr bnN = toBignum(*n);
    BnPtr bnE = toBignum(*e);
    if (BN_num_bits(bnN.get()) < 2048) {
        *error = QStringLiteral("RSA key shorter than 2048 bits");
        return {};
    }
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bnN.get());
    OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bnE.get());
    KeyPtr key = fromParams("RSA", builder);
    OSSL_PARAM_BLD_free(builder);
    if (!key)
        *error = QStringLiteral("OpenSSL refused the RSA key");
    return key;
}

KeyPtr ecFromJwk(const QJsonObject &jwk, QString *error)
{
    const char *group = nullptr;
    int size = 0;
    if (!curveInfo(jwk.value(QLatin1String("crv")).toString(), &group, &size)) {
        *error = QStringLiteral("EC curve %1 is not supported")
                     .arg(jwk.value(QLatin1String("crv")).toString());
        return {};
    }
    const auto x = base64UrlDecode(jwk.value(QLatin1String("x")).toString().toLatin1());
    const auto y = base64UrlDecode(jwk.value(QLatin1String("y")).toString().toLatin1());
    if (!x || !y || x->size() != size || y->size() != size) {
        *error = QStringLiteral("EC key without valid x and y");
        return {};
    }
    const QByteArray point = QByteArray(1, '\x04') + *x + *y;
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                     size_t(point.size()));
    KeyPtr key = fromParams("EC", builder);
    OSSL_PARAM_BLD_free(builder);
    if (!key)
        *error = QStringLiteral("OpenSSL refused the EC key (not on the curve?)");
    return key;
}

} // namespace

KeyPtr adoptKey(EVP_PKEY *key)
{
    return key ? KeyPtr(key, EVP_PKEY_free) : KeyPtr();
}

KeyType keyType(const KeyPtr &key)
{
    if (!key)
        return KeyType::Unknown;
    if (EVP_PKEY_is_a(key.get(), "RSA"))
        return KeyType::Rsa;
    if (EVP_PKEY_is_a(key.get(), "EC"))
        return KeyType::Ec;
    return KeyType::Unknown;
}

QString curveName(const KeyPtr &key)
{
    char group[64] = {};
    size_t length = 0;
    if (keyType(key) != KeyType::Ec ||
        EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &length) != 1)
        return {};
    const QByteArray name(group, qsizetype(length));
    if (name == "prime256v1" || name == "P-256")
        return QStringLiteral("P-256");
    if (name == "secp384r1" || name == "P-384")
        return QStringLiteral("P-384");
    return QString::fromLatin1(name);
}

bool KeySet::fromJwks(const QByteArray &json, KeySet *set, QString *error, QStringList *skipped)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject() ||
        !document.object().value(QLatin1String("keys")).isArray()) {
        *error = QStringLiteral("not a JWKS document (an object with a \"keys\" array)");
        return false;
    }
    *set = KeySet();
    for (const QJsonValue &value : document.object().value(QLatin1String("keys")).toArray()) {
        const QJsonObject jwk = value.toObject();
        const QString kid = jwk.value(QLatin1String("kid")).toString();
        const QString use = jwk.value(QLatin1String("use")).toString();
        const QString kty = jwk.value(QLatin1String("kty")).toString();
        QString problem;
        KeyPtr key;
        if (!use.isEmpty() && use != QLatin1String("sig"))
            problem = QStringLiteral("use is %1").arg(use);
        else if (kty == QLatin1String("RSA"))
            key = rsaFromJwk(jwk, &problem);
        else if (kty == QLatin1String("EC"))
            key = ecFromJwk(jwk, &problem);
        else
            problem = QStringLiteral("key type %1 is not supported").arg(kty);
        if (!key) {
            if (skipped)
                skipped->append(QStringLiteral("%1: %2").arg(kid, problem));
            continue;
        }
        set->add({kid, jwk.value(QLatin1String("alg")).toString(), key});
    }
    return true;
}

bool KeySet::fromPem(const QByteArray &pem, KeySet *set, QString *error)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    EVP_PKEY *key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (!key) {
        BioPtr again(BIO_new_mem_buf(pem.constData(), int(pem.size())));
        if (X509 *certificate = PEM_read_bio_X509(again.get(), nullptr, nullptr, nullptr)) {
            key = X509_get_pubkey(certificate);
            X509_free(certificate);
        }
    }
    if (!key) {
        *error = QStringLiteral("no PEM public key or certificate found");
        return false;
    }
    *set = KeySet();
    set->add({QString(), QString(), adoptKey(key)});
    return true;
}

const VerificationKey *KeySet::find(const QString &kid) const
{
    for (const VerificationKey &key : m_keys) {
        if (key.kid == kid)
            return &key;
    }
    return nullptr;
}

QJsonObject toJwk(const KeyPtr &key, const QString &kid, const QString &alg)
{
    QJsonObject jwk{{QStringLiteral("kid"), kid}, {QStringLiteral("use"), QStringLiteral("sig")}};
    if (!alg.isEmpty())
        jwk.insert(QStringLiteral("alg"), alg);
    if (keyType(key) == KeyType::Rsa) {
        BIGNUM *n = nullptr;
        BIGNUM *e = nullptr;
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n);
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e);
        jwk.insert(QStringLiteral("kty"), QStringLiteral("RSA"));
        jwk.insert(QStringLiteral("n"), QString::fromLatin1(base64UrlEncode(fromBignum(n))));
        jwk.insert(QStringLiteral("e"), QString::fromLatin1(base64UrlEncode(fromBignum(e))));
        BN_free(n);
        BN_free(e);
    } else if (keyType(key) == KeyType::Ec) {
        const QString crv = curveName(key);
        const char *group = nullptr;
        int size = 0;
        curveInfo(crv, &group, &size);
        unsigned char point[256];
        size_t length = 0;
        EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                        &length);
        const QByteArray raw(reinterpret_cast<const char *>(point), qsizetype(length));
        jwk.insert(QStringLiteral("kty"), QStringLiteral("EC"));
        jwk.insert(QStringLiteral("crv"), crv);
        jwk.insert(QStringLiteral("x"), QString::fromLatin1(base64UrlEncode(raw.mid(1, size))));
        jwk.insert(QStringLiteral("y"),
                   QString::fromLatin1(base64UrlEncode(raw.mid(1 + size, size))));
    }
    return jwk;
}

QByteArray privateKeyToPem(const KeyPtr &key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!key ||
        PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    char *data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(length));
}

KeyPtr privateKeyFromPem(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    return adoptKey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

KeyPtr generateRsaKey(int bits)
{
    return adoptKey(EVP_RSA_gen(unsigned(bits)));
}

KeyPtr generateEcKey(const QString &curve)
{
    const char *group = nullptr;
    int size = 0;
    if (!curveInfo(curve, &group, &size))
        return {};
    return adoptKey(EVP_EC_gen(group));
}

} // namespace push::auth
