// Server-Sent Events end to end: the real push-service, real SSE clients (a raw-socket
// client and QNetworkAccessManager), events published over HTTP.
#include "shared/cursor.h"
#include "shared/tenant.h"
#include "support/serviceprocess.h"
#include "support/sseclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtTest>

#include <cerrno>
#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using push::tenantUrn;

namespace {

QJsonObject stream(const QString &id, bool isPublic, const QJsonArray &events)
{
    return {{"id", id}, {"name", id}, {"publicSubscribe", isPublic}, {"events", events}};
}

QJsonObject streamEvent(const QString &ns, const QString &name, const QJsonObject &map = {},
                        const QJsonObject &criteria = {})
{
    QJsonObject e{{"namespace", ns}, {"name", name}};
    if (!map.isEmpty())
        e.insert("map", map);
    if (!criteria.isEmpty())
        e.insert("criteria", criteria);
    return e;
}

} // namespace

class TestSse final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void deliversWholeEventWithQNetworkAccessManager();
    void deliversToRawClientWithHeaders();
    void projectsWithMap();
    void appliesStreamCriteria();
    void appliesSubscriberCriteria_data();
    void appliesSubscriberCriteria();
    void isolatesTenants();
    void coreStreamIsSeenByTenants();
    void refusesBadSubscriptions_data();
    void refusesBadSubscriptions();
    void sendsKeepAliveComments();
    void removesDisconnectedClients();
    void cutsOffSlowClientOthersKeepReceiving();
    void appliesConfigurationChangesLive();
    void reflectsOriginForCors();

private:
    std::unique_ptr<SseClient> subscribe(const QByteArray &pathAndQuery);
    qint64 subscriberCount() const
    {
        return m_service.get("/health").json().value("subscribers").toInteger(-1);
    }

    ServiceProcess m_service;
};

void TestSse::initTestCase()
{
    QCOMPARE(m_service.admin({"tenant", "add", "--name", "Other Tenant", "--id", "other"}), 0);
    QJsonObject demo{
        {"application-health", stream("application-health", true,
                                      {streamEvent("status-service", "health-check-started")})},
        {"projected", stream("projected", true,
                             {streamEvent("test", "projected",
                                          {{"value", "payload.a.b"},
                                           {"first", "payload.items[0].id"},
                                           {"missing", "payload.nope"},
                                           {"where", "context.site"}})})},
        {"filtered", stream("filtered", true,
                            {streamEvent("test", "filtered", {},
                                         {{"context", QJsonObject{{"kind", "keep"}}}})})},
        {"private-stream", stream("private-stream", false, {streamEvent("test", "secret")})},
    };
    QVERIFY(m_service.setConfiguration("demo", demo));
    QVERIFY(m_service.setConfiguration(
        "other",
        {{"application-health", stream("application-health", true,
                                       {streamEvent("status-service", "health-check-started")})}}));
    QVERIFY(m_service.setConfiguration(
        "--core",
        {{"platform-news", stream("platform-news", true, {streamEvent("platform", "news")})}}));
    m_service.setEnv("PUSH_KEEPALIVE_SECONDS", "1");
    m_service.setEnv("PUSH_SUBSCRIBER_BUFFER_BYTES", "262144");
    QVERIFY(m_service.start());
}

void TestSse::cleanupTestCase()
{
    m_service.stop();
}

void TestSse::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << "service log:\n" << m_service.log().right(4000);
    // Every test closes its clients; none may linger in the service.
    QTRY_COMPARE_WITH_TIMEOUT(subscriberCount(), 0, 5000);
}

std::unique_ptr<SseClient> TestSse::subscribe(const QByteArray &pathAndQuery)
{
    auto client = std::make_unique<SseClient>();
    client->open(m_service.port(), pathAndQuery);
    QSignalSpy head(client.get(), &SseClient::headReceived);
    if (!head.wait(5000))
        qWarning() << "no response head for" << pathAndQuery;
    return client;
}

