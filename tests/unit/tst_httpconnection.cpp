// HttpConnection on its own: a loopback socket in this process, a handler that answers
// each request with its method and target, and a raw client. Covers how requests are cut
// from a byte stream (split anywhere, pipelined), what the connection answers by itself,
// and the bounds.
#include "http/httpconnection.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace push::http;

namespace {

class Echo final : public HttpConnectionHandler
{
public:
    QList<HttpRequest> requests;
    bool answer = true;
    QByteArray padding; // appended to each answer
    int closed = 0;
    void onRequest(HttpConnection *connection, HttpRequest &&request) override
    {
        requests.append(request);
        if (answer) {
            connection->respond(HttpResponse::text(
                200, request.method + ' ' + request.target + padding, "text/plain"));
        }
    }
    void onClosed(HttpConnection *) override { ++closed; }
};

class Server final : public QTcpServer
{
public:
    Echo echo;
    HttpLimits limits;
    std::unique_ptr<HttpConnection> connection;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        connection = std::make_unique<HttpConnection>(descriptor, &echo, limits);
    }
};

// The client side, reading what the connection sends.
struct Client
{
    QTcpSocket socket;
    QByteArray received;

    bool connect(Server &server)
    {
        socket.connectToHost(QHostAddress::LocalHost, server.serverPort());
        return socket.waitForConnected(5000) &&
               QTest::qWaitFor([&] { return !!server.connection; });
    }
    void send(const QByteArray &bytes)
    {
        socket.write(bytes);
        socket.flush();
    }
    QStringList parsed;   // "<status> <body>" of each response so far
    qsizetype offset = 0; // where the next response starts in `received`

    // Parses what arrived; `headOnly`: answers to HEAD (no body whatever the length).
    void parse(bool headOnly)
    {
        received += socket.readAll();
        for (;;) {
            const qsizetype end = received.indexOf("\r\n\r\n", offset);
            if (end < 0)
                return;
            const QByteArray head = received.mid(offset, end - offset);
            qsizetype length = 0;
            const qsizetype at = head.toLower().indexOf("content-length: ");
            if (at >= 0 && !headOnly)
                length = head.mid(at + 16).split('\r').first().toLongLong();
            if (received.size() < end + 4 + length)
                return;
            parsed.append(
                QString::fromLatin1(head.mid(9, 3) + ' ' + received.mid(end + 4, length)));
            offset = end + 4 + length;
        }
    }
    // Waits (events running) until `count` responses arrived in all; returns them.
    QStringList responses(int count, bool headOnly = false)
    {
        const bool arrived = QTest::qWaitFor(
            [&] {
                parse(headOnly);
                return parsed.size() >= count;
            },
            20000);
        Q_UNUSED(arrived); // the caller compares what arrived
        return parsed;
    }
    bool closedByPeer()
    {
        return QTest::qWaitFor(
            [&] {
                received += socket.readAll();
                return socket.state() == QAbstractSocket::UnconnectedState;
            },
            5000);
    }
};

QByteArray get(const QByteArray &target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n";
}

} // namespace

class TestHttpConnection final : public QObject
{
    Q_OBJECT

private slots:
    void requestSplitAnywhere();
    void pipelinedInOrderAcrossReads();
    void bodyAndChunked();
    void refusedUpgradeCloses();
    void headHasNoBody();
    void unreadAnswersStopReading();
    void expectContinue();
    void malformedHeadIs400();
};

void TestHttpConnection::requestSplitAnywhere()
{
    Server server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    Client client;
    QVERIFY(client.connect(server));
    const QByteArray request = get("/a?b=c%20d");
    for (char c : request) {
        client.send(QByteArray(1, c));
        QTest::qWait(1); // each byte its own read
    }
    QCOMPARE(client.responses(1), QStringList{"200 GET /a?b=c%20d"});
    QCOMPARE(server.echo.requests.first().queryValue("b"), QStringLiteral("c d"));
}

