// Identity against the running service: Keycloak-shaped tokens signed by a test key that
// a real local HTTP server publishes (Keycloak certs URL, OIDC discovery), every rule of
// "Who may subscribe", and the attacks a verifier must turn away with 401.
#include "auth/jwt.h"
#include "auth/keys.h"
#include "support/jwksserver.h"
#include "support/serviceprocess.h"
#include "support/sseclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

using namespace push::auth;

namespace {

const QString kSender = QStringLiteral("urn:ads:platform:event-service");
const QString kPush = QStringLiteral("urn:ads:platform:push-service");

QJsonObject stream(const QString &id, bool isPublic, const QStringList &roles,
                   const QString &eventName)
{
    return {{"id", id},
            {"name", id},
            {"publicSubscribe", isPublic},
            {"subscriberRoles", QJsonArray::fromStringList(roles)},
            {"events", QJsonArray{QJsonObject{{"namespace", "test"}, {"name", eventName}}}}};
}

} // namespace

class TestAuth final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void subscribeRules_data();
    void subscribeRules();
    void streamListShowsWhatOneMaySubscribeTo();
    void acceptsEveryAlgorithm_data();
    void acceptsEveryAlgorithm();
    void deliversOnlyToAllowedSubscribersAndTenants();
    void rejectsAttacks_data();
    void rejectsAttacks();
    void unknownKeyIdFloodIsBounded();
    void rejectsHugeTokens();
    void headerWinsOverQuery();
    void fetchesRotatedKeys();
    void findsKeysThroughOidcDiscovery();
    void trustsStaticIssuers();

private:
    QString issuer(const QString &realm) const { return m_idp.baseUrl() + "/auth/realms/" + realm; }
    // Claims shaped exactly like a Keycloak access token.
    QJsonObject claims(const QString &realm, const QStringList &realmRoles,
                       const QStringList &pushRoles = {},
                       const QStringList &senderRoles = {}) const;
    QByteArray token(const QJsonObject &claims, const QString &alg = "RS256",
                     const QString &kid = "rsa-1") const;
    QByteArray token(const QString &realm, const QStringList &realmRoles,
                     const QStringList &pushRoles = {}) const
    {
        return token(claims(realm, realmRoles, pushRoles));
    }
    int status(const QString &path, const QByteArray &bearer) const;
    QString error(const QString &path, const QByteArray &bearer) const;

    JwksServer m_idp;
    KeyPtr m_rsa;
    KeyPtr m_ec;
    KeyPtr m_ec384;
    ServiceProcess m_service;
};

void TestAuth::initTestCase()
{
    m_rsa = generateRsaKey(2048);
    m_ec = generateEcKey("P-256");
    m_ec384 = generateEcKey("P-384");
    QVERIFY(m_rsa && m_ec && m_ec384);
    m_idp.setJwks(
        {{"keys", QJsonArray{toJwk(m_rsa, "rsa-1", QString()), toJwk(m_ec, "ec-1", "ES256"),
                             toJwk(m_ec384, "ec-2", "ES384")}}});
    QVERIFY(m_idp.start());

    QCOMPARE(m_service.admin(
                 {"tenant", "add", "--name", "Other", "--id", "other", "--realm", "other-realm"}),
             0);
    QVERIFY(m_service.setConfiguration(
        "demo",
        {{"application-health", stream("application-health", true, {}, "public")},
         {"private-stream", stream("private-stream", false, {"private-reader"}, "private")}}));
    QVERIFY(m_service.setConfiguration(
        "other",
        {{"private-stream", stream("private-stream", false, {"private-reader"}, "private")}}));
    QVERIFY(m_service.setConfiguration(
        "--core", {{"core-stream", stream("core-stream", false, {}, "core")}}));
    m_service.setEnv("PUSH_KEY_REFRESH_SECONDS", "60");
    m_service.setEnv("PUSH_OIDC_ISSUERS", m_idp.baseUrl() + "/oidc/realms/core");
    QVERIFY(m_service.start({"--keycloak-url", m_idp.baseUrl()}));
    QVERIFY(m_service.log().contains("development token issuer is off"));
}