void TestSse::deliversWholeEventWithQNetworkAccessManager()
{
    QNetworkAccessManager manager;
    QNetworkRequest request(m_service.url("/stream/v1/streams/application-health?tenant=demo"));
    request.setRawHeader("Accept", "text/event-stream");
    std::unique_ptr<QNetworkReply> reply(manager.get(request));
    QSignalSpy meta(reply.get(), &QNetworkReply::metaDataChanged);
    QVERIFY(meta.wait(5000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toString(), "text/event-stream");
    QTRY_COMPARE(subscriberCount(), 1);

    const QJsonObject payload{{"url", "https://example.org/health"}, {"ok", true}};
    const auto published =
        m_service.publish("demo", ServiceProcess::event("status-service", "health-check-started",
                                                        payload, "run-1", {{"app", "portal"}}));
    QCOMPARE(published.status, 200);
    QCOMPARE(published.json().value("streams").toInt(), 1);

    // First the resume's ready event (docs/resume.md), then the event.
    QByteArray received;
    QTRY_VERIFY_WITH_TIMEOUT((received += reply->readAll()).count("\n\n") >= 2, 5000);
    QVERIFY2(received.startsWith("event: adsp:ready\nid: "), received.constData());
    received = received.sliced(received.indexOf("\n\n") + 2);
    QVERIFY2(received.startsWith("id: "), received.constData());
    const qsizetype dataAt = received.indexOf("data: ");
    QVERIFY(dataAt > 0);
    const QJsonObject item =
        QJsonDocument::fromJson(received.mid(dataAt + 6, received.indexOf("\n\n") - dataAt - 6))
            .object();
    QCOMPARE(item.value("tenantId").toString(), tenantUrn("demo"));
    QCOMPARE(item.value("namespace").toString(), "status-service");
    QCOMPARE(item.value("name").toString(), "health-check-started");
    QCOMPARE(item.value("correlationId").toString(), "run-1");
    QCOMPARE(item.value("context").toObject(), (QJsonObject{{"app", "portal"}}));
    QCOMPARE(item.value("payload").toObject(), payload);
    QVERIFY(item.value("timestamp").toString().endsWith('Z'));
    reply->abort();
}

void TestSse::deliversToRawClientWithHeaders()
{
    auto client = subscribe("/stream/v1/streams/application-health?tenant=demo");
    QCOMPARE(client->status(), 200);
    QCOMPARE(client->header("content-type"), "text/event-stream");
    QCOMPARE(client->header("cache-control"), "no-cache");
    QCOMPARE(client->header("connection"), "keep-alive");
    for (int i = 0; i < 5; ++i)
        QCOMPARE(m_service
                     .publish("demo", ServiceProcess::event("status-service",
                                                            "health-check-started", {{"n", i}}))
                     .status,
                 200);
    QTRY_COMPARE(client->events().size(), 5);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(client->events()[i].json().value("payload").toObject().value("n").toInt(), i);
        QVERIFY(!client->events()[i].id.isEmpty());
    }
    // Cursors of the tenant's log, in the order of its entries.
    const auto first = push::Cursor::parse(client->events()[0].id);
    const auto last = push::Cursor::parse(client->events()[4].id);
    QVERIFY(first && last);
    QCOMPARE(first->epoch, last->epoch);
    QVERIFY(first->entry < last->entry);
}

void TestSse::projectsWithMap()
{
    auto client = subscribe("/stream/v1/streams/projected?tenant=demo");
    QCOMPARE(client->status(), 200);
    const QJsonObject payload{
        {"a", QJsonObject{{"b", 42}}},
        {"items", QJsonArray{QJsonObject{{"id", "first-id"}}, QJsonObject{{"id", "x"}}}},
        {"secret", "not projected"}};
    QCOMPARE(m_service
                 .publish("demo", ServiceProcess::event("test", "projected", payload, "c-7",
                                                        {{"site", "north"}}))
                 .status,
             200);
    QTRY_COMPARE(client->events().size(), 1);
    QJsonObject item = client->events()[0].json();
    // The event has no id of its own: eventId is its cursor (docs/resume.md).
    QCOMPARE(item.take("eventId").toString().toLatin1(), client->events()[0].id);
    const QJsonObject expected{{"tenantId", tenantUrn("demo")},
                               {"namespace", "test"},
                               {"name", "projected"},
                               {"correlationId", "c-7"},
                               {"context", QJsonObject{{"site", "north"}}},
                               {"value", 42},
                               {"first", "first-id"},
                               {"where", "north"}};
    QCOMPARE(item, expected); // no payload, no timestamp, no "missing"
}