void TestHttpConnection::pipelinedInOrderAcrossReads()
{
    Server server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    Client client;
    QVERIFY(client.connect(server));
    // Far more than one 16 KiB read: the answers keep the order of the requests.
    QByteArray pipeline;
    QStringList expected;
    for (int i = 0; i < 1000; ++i) {
        pipeline += get("/r" + QByteArray::number(i));
        expected.append(QStringLiteral("200 GET /r%1").arg(i));
    }
    client.send(pipeline);
    QCOMPARE(client.responses(1000), expected);
}

void TestHttpConnection::bodyAndChunked()
{
    Server server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    Client client;
    QVERIFY(client.connect(server));
    client.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                "POST /q HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    QCOMPARE(client.responses(2), (QStringList{"200 POST /p", "200 POST /q"}));
    QCOMPARE(server.echo.requests.at(0).body, QByteArray("hello"));
    QCOMPARE(server.echo.requests.at(1).body, QByteArray("abcde"));
}

void TestHttpConnection::refusedUpgradeCloses()
{
    Server server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    Client client;
    QVERIFY(client.connect(server));
    client.send("GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                "\x81\x85garbage-after-the-head");
    QCOMPARE(client.responses(1), QStringList{"200 GET /x"});
    QVERIFY(client.closedByPeer());
    QCOMPARE(server.echo.requests.size(), 1); // the head was not read twice
}

void TestHttpConnection::headHasNoBody()
{
    Server server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    Client client;
    QVERIFY(client.connect(server));
    client.send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n");
    QCOMPARE(client.responses(1, true), QStringList{"200 "});
    client.send(get("/after"));
    QCOMPARE(client.responses(2), (QStringList{"200 ", "200 GET /after"}));
}

void TestHttpConnection::unreadAnswersStopReading()
{
    Server server;
    server.limits.maxQueuedResponseBytes = 4096;
    server.echo.padding = QByteArray(64 * 1024, 'x'); // 400 answers: far past kernel buffers
    QVERIFY(server.listen(QHostAddress::LocalHost));
    Client client;
    client.socket.setReadBufferSize(1024);
    QVERIFY(client.connect(server));
    const int requests = 400;
    QByteArray pipeline;
    for (int i = 0; i < requests; ++i)
        pipeline += get("/r");
    client.send(pipeline);
    // The connection stops taking requests while its answers wait: the count settles
    // below what was sent, with answers queued past the bound, ...
    qsizetype seen = -1;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const qsizetype now = server.echo.requests.size();
            const bool settled = now > 0 && now == seen && server.connection->bytesQueued() > 4096;
            seen = now;
            return settled;
        },
        10000));
    QVERIFY2(seen < requests, qPrintable(QString::number(seen)));
    // ... and takes them all up once the client reads.
    client.socket.setReadBufferSize(0);
    QCOMPARE(client.responses(requests).size(), requests);
    QCOMPARE(server.echo.requests.size(), requests);
}

void TestHttpConnection::expectContinue()
{
    Server server;
    server.limits.maxBodyBytes = 10;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    Client client;
    QVERIFY(client.connect(server));
    client.send("POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    QCOMPARE(client.responses(1, true), QStringList{"100 "});
    client.send("abc");
    QCOMPARE(client.responses(2), (QStringList{"100 ", "200 POST /e"}));

    Client large;
    QVERIFY(large.connect(server));
    large.send("POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
    QVERIFY(large.responses(1).value(0).startsWith("413 "));
    QVERIFY(large.closedByPeer());
}

void TestHttpConnection::malformedHeadIs400()
{
    Server server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    Client client;
    QVERIFY(client.connect(server));
    client.send("GET / HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n");
    QVERIFY(client.responses(1).value(0).startsWith("400 "));
    QVERIFY(client.closedByPeer());
    QVERIFY(server.echo.requests.isEmpty());
}

QTEST_GUILESS_MAIN(TestHttpConnection)
#include "tst_httpconnection.moc"
