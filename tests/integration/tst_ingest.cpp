// POST /event/v1/events against the real service: what is accepted, and that every kind
// of bad input gets a precise 4xx, a log line, and leaves the service working.
#include "support/serviceprocess.h"
#include "support/sseclient.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QtTest>

class TestIngest final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void acceptsValidEvents_data();
    void acceptsValidEvents();
    void rejectsBadEvents_data();
    void rejectsBadEvents();
    void refusesWithoutRights_data();
    void refusesWithoutRights();
    void rejectsOversizeBody();
    void rejectsBrokenHttp_data();
    void rejectsBrokenHttp();
    void unknownRoutesAndMethods_data();
    void unknownRoutesAndMethods();
    void logsAndStillDeliversAfterBadInput();

private:
    ServiceProcess::Reply send(const QByteArray &body, const QByteArray &token) const
    {
        return m_service.request(
            "POST", "/event/v1/events", body,
            {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
    }

    ServiceProcess m_service;
    QByteArray m_demoSender; // a tenant user of demo with the event-sender role
    QByteArray m_coreSender;
};

void TestIngest::initTestCase()
{
    m_service.setEnv("PUSH_MAX_REQUEST_BYTES", "65536");
    QCOMPARE(m_service.admin({"tenant", "add", "--name", "Other", "--id", "other"}), 0);
    QVERIFY(m_service.start());
    m_demoSender = m_service.token(
        {"--tenant", "demo", "--roles", "urn:ads:platform:event-service:event-sender"});
    m_coreSender =
        m_service.token({"--core", "--roles", "urn:ads:platform:event-service:event-sender"});
    QVERIFY(!m_demoSender.isEmpty() && !m_coreSender.isEmpty());
}

void TestIngest::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << "service log:\n" << m_service.log().right(3000);
    QVERIFY2(m_service.isRunning(), "the service must survive every input");
}

void TestIngest::acceptsValidEvents_data()
{
    QTest::addColumn<QString>("sender"); // "demo" (a tenant user) or "core"
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("minimal")
        << "demo"
        << QByteArray(
               R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})");
    QTest::newRow("full")
        << "demo"
        << QByteArray(
               R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00.123+02:00","correlationId":"x","context":{"s":"v","n":1,"b":true},"payload":{"deep":{"x":[1,2]}}})");
    QTest::newRow("own tenant named in body")
        << "demo"
        << QByteArray(
               R"({"tenantId":"demo","namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})");
    QTest::newRow("core caller, tenant by URN in body")
        << "core"
        << QByteArray(
               R"({"tenantId":"urn:ads:platform:tenant-service:v2:/tenants/demo","namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})");
    QTest::newRow("core caller, tenant by name, any case")
        << "core"
        << QByteArray(
               R"({"tenantId":"DEMO","namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})");
}

void TestIngest::acceptsValidEvents()
{
    QFETCH(QString, sender);
    QFETCH(QByteArray, body);
    const auto reply = send(body, sender == "core" ? m_coreSender : m_demoSender);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json().value("tenantId").toString(),
             "urn:ads:platform:tenant-service:v2:/tenants/demo");
    QVERIFY(reply.json().value("sequence").toInteger() > 0);
}

void TestIngest::rejectsBadEvents_data()
{
    QTest::addColumn<QString>("sender"); // "demo" (a tenant user) or "core"
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    const QString demo = "demo";
    QTest::newRow("not JSON") << demo << QByteArray("{nope") << "not valid JSON";
    QTest::newRow("empty body") << demo << QByteArray() << "not valid JSON";
    QTest::newRow("array") << demo << QByteArray("[1,2]") << "must be a JSON object";
    QTest::newRow("no namespace")
        << demo << QByteArray(R"({"name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})")
        << "namespace";
    QTest::newRow("no name")
        << demo
        << QByteArray(R"({"namespace":"a","timestamp":"2026-11-26T10:00:00Z","payload":{}})")
        << "name";
    QTest::newRow("namespace not string")
        << demo
        << QByteArray(
               R"({"namespace":5,"name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})")
        << "namespace";
    QTest::newRow("no timestamp") << demo
                                  << QByteArray(R"({"namespace":"a","name":"b","payload":{}})")
                                  << "timestamp";
    QTest::newRow("bad timestamp")
        << demo
        << QByteArray(R"({"namespace":"a","name":"b","timestamp":"yesterday","payload":{}})")
        << "timestamp";
    QTest::newRow("no payload")
        << demo << QByteArray(R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z"})")
        << "payload";
    QTest::newRow("payload not object")
        << demo
        << QByteArray(
               R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":"x"})")
        << "payload";
    QTest::newRow("nested context")
        << demo
        << QByteArray(
               R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","context":{"x":{"y":1}},"payload":{}})")
        << "context.x";
    QTest::newRow("correlationId not string")
        << demo
        << QByteArray(
               R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","correlationId":7,"payload":{}})")
        << "correlationId";
    QTest::newRow("core caller without tenantId")
        << "core"
        << QByteArray(
               R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})")
        << "tenantId is required for core callers";
    QTest::newRow("unknown tenant")
        << "core"
        << QByteArray(
               R"({"tenantId":"nobody","namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})")
        << "tenant 'nobody' not found";
    QTest::newRow("tenantId not string")
        << demo
        << QByteArray(
               R"({"tenantId":1,"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})")
        << "tenantId";
}