void TestSse::appliesStreamCriteria()
{
    auto client = subscribe("/stream/v1/streams/filtered?tenant=demo");
    m_service.publish(
        "demo", ServiceProcess::event("test", "filtered", {{"n", 1}}, {}, {{"kind", "drop"}}));
    m_service.publish(
        "demo", ServiceProcess::event("test", "filtered", {{"n", 2}}, {}, {{"kind", "keep"}}));
    m_service.publish("demo", ServiceProcess::event("test", "filtered", {{"n", 3}}));
    QTRY_COMPARE(client->events().size(), 1);
    // A later event proves the others were not merely late.
    m_service.publish(
        "demo", ServiceProcess::event("test", "filtered", {{"n", 4}}, {}, {{"kind", "keep"}}));
    QTRY_COMPARE(client->events().size(), 2);
    QCOMPARE(client->events()[0].json().value("payload").toObject().value("n").toInt(), 2);
    QCOMPARE(client->events()[1].json().value("payload").toObject().value("n").toInt(), 4);
}

void TestSse::appliesSubscriberCriteria_data()
{
    QTest::addColumn<QByteArray>("criteria");
    QTest::addColumn<QList<int>>("expected");
    QTest::newRow("none") << QByteArray() << QList<int>{1, 2, 3, 4};
    QTest::newRow("correlationId") << QByteArray(R"({"correlationId":"A"})") << QList<int>{1, 3};
    QTest::newRow("context") << QByteArray(R"({"context":{"app":"portal"}})") << QList<int>{1, 2};
    QTest::newRow("both") << QByteArray(R"({"correlationId":"A","context":{"app":"portal"}})")
                          << QList<int>{1};
    QTest::newRow("number is not string")
        << QByteArray(R"({"context":{"level":"1"}})") << QList<int>{};
    QTest::newRow("number") << QByteArray(R"({"context":{"level":1}})") << QList<int>{4};
}

void TestSse::appliesSubscriberCriteria()
{
    QFETCH(QByteArray, criteria);
    QFETCH(QList<int>, expected);
    QByteArray path = "/stream/v1/streams/application-health?tenant=demo";
    if (!criteria.isEmpty())
        path += "&criteria=" + QUrl::toPercentEncoding(QString::fromUtf8(criteria));
    auto client = subscribe(path);
    auto watcher = subscribe("/stream/v1/streams/application-health?tenant=demo");
    QCOMPARE(client->status(), 200);
    const auto send = [this](int n, const QString &correlationId, const QJsonObject &context) {
        m_service.publish("demo", ServiceProcess::event("status-service", "health-check-started",
                                                        {{"n", n}}, correlationId, context));
    };
    send(1, "A", {{"app", "portal"}});
    send(2, "B", {{"app", "portal"}});
    send(3, "A", {{"app", "other"}});
    send(4, "C", {{"level", 1}});
    QTRY_COMPARE(watcher->events().size(), 4); // all four went out before we look
    QTRY_COMPARE(client->events().size(), expected.size());
    QList<int> got;
    for (const auto &event : client->events())
        got.append(event.json().value("payload").toObject().value("n").toInt());
    QCOMPARE(got, expected);
}