void TestAuth::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << "service log:\n" << m_service.log().right(3000);
    QVERIFY2(m_service.isRunning(), "the service must survive every token");
}

QJsonObject TestAuth::claims(const QString &realm, const QStringList &realmRoles,
                             const QStringList &pushRoles, const QStringList &senderRoles) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject resourceAccess{{"account", QJsonObject{{"roles", QJsonArray{"view-profile"}}}}};
    if (!pushRoles.isEmpty())
        resourceAccess.insert(kPush, QJsonObject{{"roles", QJsonArray::fromStringList(pushRoles)}});
    if (!senderRoles.isEmpty())
        resourceAccess.insert(kSender,
                              QJsonObject{{"roles", QJsonArray::fromStringList(senderRoles)}});
    return {{"exp", now + 300},
            {"iat", now},
            {"auth_time", now},
            {"jti", QUuid::createUuid().toString(QUuid::WithoutBraces)},
            {"iss", issuer(realm)},
            {"aud", QJsonArray{kPush, "account"}},
            {"sub", "user-of-" + realm},
            {"typ", "Bearer"},
            {"azp", "portal-app"},
            {"session_state", QUuid::createUuid().toString(QUuid::WithoutBraces)},
            {"acr", "1"},
            {"realm_access", QJsonObject{{"roles", QJsonArray::fromStringList(realmRoles)}}},
            {"resource_access", resourceAccess},
            {"scope", "openid email profile"},
            {"email_verified", true},
            {"name", "Test User"},
            {"preferred_username", "test.user"},
            {"email", "test.user@example.org"}};
}

QByteArray TestAuth::token(const QJsonObject &claims, const QString &alg, const QString &kid) const
{
    const KeyPtr key = alg.startsWith("ES384") ? m_ec384 : alg.startsWith("ES") ? m_ec : m_rsa;
    return encodeToken(claims, alg, key, kid);
}

int TestAuth::status(const QString &path, const QByteArray &bearer) const
{
    // SSE answers stay open: read the status from the head with the raw client.
    SseClient client;
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!bearer.isEmpty())
        headers.append({"Authorization", "Bearer " + bearer});
    client.open(m_service.port(), path.toUtf8(), headers);
    QSignalSpy head(&client, &SseClient::headReceived);
    if (!head.wait(10000))
        return -1;
    return client.status();
}

QString TestAuth::error(const QString &path, const QByteArray &bearer) const
{
    const auto reply = m_service.get(
        path, bearer.isEmpty()
                  ? QList<QPair<QByteArray, QByteArray>>{}
                  : QList<QPair<QByteArray, QByteArray>>{{"Authorization", "Bearer " + bearer}});
    return reply.json().value("errorMessage").toString();
}

