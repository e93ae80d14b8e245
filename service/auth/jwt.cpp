#include "jwt.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace push::auth {

namespace {

const EVP_MD *digestFor(const QString &alg)
{
    if (alg.endsWith(QLatin1String("256")))
        return EVP_sha256();
    if (alg.endsWith(QLatin1String("384")))
        return EVP_sha384();
    if (alg.endsWith(QLatin1String("512")))
        return EVP_sha512();
    return nullptr;
}

const char *digestName(const QString &alg)
{
    if (alg.endsWith(QLatin1String("256")))
        return "SHA256";
    if (alg.endsWith(QLatin1String("384")))
        return "SHA384";
    if (alg.endsWith(QLatin1String("512")))
        return "SHA512";
    return nullptr;
}

// The key fits the algorithm: RSA (at least 2048 bits) for RS/PS, the right curve for ES.
bool keyFits(const QString &alg, const KeyPtr &key)
{
    if (alg.startsWith(QLatin1String("RS")) || alg.startsWith(QLatin1String("PS")))
        return keyType(key) == KeyType::Rsa && EVP_PKEY_get_bits(key.get()) >= 2048;
    if (alg == QLatin1String("ES256"))
        return curveName(key) == QLatin1String("P-256");
    if (alg == QLatin1String("ES384"))
        return curveName(key) == QLatin1String("P-384");
    return false;
}

int ecCoordinateSize(const QString &alg)
{
    return alg == QLatin1String("ES256") ? 32 : alg == QLatin1String("ES384") ? 48 : 0;
}

// JWS carries ECDSA signatures as r||s; OpenSSL wants DER.
QByteArray rawToDer(const QByteArray &raw, int size)
{
    if (raw.size() != 2 * size)
        return {};
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()), size, nullptr);
    BIGNUM *s =
        BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()) + size, size, nullptr);
    ECDSA_SIG_set0(sig, r, s);
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    QByteArray out;
    if (length > 0)
        out = QByteArray(reinterpret_cast<const char *>(der), length);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

QByteArray derToRaw(const QByteArray &der, int size)
{
    const unsigned char *p = reinterpret_cast<const unsigned char *>(der.constData());
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, long(der.size()));
    if (!sig)
        return {};
    QByteArray raw(2 * size, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char *>(raw.data()), size);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char *>(raw.data()) + size, size);
    ECDSA_SIG_free(sig);
    return raw;
}

bool setPss(EVP_PKEY_CTX *pctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
}

