// Unit tests of access: the user a token's claims make, the realm an issuer names, who may
// subscribe to a stream (adsp-compatibility.md "Who may subscribe") and who may publish events.
#include "shared/access.h"
#include "shared/stream.h"

#include <QJsonDocument>
#include <QTest>

#include <optional>

using push::Access;
using push::Stream;
using push::User;

Q_DECLARE_METATYPE(push::Access)

namespace push {

// Readable QCOMPARE failures for Access (found by argument-dependent lookup).
char *toString(Access access)
{
    switch (access) {
    case Access::Allowed:
        return qstrdup("Allowed");
    case Access::Unauthenticated:
        return qstrdup("Unauthenticated");
    case Access::Forbidden:
        return qstrdup("Forbidden");
    }
    return qstrdup("Access(?)");
}

} // namespace push

namespace {

QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad test JSON: %s", qPrintable(error.errorString()));
    return document.object();
}

const QString kContextTenant = QStringLiteral("demo");

// The user of a subscribeAccess/canPublish row. `kind`: "anonymous" (no user), "member"
// (of tenant demo), "other" (of tenant other), "core", "no-tenant" (a realm that maps to
// no tenant). `claims` non-empty: the roles come from User::fromClaims instead of `roles`.
std::optional<User> makeUser(const QString &kind, const QStringList &roles,
                             const QByteArray &claims)
{
    if (kind == QLatin1String("anonymous"))
        return std::nullopt;
    User user = claims.isEmpty() ? User() : User::fromClaims(parseObject(claims));
    if (claims.isEmpty()) {
        user.id = QStringLiteral("u-1");
        user.roles = roles;
    }
    if (kind == QLatin1String("member"))
        user.tenantId = kContextTenant;
    else if (kind == QLatin1String("other"))
        user.tenantId = QStringLiteral("other");
    else if (kind == QLatin1String("core"))
        user.isCore = true;
    else if (kind != QLatin1String("no-tenant"))
        qFatal("bad user kind in test data: %s", qPrintable(kind));
    return user;
}

} // namespace

class TestAccess final : public QObject
{
    Q_OBJECT

private slots:
    void fromClaims_data();
    void fromClaims();
    void realmOfIssuer_data();
    void realmOfIssuer();
    void subscribeAccess_data();
    void subscribeAccess();
    void canPublish_data();
    void canPublish();
};

