#include "recoverytoken.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

#include <openssl/crypto.h>

namespace push::app {

namespace {

constexpr int kVersion = 1;
constexpr qsizetype kMacBytes = 32; // SHA-256

QByteArray macOf(QByteArrayView signedPart, const QByteArray &key)
{
    return QMessageAuthenticationCode::hash(signedPart.toByteArray(), key,
                                            QCryptographicHash::Sha256);
}

QByteArray base64url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> fromBase64url(QByteArrayView text)
{
    auto decoded = QByteArray::fromBase64Encoding(
        text.toByteArray(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals |
                                QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return std::move(*decoded);
}

std::optional<RecoveryToken> refuse(QString *why, const QString &reason)
{
    *why = reason;
    return std::nullopt;
}

} // namespace

QByteArray RecoveryToken::sign(const QByteArray &key) const
{
    const QJsonObject json{
        {QStringLiteral("v"), kVersion},
        {QStringLiteral("sid"), sid},
        {QStringLiteral("nsp"), nsp},
        {QStringLiteral("stream"), stream},
        {QStringLiteral("criteria"), criteria},
        {QStringLiteral("user"), user},
        {QStringLiteral("start"), QString::fromLatin1(start.toString())},
        {QStringLiteral("iat"), issuedMs},
    };
    const QByteArray payload = base64url(QJsonDocument(json).toJson(QJsonDocument::Compact));
    return payload + '.' + base64url(macOf(payload, key));
}

std::optional<RecoveryToken> RecoveryToken::verify(QByteArrayView pid, const QByteArray &key,
                                                   QString *why)
{
    if (key.size() < kMinKeyBytes)
        return refuse(why, QStringLiteral("no key to verify it with"));
    if (pid.isEmpty() || pid.size() > kMaxLength)
        return refuse(why, QStringLiteral("empty or longer than %1 bytes").arg(kMaxLength));
    const qsizetype dot = pid.indexOf('.');
    if (dot <= 0 || pid.lastIndexOf('.') != dot)
        return refuse(why, QStringLiteral("not <payload>.<mac>"));
    const QByteArrayView payload = pid.first(dot);
    const std::optional<QByteArray> mac = fromBase64url(pid.sliced(dot + 1));
    if (!mac || mac->size() != kMacBytes)
        return refuse(why, QStringLiteral("its MAC is not base64url SHA-256"));
    const QByteArray expected = macOf(payload, key);
    if (CRYPTO_memcmp(expected.constData(), mac->constData(), size_t(kMacBytes)) != 0)
        return refuse(why, QStringLiteral("its MAC does not match"));
    // Signed by a holder of the key: from here on a failure is a bug or an old format.
    const std::optional<QByteArray> text = fromBase64url(payload);
    QJsonParseError error;
    const QJsonDocument document = text ? QJsonDocument::fromJson(*text, &error) : QJsonDocument();
    if (!text || error.error != QJsonParseError::NoError || !document.isObject())
        return refuse(why, QStringLiteral("its payload is not a JSON object"));
    const QJsonObject json = document.object();
    if (json.value(QStringLiteral("v")).toInt() != kVersion)
        return refuse(why, QStringLiteral("of another version"));
    RecoveryToken token;
    token.sid = json.value(QStringLiteral("sid")).toString();
    token.nsp = json.value(QStringLiteral("nsp")).toString();
    token.stream = json.value(QStringLiteral("stream")).toString();
    token.criteria = json.value(QStringLiteral("criteria")).toString();
    token.user = json.value(QStringLiteral("user")).toString();
    token.issuedMs = qint64(json.value(QStringLiteral("iat")).toDouble());
    const std::optional<Cursor> start =
        Cursor::parse(json.value(QStringLiteral("start")).toString().toLatin1());
    if (token.sid.isEmpty() || token.nsp.isEmpty() || token.stream.isEmpty() || !start ||
        token.issuedMs <= 0)
        return refuse(why, QStringLiteral("fields are missing"));
    token.start = *start;
    return token;
}

} // namespace push::app