std::optional<QJsonObject> decodeJsonPart(const QByteArray &part)
{
    const auto bytes = base64UrlDecode(part);
    if (!bytes)
        return std::nullopt;
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(*bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

} // namespace

QByteArray base64UrlEncode(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> base64UrlDecode(const QByteArray &text)
{
    for (const char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return std::nullopt;
    }
    if (text.size() % 4 == 1)
        return std::nullopt;
    auto result = QByteArray::fromBase64Encoding(text, QByteArray::Base64UrlEncoding |
                                                           QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return std::nullopt;
    return *result;
}

std::optional<ParsedToken> ParsedToken::parse(const QByteArray &token, QString *error)
{
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3) {
        *error = QStringLiteral("the token is not a compact JWS (three dot-separated parts)");
        return std::nullopt;
    }
    ParsedToken parsed;
    const auto header = decodeJsonPart(parts[0]);
    if (!header) {
        *error = QStringLiteral("the token header is not base64url-encoded JSON");
        return std::nullopt;
    }
    const auto claims = decodeJsonPart(parts[1]);
    if (!claims) {
        *error = QStringLiteral("the token payload is not base64url-encoded JSON");
        return std::nullopt;
    }
    const auto signature = base64UrlDecode(parts[2]);
    if (!signature) {
        *error = QStringLiteral("the token signature is not base64url");
        return std::nullopt;
    }
    parsed.header = *header;
    parsed.claims = *claims;
    parsed.signingInput = parts[0] + '.' + parts[1];
    parsed.signature = *signature;
    return parsed;
}

QString criticalHeaderError(const QJsonObject &header)
{
    const QJsonValue crit = header.value(QLatin1String("crit"));
    if (crit.isUndefined())
        return {};
    const QJsonArray names = crit.toArray();
    if (!crit.isArray() || names.isEmpty())
        return QStringLiteral("the token's crit header is not a non-empty list of names");
    QStringList listed;
    for (const QJsonValue &name : names)
        listed.append(name.isString() ? name.toString() : QStringLiteral("?"));
    return QStringLiteral("the token's crit header names extensions this service does not "
                          "understand: %1")
        .arg(listed.join(QLatin1String(", ")));
}

bool isSupportedAlgorithm(const QString &alg)
{
    static const QStringList supported = {
        QStringLiteral("RS256"), QStringLiteral("RS384"), QStringLiteral("RS512"),
        QStringLiteral("PS256"), QStringLiteral("PS384"), QStringLiteral("PS512"),
        QStringLiteral("ES256"), QStringLiteral("ES384"), QStringLiteral("HS256"),
        QStringLiteral("HS384"), QStringLiteral("HS512")};
    return supported.contains(alg);
}

bool isHmacAlgorithm(const QString &alg)
{
    return alg == QLatin1String("HS256") || alg == QLatin1String("HS384") ||
           alg == QLatin1String("HS512");
}

bool verifySignature(const QString &alg, const KeyPtr &key, const QByteArray &input,
                     const QByteArray &signature)
{
    const EVP_MD *md = digestFor(alg);
    if (!md || isHmacAlgorithm(alg) || !keyFits(alg, key))
        return false;
    QByteArray sig = signature;
    if (alg.startsWith(QLatin1String("ES"))) {
        sig = rawToDer(signature, ecCoordinateSize(alg));
        if (sig.isEmpty())
            return false;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = nullptr;
    bool ok = EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key.get()) == 1;
    if (ok && alg.startsWith(QLatin1String("PS")))
        ok = setPss(pctx);
    ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(sig.constData()),
                                size_t(sig.size()),
                                reinterpret_cast<const unsigned char *>(input.constData()),
                                size_t(input.size())) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

QByteArray signHmac(const QString &alg, const QByteArray &secret, const QByteArray &input)
{
    const char *digest = digestName(alg);
    if (!digest || !isHmacAlgorithm(alg))
        return {};
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t length = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, secret.constData(),
                   size_t(secret.size()),
                   reinterpret_cast<const unsigned char *>(input.constData()), size_t(input.size()),
                   out, sizeof out, &length))
        return {};
    return QByteArray(reinterpret_cast<const char *>(out), qsizetype(length));
}

bool verifyHmac(const QString &alg, const QByteArray &secret, const QByteArray &input,
                const QByteArray &signature)
{
    if (secret.isEmpty())
        return false;
    const QByteArray expected = signHmac(alg, secret, input);
    return !expected.isEmpty() && expected.size() == signature.size() &&
           CRYPTO_memcmp(expected.constData(), signature.constData(), size_t(expected.size())) == 0;
}

QByteArray sign(const QString &alg, const KeyPtr &privateKey, const QByteArray &input)
{
    const EVP_MD *md = digestFor(alg);
    if (!md || isHmacAlgorithm(alg) || !keyFits(alg, privateKey))
        return {};
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = nullptr;
    QByteArray out;
    bool ok = EVP_DigestSignInit(ctx, &pctx, md, nullptr, privateKey.get()) == 1;
    if (ok && alg.startsWith(QLatin1String("PS")))
        ok = setPss(pctx);
    size_t length = 0;
    const auto *data = reinterpret_cast<const unsigned char *>(input.constData());
    if (ok && EVP_DigestSign(ctx, nullptr, &length, data, size_t(input.size())) == 1) {
        out.resize(qsizetype(length));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(out.data()), &length, data,
                           size_t(input.size())) == 1)
            out.resize(qsizetype(length));
        else
            out.clear();
    }
    EVP_MD_CTX_free(ctx);
    if (!out.isEmpty() && alg.startsWith(QLatin1String("ES")))
        out = derToRaw(out, ecCoordinateSize(alg));
    return out;
}

QByteArray encodeToken(const QJsonObject &claims, const QString &alg, const KeyPtr &privateKey,
                       const QString &kid)
{
    QJsonObject header{{QStringLiteral("alg"), alg},
                       {QStringLiteral("typ"), QStringLiteral("JWT")}};
    if (!kid.isEmpty())
        header.insert(QStringLiteral("kid"), kid);
    const QByteArray input = base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) +
                             '.' +
                             base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature = sign(alg, privateKey, input);
    if (signature.isEmpty())
        return {};
    return input + '.' + base64UrlEncode(signature);
}

} // namespace push::auth