void TestSse::isolatesTenants()
{
    auto demo = subscribe("/stream/v1/streams/application-health?tenant=demo");
    auto other = subscribe("/stream/v1/streams/application-health?tenant=other-tenant");
    QCOMPARE(other->status(), 200);
    m_service.publish("demo", ServiceProcess::event("status-service", "health-check-started",
                                                    {{"from", "demo"}}));
    m_service.publish("other", ServiceProcess::event("status-service", "health-check-started",
                                                     {{"from", "other"}}));
    QTRY_COMPARE(demo->events().size(), 1);
    QTRY_COMPARE(other->events().size(), 1);
    QCOMPARE(demo->events()[0].json().value("payload").toObject().value("from").toString(), "demo");
    QCOMPARE(other->events()[0].json().value("payload").toObject().value("from").toString(),
             "other");
    QCOMPARE(other->events()[0].json().value("tenantId").toString(), tenantUrn("other"));
    // Nothing else arrives for either: a later event to each is the next one it gets.
    m_service.publish("demo", ServiceProcess::event("status-service", "health-check-started",
                                                    {{"from", "demo-later"}}));
    m_service.publish("other", ServiceProcess::event("status-service", "health-check-started",
                                                     {{"from", "other-later"}}));
    QTRY_COMPARE(demo->events().size(), 2);
    QTRY_COMPARE(other->events().size(), 2);
    QCOMPARE(demo->events()[1].json().value("payload").toObject().value("from").toString(),
             "demo-later");
    QCOMPARE(other->events()[1].json().value("payload").toObject().value("from").toString(),
             "other-later");
}

void TestSse::coreStreamIsSeenByTenants()
{
    auto demo = subscribe("/stream/v1/streams/platform-news?tenant=demo");
    auto other = subscribe("/stream/v1/streams/platform-news?tenant=other-tenant");
    QCOMPARE(demo->status(), 200);
    m_service.publish("demo", ServiceProcess::event("platform", "news", {{"n", 1}}));
    QTRY_COMPARE(demo->events().size(), 1);
    // A tenant's instance of a core stream is still its own: the first event the other
    // tenant gets is the one published for it afterwards.
    m_service.publish("other", ServiceProcess::event("platform", "news", {{"n", 2}}));
    QTRY_COMPARE(other->events().size(), 1);
    QCOMPARE(other->events()[0].json().value("payload").toObject().value("n").toInt(), 2);
}

void TestSse::refusesBadSubscriptions_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown stream")
        << QByteArray("/stream/v1/streams/nope?tenant=demo") << 404 << "stream 'nope' not found";
    QTest::newRow("no tenant") << QByteArray("/stream/v1/streams/application-health") << 400
                               << "tenant is required";
    QTest::newRow("unknown tenant")
        << QByteArray("/stream/v1/streams/application-health?tenant=nobody") << 404
        << "tenant 'nobody' not found";
    QTest::newRow("private stream, no token")
        << QByteArray("/stream/v1/streams/private-stream?tenant=demo") << 401
        << "token is required";
    QTest::newRow("criteria not JSON")
        << QByteArray("/stream/v1/streams/application-health?tenant=demo&criteria=%7Bnope") << 400
        << "criteria";
    QTest::newRow("criteria wrong shape")
        << QByteArray(
               "/stream/v1/streams/application-health?tenant=demo&criteria=%7B%22context%22%3A5%7D")
        << 400 << "context";
    QTest::newRow("other tenant's stream")
        << QByteArray("/stream/v1/streams/projected?tenant=other-tenant") << 404 << "not found";
}

void TestSse::refusesBadSubscriptions()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(QString, message);
    auto client = subscribe(path);
    QCOMPARE(client->status(), status);
    QTRY_VERIFY(!client->errorBody().isEmpty());
    const QString error =
        QJsonDocument::fromJson(client->errorBody()).object().value("errorMessage").toString();
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestSse::sendsKeepAliveComments()
{
    auto client = subscribe("/stream/v1/streams/application-health?tenant=demo");
    QTRY_VERIFY_WITH_TIMEOUT(client->comments().contains("keepalive"), 5000);
    QCOMPARE(client->events().size(), 0); // comments are not events
}

