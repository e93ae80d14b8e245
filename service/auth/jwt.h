#pragma once

#include "auth/keys.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace push::auth {

// RFC 7515 base64url without padding.
QByteArray base64UrlEncode(const QByteArray &data);
// Strict: only the base64url alphabet, no padding, no whitespace.
std::optional<QByteArray> base64UrlDecode(const QByteArray &text);

// A compact JWS split and decoded, not yet verified.
struct ParsedToken
{
    QJsonObject header;
    QJsonObject claims;
    QByteArray signingInput; // "<header>.<payload>" as received
    QByteArray signature;    // decoded
    QString alg() const { return header.value(QLatin1String("alg")).toString(); }
    QString kid() const { return header.value(QLatin1String("kid")).toString(); }

    // Three parts, each valid base64url, header and payload JSON objects. On failure
    // *error says which part is malformed.
    static std::optional<ParsedToken> parse(const QByteArray &token, QString *error);
};

// RFC 7515 §4.1.11: a `crit` header lists extensions the recipient must understand. The
// service understands none, so any `crit` (and a malformed one) makes the token invalid.
// Returns the reason, or an empty string when the header has no `crit`.
QString criticalHeaderError(const QJsonObject &header);

// The algorithms the service accepts; "none" and anything else are refused.
bool isSupportedAlgorithm(const QString &alg);
bool isHmacAlgorithm(const QString &alg);

// Verifies `signature` over `input` with an asymmetric key. The key's type must fit the
// algorithm (RS*/PS*: RSA; ES256: P-256, ES384: P-384), so that no key is ever used
// with an algorithm chosen by the token for another kind of key.
bool verifySignature(const QString &alg, const KeyPtr &key, const QByteArray &input,
                     const QByteArray &signature);
// HS256/384/512 with a shared secret, compared in constant time.
bool verifyHmac(const QString &alg, const QByteArray &secret, const QByteArray &input,
                const QByteArray &signature);

// Signs (for the development issuer and for tests): RS256/384/512, PS256/384/512,
// ES256/384 with a private key; returns the JWS signature bytes, empty on failure.
QByteArray sign(const QString &alg, const KeyPtr &privateKey, const QByteArray &input);
QByteArray signHmac(const QString &alg, const QByteArray &secret, const QByteArray &input);
// A compact JWS of `claims` with header {alg, typ: JWT, kid?}.
QByteArray encodeToken(const QJsonObject &claims, const QString &alg, const KeyPtr &privateKey,
                       const QString &kid);

} // namespace push::auth