void TestAccess::fromClaims_data()
{
    QTest::addColumn<QByteArray>("claims");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("email");
    QTest::addColumn<QStringList>("roles"); // sorted

    const QByteArray keycloakToken(R"({
        "iss": "https://access.example/auth/realms/demo", "sub": "u-1",
        "name": "Jane Doe", "preferred_username": "jane", "email": "jane@example.com",
        "realm_access": {"roles": ["offline_access", "uma_authorization", "tenant-admin"]},
        "resource_access": {
            "urn:ads:platform:push-service": {"roles": ["stream-listener", "event-sender"]},
            "urn:ads:platform:event-service": {"roles": ["event-sender"]},
            "account": {"roles": ["manage-account", "view-profile"]}
        }})");
    // Push-service client roles both qualified and not; other clients only qualified.
    const QStringList keycloakRoles{"account:manage-account",
                                    "account:view-profile",
                                    "event-sender",
                                    "offline_access",
                                    "stream-listener",
                                    "tenant-admin",
                                    "uma_authorization",
                                    "urn:ads:platform:event-service:event-sender",
                                    "urn:ads:platform:push-service:event-sender",
                                    "urn:ads:platform:push-service:stream-listener"};
    QTest::newRow("keycloak token") << keycloakToken << "u-1"
                                    << "Jane Doe"
                                    << "jane@example.com" << keycloakRoles;
    QTest::newRow("name missing: preferred_username")
        << QByteArray(R"({"sub": "u-2", "preferred_username": "jdoe"})") << "u-2"
        << "jdoe" << QString() << QStringList();
    QTest::newRow("name empty: preferred_username")
        << QByteArray(R"({"sub": "u-2", "name": "", "preferred_username": "jdoe"})") << "u-2"
        << "jdoe" << QString() << QStringList();
    QTest::newRow("no name at all") << QByteArray(R"({"sub": "u-3", "email": "x@example.com"})")
                                    << "u-3" << QString() << "x@example.com" << QStringList();
    QTest::newRow("empty claims") << QByteArray("{}") << QString() << QString() << QString()
                                  << QStringList();
    QTest::newRow("sub a number") << QByteArray(R"({"sub": 7, "name": "N"})") << QString() << "N"
                                  << QString() << QStringList();
    QTest::newRow("only realm roles")
        << QByteArray(R"({"sub": "u", "realm_access": {"roles": ["b-role", "a-role"]}})") << "u"
        << QString() << QString() << QStringList{"a-role", "b-role"};
    QTest::newRow("other clients only qualified")
        << QByteArray(R"({"sub": "u",
        "resource_access": {
            "urn:ads:platform:event-service": {"roles": ["event-sender"]},
            "urn:ads:platform:form-service": {"roles": ["stream-listener"]}
        }})")
        << "u" << QString() << QString()
        << QStringList{"urn:ads:platform:event-service:event-sender",
                       "urn:ads:platform:form-service:stream-listener"};
    QTest::newRow("look-alike client names stay qualified")
        << QByteArray(R"({"sub": "u",
        "resource_access": {
            "push-service": {"roles": ["a"]},
            "urn:ads:platform:push-service-admin": {"roles": ["b"]},
            "URN:ADS:PLATFORM:PUSH-SERVICE": {"roles": ["c"]}
        }})")
        << "u" << QString() << QString()
        << QStringList{"URN:ADS:PLATFORM:PUSH-SERVICE:c", "push-service:a",
                       "urn:ads:platform:push-service-admin:b"};
    QTest::newRow("realm_access not an object")
        << QByteArray(R"({"sub": "u", "realm_access": ["admin"],
        "resource_access": {"urn:ads:platform:push-service": {"roles": ["stream-listener"]}}})")
        << "u" << QString() << QString()
        << QStringList{"stream-listener", "urn:ads:platform:push-service:stream-listener"};
    QTest::newRow("realm_access.roles not an array")
        << QByteArray(R"({"sub": "u", "realm_access": {"roles": "admin"}})") << "u" << QString()
        << QString() << QStringList();
    QTest::newRow("realm_access.roles missing") << QByteArray(R"({"sub": "u", "realm_access": {}})")
                                                << "u" << QString() << QString() << QStringList();
    QTest::newRow("resource_access not an object")
        << QByteArray(R"({"sub": "u", "realm_access": {"roles": ["r"]},
        "resource_access": [{"roles": ["x"]}]})")
        << "u" << QString() << QString() << QStringList{"r"};
    QTest::newRow("resource_access a string")
        << QByteArray(R"({"sub": "u", "resource_access": "urn:ads:platform:push-service"})") << "u"
        << QString() << QString() << QStringList();
    QTest::newRow("client entry not an object")
        << QByteArray(R"({"sub": "u", "resource_access": {
            "urn:ads:platform:push-service": ["stream-listener"],
            "account": {"roles": ["view-profile"]}}})")
        << "u" << QString() << QString() << QStringList{"account:view-profile"};
    QTest::newRow("client roles not an array")
        << QByteArray(R"({"sub": "u", "resource_access": {
            "urn:ads:platform:push-service": {"roles": "stream-listener"},
            "account": {"roles": ["view-profile"]}}})")
        << "u" << QString() << QString() << QStringList{"account:view-profile"};
    QTest::newRow("non-string roles ignored")
        << QByteArray(R"({"sub": "u",
        "realm_access": {"roles": [1, null, true, {"x": 1}, ["y"], "r"]},
        "resource_access": {"urn:ads:platform:push-service": {"roles": [2, null, "s", false]}}})")
        << "u" << QString() << QString()
        << QStringList{"r", "s", "urn:ads:platform:push-service:s"};
    QTest::newRow("no duplicate roles")
        << QByteArray(R"({"sub": "u",
        "realm_access": {"roles": ["a", "a", "stream-listener",
                                   "urn:ads:platform:push-service:stream-listener"]},
        "resource_access": {
            "urn:ads:platform:push-service": {"roles": ["stream-listener", "stream-listener"]},
            "account": {"roles": ["a", "a"]}
        }})")
        << "u" << QString() << QString()
        << QStringList{"a", "account:a", "stream-listener",
                       "urn:ads:platform:push-service:stream-listener"};
}