void TestAuth::subscribeRules_data()
{
    QTest::addColumn<QString>("realm"); // empty: anonymous
    QTest::addColumn<QStringList>("realmRoles");
    QTest::addColumn<QStringList>("pushRoles");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("expected");
    const QString demoPrivate = "/stream/v1/streams/private-stream?tenant=demo";
    const QString demoPublic = "/stream/v1/streams/application-health?tenant=demo";
    const QStringList none;
    const QStringList listener{"stream-listener"};
    QTest::newRow("anonymous, public stream") << QString() << none << none << demoPublic << 200;
    QTest::newRow("anonymous, private stream") << QString() << none << none << demoPrivate << 401;
    QTest::newRow("anonymous, no tenant")
        << QString() << none << none << "/stream/v1/streams/application-health" << 400;
    QTest::newRow("member, no roles") << "demo" << none << none << demoPrivate << 403;
    QTest::newRow("member, push-service stream-listener")
        << "demo" << none << listener << demoPrivate << 200;
    QTest::newRow("member, realm role stream-listener")
        << "demo" << listener << none << demoPrivate << 200;
    QTest::newRow("member, a subscriber role")
        << "demo" << QStringList{"private-reader"} << none << demoPrivate << 200;
    QTest::newRow("member, unrelated role")
        << "demo" << QStringList{"admin"} << QStringList{"other-role"} << demoPrivate << 403;
    QTest::newRow("member, public stream") << "demo" << none << none << demoPublic << 200;
    QTest::newRow("member, own tenant from the token")
        << "demo" << none << listener << "/stream/v1/streams/private-stream" << 200;
    QTest::newRow("other tenant's user with stream-listener")
        << "other-realm" << none << listener << demoPrivate << 403;
    QTest::newRow("other tenant's user, own stream")
        << "other-realm" << none << listener << "/stream/v1/streams/private-stream?tenant=other"
        << 200;
    QTest::newRow("core user with stream-listener, tenant context")
        << "core" << none << listener << demoPrivate << 200;
    QTest::newRow("core user with a subscriber role")
        << "core" << QStringList{"private-reader"} << none << demoPrivate << 200;
    QTest::newRow("core user without roles") << "core" << none << none << demoPrivate << 403;
    QTest::newRow("cross-tenant, core user with stream-listener")
        << "core" << none << listener << "/stream/v1/streams/core-stream" << 200;
    QTest::newRow("cross-tenant, core user without roles")
        << "core" << none << none << "/stream/v1/streams/core-stream" << 403;
    QTest::newRow("cross-tenant, tenant streams are not there")
        << "core" << none << listener << "/stream/v1/streams/private-stream" << 404;
    QTest::newRow("realm of no tenant") << "nowhere" << none << listener << demoPublic << 401;
}

void TestAuth::subscribeRules()
{
    QFETCH(QString, realm);
    QFETCH(QStringList, realmRoles);
    QFETCH(QStringList, pushRoles);
    QFETCH(QString, path);
    QFETCH(int, expected);
    const QByteArray bearer = realm.isEmpty() ? QByteArray() : token(realm, realmRoles, pushRoles);
    QCOMPARE(status(path, bearer), expected);
    // The same through the `token` query parameter (EventSource cannot set headers).
    if (!bearer.isEmpty()) {
        const QString withToken =
            path + (path.contains('?') ? "&" : "?") + "token=" + QString::fromLatin1(bearer);
        QCOMPARE(status(withToken, {}), expected);
    }
}

void TestAuth::streamListShowsWhatOneMaySubscribeTo()
{
    const auto list = [this](const QByteArray &bearer, const QString &query) {
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!bearer.isEmpty())
            headers.append({"Authorization", "Bearer " + bearer});
        QStringList keys = m_service.get("/stream/v1/streams" + query, headers).json().keys();
        keys.sort();
        return keys;
    };
    QCOMPARE(list({}, "?tenant=demo"), QStringList{"application-health"});
    QCOMPARE(list(token("demo", {}, {"stream-listener"}), QString()),
             (QStringList{"application-health", "core-stream", "private-stream"}));
    QCOMPARE(list(token("demo", {"private-reader"}), "?tenant=demo"),
             (QStringList{"application-health", "private-stream"}));
    QCOMPARE(list(token("other-realm", {}, {"stream-listener"}), "?tenant=demo"),
             QStringList{"application-health"});
    QCOMPARE(list(token("core", {}, {"stream-listener"}), QString()), QStringList{"core-stream"});
}