void TestSse::removesDisconnectedClients()
{
    std::vector<std::unique_ptr<SseClient>> clients;
    for (int i = 0; i < 20; ++i)
        clients.push_back(subscribe("/stream/v1/streams/application-health?tenant=demo"));
    QTRY_COMPARE(subscriberCount(), 20);
    for (int i = 0; i < 10; ++i)
        clients[size_t(i)]->close();
    QTRY_COMPARE(subscriberCount(), 10);
    // The rest still receive.
    m_service.publish("demo", ServiceProcess::event("status-service", "health-check-started", {}));
    for (size_t i = 10; i < clients.size(); ++i)
        QTRY_COMPARE(clients[i]->events().size(), 1);
    clients.clear();
}

void TestSse::cutsOffSlowClientOthersKeepReceiving()
{
    // The slow client is a plain POSIX socket with a small receive buffer that the test
    // simply does not read from.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    const int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(m_service.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    const QByteArray request = "GET /stream/v1/streams/application-health?tenant=demo HTTP/1.1\r\n"
                               "Host: 127.0.0.1\r\n\r\n";
    QCOMPARE(::send(fd, request.constData(), size_t(request.size()), 0), ssize_t(request.size()));
    auto healthy = subscribe("/stream/v1/streams/application-health?tenant=demo");
    QTRY_COMPARE(subscriberCount(), 2);

    // 600 events of 16 KiB (9.6 MB): far more than the kernel's socket buffers (a few MB
    // on loopback) plus the service's 256 KiB per-subscriber bound, which leaves the
    // healthy client 16 events of slack.
    const QString blob(16 * 1024, QLatin1Char('x'));
    const int total = 600;
    for (int i = 0; i < total; ++i) {
        QCOMPARE(
            m_service
                .publish("demo", ServiceProcess::event("status-service", "health-check-started",
                                                       {{"n", i}, {"blob", blob}}))
                .status,
            200);
    }
    QTRY_COMPARE_WITH_TIMEOUT(healthy->events().size(), total, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(subscriberCount(), 1, 10000); // the slow one was cut off
    QVERIFY(m_service.log().contains("closing a slow subscriber"));

    // Reading now drains what the kernel held, then the end of the stream: the service
    // closed it, and it never got everything.
    QByteArray received;
    char buffer[65536];
    const timeval timeout{10, 0}; // never hang the suite
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    bool timedOut = false;
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        timedOut = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK); // a reset is a close too
        if (n <= 0)
            break;
        received.append(buffer, n);
    }
    ::close(fd);
    QVERIFY2(!timedOut, "the service never closed the slow client's connection");
    QVERIFY(received.startsWith("HTTP/1.1 200"));
    const qsizetype frames = received.count("\ndata: ");
    QVERIFY2(frames < total, qPrintable(QString::number(frames)));
}

void TestSse::appliesConfigurationChangesLive()
{
    auto before = subscribe("/stream/v1/streams/late-stream?tenant=other-tenant");
    QCOMPARE(before->status(), 404);
    QVERIFY(m_service.setConfiguration(
        "other",
        {{"application-health", stream("application-health", true,
                                       {streamEvent("status-service", "health-check-started")})},
         {"late-stream", stream("late-stream", true, {streamEvent("test", "late")})}}));
    std::unique_ptr<SseClient> after;
    QTRY_VERIFY_WITH_TIMEOUT(
        (after = subscribe("/stream/v1/streams/late-stream?tenant=other-tenant"))->status() == 200,
        5000);
    m_service.publish("other", ServiceProcess::event("test", "late", {{"ok", true}}));
    QTRY_COMPARE(after->events().size(), 1);
}

void TestSse::reflectsOriginForCors()
{
    SseClient client;
    client.open(m_service.port(), "/stream/v1/streams/application-health?tenant=demo",
                {{"Origin", "https://app.example.org"}});
    QSignalSpy head(&client, &SseClient::headReceived);
    QVERIFY(head.wait(5000));
    QCOMPARE(client.header("access-control-allow-origin"), "https://app.example.org");
    QCOMPARE(client.header("access-control-allow-credentials"), "true");
    client.close();
}

QTEST_MAIN(TestSse)
#include "tst_sse.moc"
