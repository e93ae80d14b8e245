#pragma once

#include "shared/stream.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace push {

inline constexpr auto kPushServiceClient = "urn:ads:platform:push-service";
inline constexpr auto kStreamListenerRole = "stream-listener";
inline constexpr auto kEventSenderRole = "urn:ads:platform:event-service:event-sender";
inline constexpr auto kCoreRealm = "core";
inline constexpr auto kConfigurationAdminRole =
    "urn:ads:platform:configuration-service:configuration-admin";
inline constexpr auto kTenantAdminRole = "urn:ads:platform:tenant-service:tenant-admin";

// The caller as ADSP sees it (adsp-compatibility.md "Who may subscribe").
struct User
{
    QString id;   // sub
    QString name; // name, else preferred_username
    QString email;
    QStringList roles;
    bool isCore = false;
    QString tenantId;     // the tenant whose realm issued the token; empty for core users
    qint64 expiresAt = 0; // the token's exp, ms since the epoch; 0: none

    bool hasAnyRole(const QStringList &wanted) const;

    // Roles: realm_access.roles, every client role as "<client>:<role>", and the roles
    // of the client urn:ads:platform:push-service also unqualified. isCore and tenantId
    // are left for the caller, who knows which tenant owns the realm.
    static User fromClaims(const QJsonObject &claims);
};

// The realm a Keycloak issuer names: ".../auth/realms/<realm>" or ".../realms/<realm>";
// empty when the issuer has no such path.
QString realmOfIssuer(const QString &issuer);

enum class Access {
    Allowed,
    Unauthenticated, // no credentials where they are needed: 401
    Forbidden,       // credentials that are not enough: 403
};

// May `user` (nullptr: anonymous) subscribe to `stream` in the context of tenant
// `contextTenantId` (empty: the cross-tenant context)? Tenant context: public streams,
// or a core user or a member of that tenant holding any of [stream-listener,
// ...subscriberRoles]. Cross-tenant: only core users holding one of those roles.
Access subscribeAccess(const User *user, const Stream &stream, const QString &contextTenantId);

// What a refused subscriber is told (the same over SSE and socket.io); empty for Allowed.
QString subscribeRefusal(Access access, const Stream &stream);

// May `user` publish events: urn:ads:platform:event-service:event-sender, or the push
// service client's event-sender role.
bool canPublish(const User &user);

// Who may read and change a configuration document: the core document (empty
// tenantId) and other tenants' documents need a core user with configuration-admin; a
// tenant's own document also allows its users with configuration-admin or tenant-admin.
// Returns an empty string when allowed, else the reason (for a 403).
QString configureRefusal(const User &user, const QString &tenantId);

} // namespace push