void TestAuth::acceptsEveryAlgorithm_data()
{
    QTest::addColumn<QString>("alg");
    QTest::addColumn<QString>("kid");
    for (const char *alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
        QTest::newRow(alg) << alg << "rsa-1";
    QTest::newRow("ES256") << "ES256"
                           << "ec-1";
    QTest::newRow("ES384") << "ES384"
                           << "ec-2";
}

void TestAuth::acceptsEveryAlgorithm()
{
    QFETCH(QString, alg);
    QFETCH(QString, kid);
    const QByteArray bearer = token(claims("demo", {}, {"stream-listener"}), alg, kid);
    QVERIFY(!bearer.isEmpty());
    QCOMPARE(status("/stream/v1/streams/private-stream?tenant=demo", bearer), 200);
}

void TestAuth::deliversOnlyToAllowedSubscribersAndTenants()
{
    SseClient demoListener;
    SseClient otherListener;
    SseClient coreCrossTenant;
    demoListener.open(m_service.port(), "/stream/v1/streams/private-stream",
                      {{"Authorization", "Bearer " + token("demo", {}, {"stream-listener"})}});
    otherListener.open(
        m_service.port(), "/stream/v1/streams/private-stream",
        {{"Authorization", "Bearer " + token("other-realm", {}, {"stream-listener"})}});
    for (SseClient *client : {&demoListener, &otherListener}) {
        QTRY_VERIFY_WITH_TIMEOUT(client->status() != 0, 5000); // the head arrived
        QCOMPARE(client->status(), 200);
    }
    // Tenant A's sender (a Keycloak token with the event service's client role).
    const QByteArray demoSender = token(claims("demo", {}, {}, {"event-sender"}));
    const auto publish = [this](const QByteArray &bearer, const QByteArray &body) {
        return m_service.request(
            "POST", "/event/v1/events", body,
            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + bearer}});
    };
    const QByteArray event =
        R"({"namespace":"test","name":"private","timestamp":"2026-11-26T10:00:00Z","payload":{"n":1}})";
    QCOMPARE(publish(demoSender, event).status, 200);
    QTRY_COMPARE(demoListener.events().size(), 1);
    QCOMPARE(demoListener.events()[0].json().value("tenantId").toString(),
             "urn:ads:platform:tenant-service:v2:/tenants/demo");
    // Naming tenant B is refused for a tenant user; nothing reaches B.
    const QByteArray toOther =
        R"({"tenantId":"other","namespace":"test","name":"private","timestamp":"2026-11-26T10:00:00Z","payload":{"n":2}})";
    QCOMPARE(publish(demoSender, toOther).status, 403);
    // A listener without a sender role cannot publish.
    QCOMPARE(publish(token("demo", {}, {"stream-listener"}), event).status, 403);
    // The first event B's listener gets is one published for B afterwards, and A's
    // listener's next one is A's own later event.
    const QByteArray laterForOther =
        R"({"namespace":"test","name":"private","timestamp":"2026-11-26T10:00:00Z","payload":{"n":3}})";
    QCOMPARE(publish(token(claims("other-realm", {}, {}, {"event-sender"})), laterForOther).status,
             200);
    QCOMPARE(publish(demoSender, laterForOther).status, 200);
    QTRY_COMPARE(otherListener.events().size(), 1);
    QCOMPARE(otherListener.events()[0].json().value("payload").toObject().value("n").toInt(), 3);
    QTRY_COMPARE(demoListener.events().size(), 2);
    QCOMPARE(demoListener.events()[1].json().value("payload").toObject().value("n").toInt(), 3);
}

