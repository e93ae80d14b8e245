// The embedded default's development issuer: tokens from `push-service token` against a
// private stream, and when the issuer is trusted or not.
#include "support/serviceprocess.h"
#include "support/sseclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

class TestDevTokens final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void privateStream_data();
    void privateStream();
    void deliversOnlyToAllowedAndOwnTenant();
    void tokenLooksLikeKeycloaks();
    void devIssuerOffRefusesDevTokens();

private:
    int status(const QByteArray &path, const QByteArray &bearer);
    ServiceProcess m_service;
};

void TestDevTokens::initTestCase()
{
    QCOMPARE(m_service.admin({"tenant", "add", "--name", "Tenant B", "--id", "tenant-b"}), 0);
    const QJsonObject secret{
        {"id", "secret"},
        {"name", "Secret"},
        {"subscriberRoles", QJsonArray{"secret-reader"}},
        {"events", QJsonArray{QJsonObject{{"namespace", "test"}, {"name", "secret"}}}}};
    QVERIFY(m_service.setConfiguration("demo", {{"secret", secret}}));
    QVERIFY(m_service.setConfiguration("tenant-b", {{"secret", secret}}));
    m_service.setEnv("PUSH_TOKEN_LEEWAY_SECONDS", "0"); // so that a 1 s token expires quickly
    QVERIFY(m_service.start());
    QVERIFY(m_service.log().contains("development token issuer is ON"));
}

int TestDevTokens::status(const QByteArray &path, const QByteArray &bearer)
{
    SseClient client;
    client.open(m_service.port(), path,
                bearer.isEmpty()
                    ? QList<QPair<QByteArray, QByteArray>>{}
                    : QList<QPair<QByteArray, QByteArray>>{{"Authorization", "Bearer " + bearer}});
    QSignalSpy head(&client, &SseClient::headReceived);
    return head.wait(5000) ? client.status() : -1;
}

void TestDevTokens::privateStream_data()
{
    QTest::addColumn<QStringList>("tokenArguments"); // empty: no token
    QTest::addColumn<int>("expected");
    QTest::newRow("no token") << QStringList() << 401;
    QTest::newRow("member without roles") << QStringList{"--tenant", "demo"} << 403;
    QTest::newRow("member with the subscriber role")
        << QStringList{"--tenant", "demo", "--roles", "secret-reader"} << 200;
    QTest::newRow("member with stream-listener (client role)")
        << QStringList{"--tenant", "demo", "--roles",
                       "urn:ads:platform:push-service:stream-listener"}
        << 200;
    QTest::newRow("other tenant's member")
        << QStringList{"--tenant", "tenant-b", "--roles", "secret-reader"} << 403;
    QTest::newRow("core user with stream-listener")
        << QStringList{"--core", "--roles", "urn:ads:platform:push-service:stream-listener"} << 200;
    QTest::newRow("expired") << QStringList{"--tenant",      "demo",  "--roles",
                                            "secret-reader", "--ttl", "1"}
                             << 401;
}

void TestDevTokens::privateStream()
{
    QFETCH(QStringList, tokenArguments);
    QFETCH(int, expected);
    QByteArray bearer;
    if (!tokenArguments.isEmpty()) {
        bearer = m_service.token(tokenArguments);
        QVERIFY(!bearer.isEmpty());
    }
    if (tokenArguments.contains("--ttl")) {
        // A token of one second (`push-service token` mints none already expired): asked
        // again until its exp has passed (no leeway on this service), it is refused.
        QTRY_COMPARE_WITH_TIMEOUT(status("/stream/v1/streams/secret?tenant=demo", bearer), expected,
                                  10000);
        return;
    }
    QCOMPARE(status("/stream/v1/streams/secret?tenant=demo", bearer), expected);
}

void TestDevTokens::deliversOnlyToAllowedAndOwnTenant()
{
    SseClient allowed;
    SseClient tenantB;
    allowed.open(m_service.port(), "/stream/v1/streams/secret",
                 {{"Authorization",
                   "Bearer " + m_service.token({"--tenant", "demo", "--roles", "secret-reader"})}});
    tenantB.open(m_service.port(), "/stream/v1/streams/secret",
                 {{"Authorization", "Bearer " + m_service.token({"--tenant", "tenant-b", "--roles",
                                                                 "secret-reader"})}});
    for (SseClient *client : {&allowed, &tenantB}) {
        QTRY_VERIFY_WITH_TIMEOUT(client->status() != 0, 5000); // the head arrived
        QCOMPARE(client->status(), 200);
    }
    const QByteArray sender = m_service.token(
        {"--tenant", "demo", "--roles", "urn:ads:platform:event-service:event-sender"});
    const auto reply = m_service.request(
        "POST", "/event/v1/events",
        R"({"namespace":"test","name":"secret","timestamp":"2026-11-26T10:00:00Z","payload":{"x":1}})",
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + sender}});
    QCOMPARE(reply.status, 200);
    QTRY_COMPARE(allowed.events().size(), 1);
    // Tenant A's event never reaches tenant B: B's first event is one published for B.
    const QByteArray senderB = m_service.token(
        {"--tenant", "tenant-b", "--roles", "urn:ads:platform:event-service:event-sender"});
    QCOMPARE(
        m_service
            .request(
                "POST", "/event/v1/events",
                R"({"namespace":"test","name":"secret","timestamp":"2026-11-26T10:00:00Z","payload":{"x":2}})",
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + senderB}})
            .status,
        200);
    QTRY_COMPARE(tenantB.events().size(), 1);
    QCOMPARE(tenantB.events()[0].json().value("payload").toObject().value("x").toInt(), 2);
}

void TestDevTokens::tokenLooksLikeKeycloaks()
{
    const QByteArray token =
        m_service.token({"--tenant", "demo", "--sub", "u-1", "--name", "Dana", "--roles",
                         "reader,urn:ads:platform:push-service:stream-listener"});
    const QJsonObject claims =
        QJsonDocument::fromJson(
            QByteArray::fromBase64(token.split('.').value(1), QByteArray::Base64UrlEncoding))
            .object();
    QCOMPARE(claims.value("sub").toString(), "u-1");
    QCOMPARE(claims.value("name").toString(), "Dana");
    QVERIFY(claims.value("iss").toString().endsWith("/auth/realms/demo"));
    QVERIFY(claims.value("aud").toArray().contains("urn:ads:platform:push-service"));
    QCOMPARE(claims.value("realm_access").toObject().value("roles").toArray(),
             QJsonArray{"reader"});
    QCOMPARE(claims.value("resource_access")
                 .toObject()
                 .value("urn:ads:platform:push-service")
                 .toObject()
                 .value("roles")
                 .toArray(),
             QJsonArray{"stream-listener"});
    QVERIFY(claims.value("exp").toInteger() > claims.value("iat").toInteger());
    QVERIFY(!claims.value("azp").toString().isEmpty());
}

void TestDevTokens::devIssuerOffRefusesDevTokens()
{
    ServiceProcess service;
    service.setEnv("PUSH_DEV_ISSUER", "off");
    QVERIFY(service.start());
    const QByteArray token = service.token(
        {"--tenant", "demo", "--roles", "urn:ads:platform:event-service:event-sender"});
    const auto reply = service.request(
        "POST", "/event/v1/events",
        R"({"namespace":"test","name":"x","timestamp":"2026-11-26T10:00:00Z","payload":{}})",
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
    QCOMPARE(reply.status, 401);
    QVERIFY(reply.json().value("errorMessage").toString().contains("not trusted"));
}

QTEST_MAIN(TestDevTokens)
#include "tst_devtokens.moc"