void TestAccess::fromClaims()
{
    QFETCH(QByteArray, claims);
    QFETCH(QString, id);
    QFETCH(QString, name);
    QFETCH(QString, email);
    QFETCH(QStringList, roles);

    const User user = User::fromClaims(parseObject(claims));
    QCOMPARE(user.id, id);
    QCOMPARE(user.name, name);
    QCOMPARE(user.email, email);
    QStringList actualRoles = user.roles;
    actualRoles.sort();
    QCOMPARE(actualRoles, roles); // sorted, so a duplicate shows as an extra entry
    // Left for the caller, who knows which tenant owns the realm.
    QVERIFY(!user.isCore);
    QVERIFY(user.tenantId.isEmpty());
}

void TestAccess::realmOfIssuer_data()
{
    QTest::addColumn<QString>("issuer");
    QTest::addColumn<QString>("realm"); // empty = none

    QTest::newRow("core") << "https://access.example/auth/realms/core"
                          << "core";
    QTest::newRow("trailing slash") << "https://access.example/auth/realms/my-tenant/"
                                    << "my-tenant";
    QTest::newRow("keycloak 17+ without /auth") << "https://access.example/realms/core"
                                                << "core";
    QTest::newRow("keycloak 17+ trailing slash") << "https://access.example/realms/demo/"
                                                 << "demo";
    QTest::newRow("http with port") << "http://localhost:8080/auth/realms/6f1c2b3a-tenant"
                                    << "6f1c2b3a-tenant";
    QTest::newRow("no /realms/") << "https://access.example/auth/core"
                                 << "";
    QTest::newRow("realms without a realm") << "https://access.example/auth/realms"
                                            << "";
    QTest::newRow("empty realm") << "https://access.example/auth/realms/"
                                 << "";
    QTest::newRow("nested path after the realm")
        << "https://access.example/auth/realms/core/protocol/openid-connect"
        << "";
    QTest::newRow("one level after the realm") << "https://access.example/auth/realms/core/x"
                                               << "";
    QTest::newRow("empty issuer") << ""
                                  << "";
}

void TestAccess::realmOfIssuer()
{
    QFETCH(QString, issuer);
    QFETCH(QString, realm);

    QCOMPARE(push::realmOfIssuer(issuer), realm);
}

