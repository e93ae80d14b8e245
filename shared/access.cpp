#include "access.h"

#include <QJsonArray>

namespace push {

bool User::hasAnyRole(const QStringList &wanted) const
{
    for (const QString &role : wanted) {
        if (roles.contains(role))
            return true;
    }
    return false;
}

User User::fromClaims(const QJsonObject &claims)
{
    User user;
    user.id = claims.value(QLatin1String("sub")).toString();
    user.name = claims.value(QLatin1String("name")).toString();
    if (user.name.isEmpty())
        user.name = claims.value(QLatin1String("preferred_username")).toString();
    user.email = claims.value(QLatin1String("email")).toString();
    const double exp = claims.value(QLatin1String("exp")).toDouble(0);
    if (exp > 0 && exp < 1e13)
        user.expiresAt = qint64(exp) * 1000;
    const QJsonArray realmRoles = claims.value(QLatin1String("realm_access"))
                                      .toObject()
                                      .value(QLatin1String("roles"))
                                      .toArray();
    for (const QJsonValue &role : realmRoles) {
        if (role.isString() && !user.roles.contains(role.toString()))
            user.roles.append(role.toString());
    }
    const QJsonObject clients = claims.value(QLatin1String("resource_access")).toObject();
    for (auto it = clients.begin(); it != clients.end(); ++it) {
        const QJsonArray clientRoles =
            it.value().toObject().value(QLatin1String("roles")).toArray();
        for (const QJsonValue &role : clientRoles) {
            if (!role.isString())
                continue;
            const QString qualified = it.key() + QLatin1Char(':') + role.toString();
            if (!user.roles.contains(qualified))
                user.roles.append(qualified);
            if (it.key() == QLatin1String(kPushServiceClient) &&
                !user.roles.contains(role.toString()))
                user.roles.append(role.toString());
        }
    }
    return user;
}

QString realmOfIssuer(const QString &issuer)
{
    static const QString marker = QStringLiteral("/realms/");
    QString trimmed = issuer;
    if (trimmed.endsWith(QLatin1Char('/')))
        trimmed.chop(1);
    const qsizetype at = trimmed.lastIndexOf(marker);
    if (at < 0)
        return {};
    const QString realm = trimmed.mid(at + marker.size());
    return realm.contains(QLatin1Char('/')) ? QString() : realm;
}

Access subscribeAccess(const User *user, const Stream &stream, const QString &contextTenantId)
{
    if (!contextTenantId.isEmpty() && stream.publicSubscribe)
        return Access::Allowed;
    if (!user)
        return Access::Unauthenticated;
    const QStringList wanted =
        QStringList{QLatin1String(kStreamListenerRole)} + stream.subscriberRoles;
    if (contextTenantId.isEmpty())
        return user->isCore && user->hasAnyRole(wanted) ? Access::Allowed : Access::Forbidden;
    const bool member = user->isCore || user->tenantId == contextTenantId;
    return member && user->hasAnyRole(wanted) ? Access::Allowed : Access::Forbidden;
}

QString subscribeRefusal(Access access, const Stream &stream)
{
    switch (access) {
    case Access::Allowed:
        return {};
    case Access::Unauthenticated:
        return QStringLiteral("stream '%1' is not public: a token is required").arg(stream.id);
    case Access::Forbidden:
        return QStringLiteral("not allowed to subscribe to stream '%1': it needs a user of the "
                              "tenant (or core) with one of the roles %2")
            .arg(stream.id,
                 (QStringList{QLatin1String(kStreamListenerRole)} + stream.subscriberRoles)
                     .join(QStringLiteral(", ")));
    }
    return {};
}

bool canPublish(const User &user)
{
    return user.hasAnyRole({QLatin1String(kEventSenderRole), QStringLiteral("event-sender")});
}

QString configureRefusal(const User &user, const QString &tenantId)
{
    const bool configAdmin = user.hasAnyRole({QLatin1String(kConfigurationAdminRole)});
    if (user.isCore) {
        if (configAdmin)
            return QString();
        return QStringLiteral("configuring needs the role %1")
            .arg(QLatin1String(kConfigurationAdminRole));
    }
    if (tenantId.isEmpty())
        return QStringLiteral("only core administrators may change the core configuration");
    if (tenantId != user.tenantId)
        return QStringLiteral("only core administrators may configure another tenant");
    if (configAdmin || user.hasAnyRole({QLatin1String(kTenantAdminRole)}))
        return QString();
    return QStringLiteral("configuring needs the role %1 or %2")
        .arg(QLatin1String(kConfigurationAdminRole), QLatin1String(kTenantAdminRole));
}

} // namespace push