void TestAuth::rejectsAttacks_data()
{
    QTest::addColumn<QByteArray>("bearer");
    QTest::addColumn<QString>("message");
    const QJsonObject good = claims("demo", {}, {"stream-listener"});
    const auto encode = [](const QJsonObject &o) {
        return base64UrlEncode(QJsonDocument(o).toJson(QJsonDocument::Compact));
    };
    const QByteArray payload = encode(good);

    QTest::newRow("alg none") << encode({{"alg", "none"}, {"typ", "JWT"}}) + '.' + payload + '.'
                              << "algorithm 'none'";
    // Algorithm confusion: HS256 keyed with the RSA public key's PEM.
    const QByteArray input =
        encode({{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "rsa-1"}}) + '.' + payload;
    QByteArray publicPem;
    {
        QJsonObject jwk = toJwk(m_rsa, "rsa-1", QString());
        publicPem = QJsonDocument(jwk).toJson(QJsonDocument::Compact);
    }
    QTest::newRow("HS256 with the RSA public key")
        << input + '.' + base64UrlEncode(signHmac("HS256", publicPem, input))
        << "HS256 is not accepted";
    QByteArray tampered = token(good);
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    QTest::newRow("bad signature") << tampered << "signature";
    QJsonObject changed = good;
    changed.insert("realm_access", QJsonObject{{"roles", QJsonArray{"admin"}}});
    const QByteArray original = token(good);
    QTest::newRow("payload swapped under a valid signature")
        << original.left(original.indexOf('.') + 1) + encode(changed) +
               original.mid(original.lastIndexOf('.'))
        << "signature";
    QJsonObject expired = good;
    expired.insert("exp", QDateTime::currentSecsSinceEpoch() - 3600);
    QTest::newRow("expired") << token(expired) << "expired";
    QJsonObject noExpiry = good;
    noExpiry.remove("exp");
    QTest::newRow("no exp") << token(noExpiry) << "no expiry";
    QJsonObject early = good;
    early.insert("nbf", QDateTime::currentSecsSinceEpoch() + 3600);
    QTest::newRow("not yet valid") << token(early) << "not valid yet";
    // NumericDate claims of another JSON type are refused, not ignored (RFC 7519 §2).
    const QList<QPair<const char *, QJsonValue>> notNumbers = {
        {"string", QJsonValue("2099-01-01")},
        {"true", QJsonValue(true)},
        {"null", QJsonValue(QJsonValue::Null)},
        {"object", QJsonObject{}}};
    for (const char *claim : {"nbf", "exp", "iat"}) {
        for (const auto &[kind, value] : notNumbers) {
            QJsonObject odd = good;
            odd.insert(claim, value);
            QTest::addRow("%s is %s", claim, kind)
                << token(odd) << QStringLiteral("the token's %1 is not a number").arg(claim);
        }
    }
    // RFC 7515 §4.1.11: an extension the service does not understand makes the token invalid,
    // even under a valid signature.
    const auto signedWithHeader = [&](const QJsonObject &header) {
        const QByteArray in = encode(header) + '.' + payload;
        return in + '.' + base64UrlEncode(sign("RS256", m_rsa, in));
    };
    const QJsonObject rs256{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", "rsa-1"}};
    QJsonObject critical = rs256;
    critical.insert("crit", QJsonArray{"http://example.invalid/must-understand"});
    critical.insert("http://example.invalid/must-understand", true);
    QTest::newRow("unknown crit extension")
        << signedWithHeader(critical) << "crit header names extensions";
    QJsonObject critEmpty = rs256;
    critEmpty.insert("crit", QJsonArray{});
    QTest::newRow("empty crit") << signedWithHeader(critEmpty) << "crit header is not";
    QJsonObject critString = rs256;
    critString.insert("crit", "exp");
    QTest::newRow("crit not a list") << signedWithHeader(critString) << "crit header is not";
    QJsonObject foreign = good;
    foreign.insert("iss", "http://evil.example/auth/realms/demo");
    QTest::newRow("wrong issuer") << token(foreign) << "not trusted";
    QJsonObject otherAudience = good;
    otherAudience.insert("aud", "some-other-client");
    QTest::newRow("wrong audience") << token(otherAudience) << "audience";
    QTest::newRow("unknown kid") << token(good, "RS256", "no-such-key")
                                 << "key id 'no-such-key' is unknown";
    QTest::newRow("RS256 naming the EC key") << token(good, "RS256", "ec-1") << "signature";
    QTest::newRow("ES256 naming the P-384 key") << token(good, "ES256", "ec-2") << "signature";
    QTest::newRow("malformed base64") << QByteArray("abc.d$f.ghi") << "base64";
    QTest::newRow("malformed JSON") << base64UrlEncode("{\"alg\":") + '.' + payload + ".c2ln"
                                    << "header";
    QTest::newRow("two parts") << QByteArray("abc.def") << "three dot-separated parts";
    QTest::newRow("not a JWT at all") << QByteArray("hello") << "three dot-separated parts";
}

void TestAuth::rejectsAttacks()
{
    QFETCH(QByteArray, bearer);
    QFETCH(QString, message);
    const QString path = "/stream/v1/streams/private-stream?tenant=demo";
    QCOMPARE(status(path, bearer), 401);
    const QString text = error(path, bearer);
    QVERIFY2(text.contains(message), qPrintable(text));
    // A bad token is refused even on a public stream: it is never silently anonymous.
    QCOMPARE(status("/stream/v1/streams/application-health?tenant=demo", bearer), 401);
}

void TestAuth::unknownKeyIdFloodIsBounded()
{
    const QJsonObject good = claims("demo", {}, {"stream-listener"});
    QCOMPARE(status("/stream/v1/streams/private-stream?tenant=demo", token(good)),
             200); // keys known
    const int before = m_idp.requests("/certs");
    for (int i = 0; i < 40; ++i)
        QCOMPARE(m_service
                     .get("/stream/v1/streams?tenant=demo",
                          {{"Authorization",
                            "Bearer " + token(good, "RS256", QStringLiteral("flood-%1").arg(i))}})
                     .status,
                 401);
    QVERIFY2(m_idp.requests("/certs") - before <= 1,
             qPrintable(QStringLiteral("%1 key fetches for 40 unknown kids")
                            .arg(m_idp.requests("/certs") - before)));
}

void TestAuth::rejectsHugeTokens()
{
    const auto raw = [this](const QByteArray &request) {
        QTcpSocket socket;
        socket.connectToHost(QStringLiteral("127.0.0.1"), m_service.port());
        if (!socket.waitForConnected(5000))
            return QByteArray();
        socket.write(request);
        QByteArray answer;
        while (socket.waitForReadyRead(5000) && !answer.contains("\r\n\r\n"))
            answer += socket.readAll();
        return answer;
    };
    const QByteArray megabyte(1024 * 1024, 'a');
    QByteArray answer =
        raw("GET /stream/v1/streams?tenant=demo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
            megabyte + "\r\n\r\n");
    QVERIFY2(answer.startsWith("HTTP/1.1 401"), answer.left(100).constData());
    answer = raw("GET /stream/v1/streams?tenant=demo&token=" + megabyte +
                 " HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(answer.startsWith("HTTP/1.1 401"), answer.left(100).constData());
    // Under the HTTP limit but over the token limit (16 KiB).
    QJsonObject padded = claims("demo", {}, {"stream-listener"});
    padded.insert("padding", QString(20000, 'x'));
    QCOMPARE(status("/stream/v1/streams/private-stream?tenant=demo", token(padded)), 401);
    QVERIFY(error("/stream/v1/streams/private-stream?tenant=demo", token(padded))
                .contains("larger than"));
}

void TestAuth::headerWinsOverQuery()
{
    const QByteArray good = token("demo", {}, {"stream-listener"});
    const QString path = "/stream/v1/streams/private-stream?tenant=demo&token=";
    QCOMPARE(status(path + "garbage", good), 200);                      // header good, query bad
    QCOMPARE(status(path + QString::fromLatin1(good), "garbage"), 401); // header bad, query good
}

void TestAuth::fetchesRotatedKeys()
{
    // A second service that may refetch every second: a key that appears in the JWKS
    // after the first fetch is picked up when a token names it.
    ServiceProcess service;
    service.setEnv("PUSH_KEY_REFRESH_SECONDS", "1");
    QVERIFY(service.start({"--keycloak-url", m_idp.baseUrl()}));
    const QJsonObject good = claims("demo", {}, {"stream-listener"});
    const auto listStatus = [&](const QByteArray &bearer) {
        return service
            .get("/stream/v1/streams?tenant=demo", {{"Authorization", "Bearer " + bearer}})
            .status;
    };
    QCOMPARE(listStatus(token(good)), 200);
    const KeyPtr rotated = generateRsaKey(2048);
    QJsonObject jwks{
        {"keys", QJsonArray{toJwk(m_rsa, "rsa-1", QString()), toJwk(rotated, "rsa-2", "RS256")}}};
    m_idp.setJwks(jwks);
    // A wait for the clock, not for something not to happen: the service refetches only
    // once a second has passed since the last fetch, and what follows is positive.
    QTest::qWait(1100);
    QCOMPARE(listStatus(encodeToken(good, "RS256", rotated, "rsa-2")), 200);
}

void TestAuth::findsKeysThroughOidcDiscovery()
{
    QJsonObject oidc = claims("core", {}, {"stream-listener"});
    oidc.insert("iss", m_idp.baseUrl() + "/oidc/realms/core");
    const int discoveries = m_idp.requests("/oidc/realms/core/.well-known/openid-configuration");
    QCOMPARE(status("/stream/v1/streams/core-stream", token(oidc)), 200);
    QCOMPARE(m_idp.requests("/oidc/realms/core/.well-known/openid-configuration"), discoveries + 1);
    QCOMPARE(status("/stream/v1/streams/core-stream", token(oidc)), 200); // keys now cached
    QCOMPARE(m_idp.requests("/oidc/realms/core/.well-known/openid-configuration"), discoveries + 1);
}

void TestAuth::trustsStaticIssuers()
{
    QTemporaryDir dir;
    const KeyPtr pemKey = generateRsaKey(2048);
    QFile jwks(dir.filePath("jwks.json"));
    QVERIFY(jwks.open(QIODevice::WriteOnly));
    jwks.write(QJsonDocument(QJsonObject{{"keys", QJsonArray{toJwk(m_ec, "static-ec", "ES256")}}})
                   .toJson());
    jwks.close();
    // The PEM file holds only the public key (SubjectPublicKeyInfo), through OpenSSL.
    QProcess openssl;
    QFile privatePem(dir.filePath("private.pem"));
    QVERIFY(privatePem.open(QIODevice::WriteOnly));
    privatePem.write(privateKeyToPem(pemKey));
    privatePem.close();
    openssl.start("openssl", {"pkey", "-in", privatePem.fileName(), "-pubout", "-out",
                              dir.filePath("public.pem")});
    QVERIFY(openssl.waitForFinished(10000) && openssl.exitCode() == 0);
    const QByteArray secret(40, 's');
    QFile issuers(dir.filePath("issuers.json"));
    QVERIFY(issuers.open(QIODevice::WriteOnly));
    issuers.write(QJsonDocument(QJsonArray{
                                    QJsonObject{{"issuer", "https://static.example/realms/demo"},
                                                {"jwksFile", jwks.fileName()}},
                                    QJsonObject{{"issuer", "https://pem.example/realms/demo"},
                                                {"pemFile", dir.filePath("public.pem")}},
                                    QJsonObject{{"issuer", "https://hs.example/realms/demo"},
                                                {"hs256Secret", QString::fromLatin1(secret)}},
                                })
                      .toJson());
    issuers.close();

    ServiceProcess service;
    QVERIFY(service.setConfiguration(
        "demo", {{"private-stream", stream("private-stream", false, {}, "private")}}));
    QVERIFY(service.start({"--issuers-file", issuers.fileName()}));
    const auto listed = [&](const QByteArray &bearer) {
        return service.get("/stream/v1/streams?tenant=demo",
                           {{"Authorization", "Bearer " + bearer}});
    };
    QJsonObject c = claims("demo", {}, {"stream-listener"});
    c.insert("iss", "https://static.example/realms/demo");
    QCOMPARE(listed(encodeToken(c, "ES256", m_ec, "static-ec")).json().keys(),
             QStringList{"private-stream"});
    c.insert("iss", "https://pem.example/realms/demo");
    QCOMPARE(listed(encodeToken(c, "RS256", pemKey, QString())).json().keys(),
             QStringList{"private-stream"});
    QCOMPARE(listed(encodeToken(c, "RS256", m_rsa, QString())).status, 401); // another key
    c.insert("iss", "https://hs.example/realms/demo");
    const QByteArray input = base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + '.' +
                             base64UrlEncode(QJsonDocument(c).toJson(QJsonDocument::Compact));
    QCOMPARE(listed(input + '.' + base64UrlEncode(signHmac("HS256", secret, input))).json().keys(),
             QStringList{"private-stream"});
    QCOMPARE(
        listed(input + '.' + base64UrlEncode(signHmac("HS256", QByteArray(40, 'x'), input))).status,
        401);
    // A static issuer does not make the others trusted, nor the development issuer.
    QVERIFY(service.log().contains("development token issuer is off"));
}

QTEST_MAIN(TestAuth)
#include "tst_auth.moc"