void TestAccess::subscribeAccess_data()
{
    QTest::addColumn<QString>("user");                // see makeUser
    QTest::addColumn<QStringList>("roles");           // the user's roles, when claims is empty
    QTest::addColumn<QByteArray>("claims");           // non-empty: roles from User::fromClaims
    QTest::addColumn<bool>("publicSubscribe");        // of the stream
    QTest::addColumn<QStringList>("subscriberRoles"); // of the stream
    QTest::addColumn<QString>("context");             // tenant id; empty = cross-tenant
    QTest::addColumn<Access>("expected");

    const QStringList none;
    const QStringList listener{QStringLiteral("stream-listener")};
    const QStringList readers{QStringLiteral("form-reader"), QStringLiteral("auditor")};
    const QString cross;
    const QString demo = kContextTenant;
    const QByteArray noClaims;

    // Tenant context, public stream: anyone, with or without credentials.
    QTest::newRow("public: anonymous")
        << "anonymous" << none << noClaims << true << none << demo << Access::Allowed;
    QTest::newRow("public: member without roles")
        << "member" << none << noClaims << true << readers << demo << Access::Allowed;
    QTest::newRow("public: other tenant's user without roles")
        << "other" << none << noClaims << true << none << demo << Access::Allowed;
    QTest::newRow("public: core user without roles")
        << "core" << none << noClaims << true << none << demo << Access::Allowed;

    // Cross-tenant context: publicSubscribe does not count.
    QTest::newRow("public, cross-tenant: anonymous")
        << "anonymous" << none << noClaims << true << none << cross << Access::Unauthenticated;
    QTest::newRow("public, cross-tenant: core user without roles")
        << "core" << none << noClaims << true << none << cross << Access::Forbidden;
    QTest::newRow("public, cross-tenant: core user with stream-listener")
        << "core" << listener << noClaims << true << none << cross << Access::Allowed;
    QTest::newRow("public, cross-tenant: tenant user with stream-listener")
        << "member" << listener << noClaims << true << none << cross << Access::Forbidden;

    // Tenant context, private stream.
    QTest::newRow("private: anonymous")
        << "anonymous" << none << noClaims << false << none << demo << Access::Unauthenticated;
    QTest::newRow("private with subscriberRoles: anonymous")
        << "anonymous" << none << noClaims << false << readers << demo << Access::Unauthenticated;
    QTest::newRow("private: member without roles")
        << "member" << none << noClaims << false << readers << demo << Access::Forbidden;
    QTest::newRow("private: member with stream-listener")
        << "member" << listener << noClaims << false << none << demo << Access::Allowed;
    QTest::newRow("private: member with stream-listener, stream has subscriberRoles")
        << "member" << listener << noClaims << false << readers << demo << Access::Allowed;
    QTest::newRow("private: member with the first subscriberRole")
        << "member" << QStringList{"form-reader"} << noClaims << false << readers << demo
        << Access::Allowed;
    QTest::newRow("private: member with the second subscriberRole")
        << "member" << QStringList{"unrelated", "auditor"} << noClaims << false << readers << demo
        << Access::Allowed;
    QTest::newRow("private: member with an unrelated role")
        << "member" << QStringList{"tenant-admin"} << noClaims << false << readers << demo
        << Access::Forbidden;
    QTest::newRow("private: member with a role the stream does not list")
        << "member" << QStringList{"form-reader"} << noClaims << false << none << demo
        << Access::Forbidden;
    QTest::newRow("private: member with Stream-Listener (case differs)")
        << "member" << QStringList{"Stream-Listener"} << noClaims << false << none << demo
        << Access::Forbidden;
    // Only the unqualified role grants; fromClaims adds it next to the qualified one.
    QTest::newRow("private: member with only the qualified stream-listener")
        << "member" << QStringList{"urn:ads:platform:push-service:stream-listener"} << noClaims
        << false << none << demo << Access::Forbidden;
    QTest::newRow("private: member whose token has the push-service stream-listener")
        << "member" << none << QByteArray(R"({"sub": "u", "resource_access": {
            "urn:ads:platform:push-service": {"roles": ["stream-listener"]}}})")
        << false << none << demo << Access::Allowed;
    QTest::newRow("private: member whose token has the realm role stream-listener")
        << "member" << none << QByteArray(R"({"sub": "u",
            "realm_access": {"roles": ["stream-listener"]}})")
        << false << none << demo << Access::Allowed;
    QTest::newRow("private: member whose token has another client's stream-listener")
        << "member" << none << QByteArray(R"({"sub": "u", "resource_access": {
            "urn:ads:platform:form-service": {"roles": ["stream-listener"]}}})")
        << false << none << demo << Access::Forbidden;
    QTest::newRow("private: member whose token has a qualified subscriberRole")
        << "member" << none << QByteArray(R"({"sub": "u", "resource_access": {
            "urn:ads:platform:form-service": {"roles": ["form-reader"]}}})")
        << false << QStringList{"urn:ads:platform:form-service:form-reader"} << demo
        << Access::Allowed;
    QTest::newRow("private: other tenant's user with stream-listener")
        << "other" << listener << noClaims << false << none << demo << Access::Forbidden;
    QTest::newRow("private: other tenant's user with a subscriberRole")
        << "other" << QStringList{"auditor"} << noClaims << false << readers << demo
        << Access::Forbidden;
    QTest::newRow("private: user of no tenant with stream-listener")
        << "no-tenant" << listener << noClaims << false << none << demo << Access::Forbidden;
    QTest::newRow("private: core user with stream-listener")
        << "core" << listener << noClaims << false << none << demo << Access::Allowed;
    QTest::newRow("private: core user with a subscriberRole")
        << "core" << QStringList{"auditor"} << noClaims << false << readers << demo
        << Access::Allowed;
    QTest::newRow("private: core user without roles")
        << "core" << none << noClaims << false << readers << demo << Access::Forbidden;
    QTest::newRow("private: core user with an unrelated role")
        << "core" << QStringList{"tenant-admin"} << noClaims << false << readers << demo
        << Access::Forbidden;

    // Cross-tenant context, private stream: only core users holding a role.
    QTest::newRow("cross-tenant: core user with stream-listener")
        << "core" << listener << noClaims << false << none << cross << Access::Allowed;
    QTest::newRow("cross-tenant: core user with a subscriberRole")
        << "core" << QStringList{"form-reader"} << noClaims << false << readers << cross
        << Access::Allowed;
    QTest::newRow("cross-tenant: core user without roles")
        << "core" << none << noClaims << false << readers << cross << Access::Forbidden;
    QTest::newRow("cross-tenant: core user with an unrelated role")
        << "core" << QStringList{"tenant-admin"} << noClaims << false << readers << cross
        << Access::Forbidden;
    QTest::newRow("cross-tenant: tenant user with stream-listener")
        << "member" << listener << noClaims << false << none << cross << Access::Forbidden;
    QTest::newRow("cross-tenant: tenant user with a subscriberRole")
        << "member" << QStringList{"auditor"} << noClaims << false << readers << cross
        << Access::Forbidden;
    QTest::newRow("cross-tenant: user of no tenant with stream-listener")
        << "no-tenant" << listener << noClaims << false << none << cross << Access::Forbidden;
    QTest::newRow("cross-tenant: anonymous")
        << "anonymous" << none << noClaims << false << none << cross << Access::Unauthenticated;
}

