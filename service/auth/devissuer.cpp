#include "devissuer.h"

#include "auth/jwt.h"
#include "shared/access.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSaveFile>
#include <QUuid>

namespace push::auth {

bool DevIssuer::open(const QString &dataDir, QString *error)
{
    const QString path = QDir(dataDir).filePath(QStringLiteral("dev-issuer-key.pem"));
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1").arg(path);
            return false;
        }
        m_key = privateKeyFromPem(file.readAll());
        if (!m_key) {
            *error = QStringLiteral("%1 holds no private key").arg(path);
            return false;
        }
    } else {
        if (!QDir().mkpath(dataDir)) {
            *error = QStringLiteral("cannot create %1").arg(dataDir);
            return false;
        }
        m_key = generateRsaKey(2048);
        QSaveFile out(path);
        if (!m_key || !out.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot create the development issuer's key in %1").arg(path);
            return false;
        }
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        out.write(privateKeyToPem(m_key));
        if (!out.commit()) {
            *error = QStringLiteral("cannot write %1").arg(path);
            return false;
        }
    }
    const QJsonObject jwk = toJwk(m_key, QString(), QString());
    m_kid =
        QString::fromLatin1(base64UrlEncode(QCryptographicHash::hash(
                                                jwk.value(QLatin1String("n")).toString().toLatin1(),
                                                QCryptographicHash::Sha256))
                                .left(22));
    return true;
}

KeySet DevIssuer::publicKeys() const
{
    KeySet set;
    set.add({m_kid, QStringLiteral("RS256"), m_key});
    return set;
}

QByteArray DevIssuer::mint(const TokenRequest &request) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonArray realmRoles;
    QJsonObject clients;
    for (const QString &role : request.roles) {
        const qsizetype colon = role.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0) {
            realmRoles.append(role);
            continue;
        }
        const QString client = role.left(colon);
        QJsonObject entry = clients.value(client).toObject();
        QJsonArray roles = entry.value(QLatin1String("roles")).toArray();
        roles.append(role.mid(colon + 1));
        entry.insert(QStringLiteral("roles"), roles);
        clients.insert(client, entry);
    }
    QJsonObject claims{
        {QStringLiteral("exp"), now + request.ttlSeconds},
        {QStringLiteral("iat"), now},
        {QStringLiteral("jti"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {QStringLiteral("iss"), QLatin1String(kIssuerPrefix) + request.realm},
        {QStringLiteral("aud"),
         QJsonArray{QLatin1String(kPushServiceClient), QStringLiteral("account")}},
        {QStringLiteral("sub"), request.subject},
        {QStringLiteral("typ"), QStringLiteral("Bearer")},
        {QStringLiteral("azp"), QLatin1String(kClientId)},
        {QStringLiteral("scope"), QStringLiteral("openid profile email")},
        {QStringLiteral("realm_access"), QJsonObject{{QStringLiteral("roles"), realmRoles}}},
        {QStringLiteral("resource_access"), clients},
        {QStringLiteral("preferred_username"),
         request.name.isEmpty() ? request.subject : request.name},
    };
    if (!request.name.isEmpty())
        claims.insert(QStringLiteral("name"), request.name);
    if (!request.email.isEmpty())
        claims.insert(QStringLiteral("email"), request.email);
    return encodeToken(claims, QStringLiteral("RS256"), m_key, m_kid);
}

} // namespace push::auth