void TestIngest::rejectsBadEvents()
{
    QFETCH(QString, sender);
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const auto reply = send(body, sender == "core" ? m_coreSender : m_demoSender);
    QCOMPARE(reply.status, 400);
    const QString error = reply.json().value("errorMessage").toString();
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestIngest::refusesWithoutRights_data()
{
    QTest::addColumn<QStringList>("tokenArguments"); // empty: no token
    QTest::addColumn<QByteArray>("tenantId");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    const QString sender = "urn:ads:platform:event-service:event-sender";
    QTest::newRow("no token") << QStringList() << QByteArray() << 401 << "needs a token";
    QTest::newRow("no sender role") << QStringList{"--tenant", "demo", "--roles", "stream-listener"}
                                    << QByteArray() << 403 << "needs the role";
    QTest::newRow("push-service client role event-sender")
        << QStringList{"--tenant", "demo", "--roles", "urn:ads:platform:push-service:event-sender"}
        << QByteArray() << 200 << QString();
    QTest::newRow("tenant user naming another tenant")
        << QStringList{"--tenant", "demo", "--roles", sender} << QByteArray("other") << 403
        << "only core users";
    QTest::newRow("core user naming another tenant")
        << QStringList{"--core", "--roles", sender} << QByteArray("other") << 200 << QString();
}

void TestIngest::refusesWithoutRights()
{
    QFETCH(QStringList, tokenArguments);
    QFETCH(QByteArray, tenantId);
    QFETCH(int, status);
    QFETCH(QString, message);
    QByteArray body =
        R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{})";
    if (!tenantId.isEmpty())
        body += R"(,"tenantId":")" + tenantId + '"';
    body += '}';
    const QByteArray token =
        tokenArguments.isEmpty() ? QByteArray() : m_service.token(tokenArguments);
    const auto reply = token.isEmpty() ? m_service.request("POST", "/event/v1/events", body, {})
                                       : send(body, token);
    QCOMPARE(reply.status, status);
    if (!message.isEmpty())
        QVERIFY2(reply.json().value("errorMessage").toString().contains(message),
                 reply.body.constData());
}

void TestIngest::rejectsOversizeBody()
{
    const QByteArray big =
        R"({"namespace":"a","name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{"x":")" +
        QByteArray(70000, 'x') + R"("}})";
    const auto reply = send(big, m_demoSender);
    QCOMPARE(reply.status, 413);
    QVERIFY(reply.json().value("errorMessage").toString().contains("exceeds 65536 bytes"));
}

void TestIngest::rejectsBrokenHttp_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("statusLine");
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01 hello\r\n\r\n")
                             << QByteArray("HTTP/1.1 400");
    QTest::newRow("bad version") << QByteArray("GET / HTTP/9.Z\r\n\r\n")
                                 << QByteArray("HTTP/1.1 400");
    QTest::newRow("bad content length")
        << QByteArray("POST /event/v1/events HTTP/1.1\r\nContent-Length: abc\r\n\r\n")
        << QByteArray("HTTP/1.1 400");
    QTest::newRow("huge header") << QByteArray("GET / HTTP/1.1\r\nX-Big: " +
                                               QByteArray(100 * 1024, 'a') + "\r\n\r\n")
                                 << QByteArray("HTTP/1.1 431");
    QTest::newRow("bad chunk")
        << QByteArray("POST /event/v1/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        << QByteArray("HTTP/1.1 400");
}

void TestIngest::rejectsBrokenHttp()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, statusLine);
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), m_service.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(raw);
    QByteArray answer;
    while (socket.waitForReadyRead(5000))
        answer += socket.readAll();
    QVERIFY2(answer.startsWith(statusLine), answer.left(200).constData());
    QVERIFY(answer.contains("errorMessage"));
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState); // closed after the error
}

void TestIngest::unknownRoutesAndMethods_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::newRow("unknown path") << QByteArray("GET") << "/nothing/here" << 404;
    QTest::newRow("GET events") << QByteArray("GET") << "/event/v1/events" << 405;
    QTest::newRow("DELETE stream") << QByteArray("DELETE") << "/stream/v1/streams/x" << 405;
    QTest::newRow("CORS preflight") << QByteArray("OPTIONS") << "/event/v1/events" << 204;
}

void TestIngest::unknownRoutesAndMethods()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(int, status);
    QCOMPARE(m_service.request(method, path, {}, {{"Origin", "https://a.example"}}).status, status);
}

// On its own (not counting on the functions above having run): a bad event and a broken
// request, each logged (in the log written since this function began), and the service
// still delivers.
void TestIngest::logsAndStillDeliversAfterBadInput()
{
    const qsizetype logStart = m_service.log().size();
    const auto since = [&] { return m_service.log().mid(logStart); };
    const auto bad =
        send(R"({"name":"b","timestamp":"2026-11-26T10:00:00Z","payload":{}})", m_demoSender);
    QCOMPARE(bad.status, 400);
    QTRY_VERIFY2(since().contains("rejected event"), since().constData());
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), m_service.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET / HTTP/9.Z\r\n\r\n");
    QByteArray answer;
    while (socket.waitForReadyRead(5000))
        answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.left(200).constData());
    QTRY_VERIFY2(since().contains("rejecting request"), since().constData());

    SseClient client;
    client.open(m_service.port(), "/stream/v1/streams/application-health?tenant=demo");
    QSignalSpy head(&client, &SseClient::headReceived);
    QVERIFY(head.wait(5000));
    QCOMPARE(m_service
                 .publish("demo", ServiceProcess::event("status-service", "health-check-started",
                                                        {{"ok", true}}))
                 .status,
             200);
    QTRY_COMPARE(client.events().size(), 1);
}

QTEST_MAIN(TestIngest)
#include "tst_ingest.moc"