void TestAccess::subscribeAccess()
{
    QFETCH(QString, user);
    QFETCH(QStringList, roles);
    QFETCH(QByteArray, claims);
    QFETCH(bool, publicSubscribe);
    QFETCH(QStringList, subscriberRoles);
    QFETCH(QString, context);
    QFETCH(Access, expected);

    Stream stream;
    stream.id = QStringLiteral("forms");
    stream.name = QStringLiteral("Forms");
    stream.publicSubscribe = publicSubscribe;
    stream.subscriberRoles = subscriberRoles;
    const std::optional<User> caller = makeUser(user, roles, claims);
    QCOMPARE(push::subscribeAccess(caller ? &*caller : nullptr, stream, context), expected);
}

void TestAccess::canPublish_data()
{
    QTest::addColumn<QStringList>("roles"); // when claims is empty
    QTest::addColumn<QByteArray>("claims"); // non-empty: roles from User::fromClaims
    QTest::addColumn<bool>("expected");

    const QByteArray noClaims;

    QTest::newRow("qualified event-service event-sender")
        << QStringList{"urn:ads:platform:event-service:event-sender"} << noClaims << true;
    QTest::newRow("event-service client event-sender in the token")
        << QStringList() << QByteArray(R"({"sub": "u", "resource_access": {
            "urn:ads:platform:event-service": {"roles": ["event-sender"]}}})")
        << true;
    QTest::newRow("push-service client event-sender in the token")
        << QStringList() << QByteArray(R"({"sub": "u", "resource_access": {
            "urn:ads:platform:push-service": {"roles": ["event-sender"]}}})")
        << true;
    // Unqualified realm roles and the push-service client's roles share one namespace (as in
    // ADSP), so a realm role "event-sender" is accepted too.
    QTest::newRow("realm role event-sender") << QStringList{"event-sender"} << noClaims << true;
    QTest::newRow("realm role event-sender in the token")
        << QStringList()
        << QByteArray(R"({"sub": "u", "realm_access": {"roles": ["event-sender"]}})") << true;
    QTest::newRow("qualified push-service event-sender alone")
        << QStringList{"urn:ads:platform:push-service:event-sender"} << noClaims << false;
    QTest::newRow("another client's event-sender in the token")
        << QStringList() << QByteArray(R"({"sub": "u", "resource_access": {
            "urn:ads:platform:form-service": {"roles": ["event-sender"]}}})")
        << false;
    QTest::newRow("another event-service role")
        << QStringList{"urn:ads:platform:event-service:event-reader"} << noClaims << false;
    QTest::newRow("stream-listener") << QStringList{"stream-listener"} << noClaims << false;
    QTest::newRow("Event-Sender (case differs)")
        << QStringList{"Event-Sender"} << noClaims << false;
    QTest::newRow("event-senders (longer)") << QStringList{"event-senders"} << noClaims << false;
    QTest::newRow("no roles") << QStringList() << noClaims << false;
}

void TestAccess::canPublish()
{
    QFETCH(QStringList, roles);
    QFETCH(QByteArray, claims);
    QFETCH(bool, expected);

    const std::optional<User> user = makeUser(QStringLiteral("member"), roles, claims);
    QVERIFY(user.has_value());
    QCOMPARE(push::canPublish(*user), expected);
}

QTEST_APPLESS_MAIN(TestAccess)
#include "tst_access.moc"
