// http::Router behind a real HttpConnection (a loopback socket in this process, a raw
// client): the path the router sees is exactly what the connection's parser made of the
// bytes on the wire. Covers typed routes and how captured segments are decoded, 404 vs 405
// (with Allow), HEAD, and the query parameters handlers read (HttpRequest::queryValue).
#include "http/httpconnection.h"
#include "http/router.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <algorithm>
#include <memory>

using namespace push::http;

namespace {

// Answers each request through the router; every route answers 200 with its name and the
// captured arguments as a JSON array: "<name> [...]".
class Dispatcher final : public HttpConnectionHandler
{
public:
    Router router;
    QList<HttpRequest> requests; // as the handlers saw them
    void onRequest(HttpConnection *connection, HttpRequest &&request) override
    {
        HttpCall call{connection, std::move(request), {}};
        router.dispatch(call);
    }
    void onClosed(HttpConnection *) override {}

    Router::Handler answer(const QByteArray &name)
    {
        return [this, name](HttpCall &call) {
            requests.append(call.request);
            const QByteArray args =
                QJsonDocument(QJsonArray::fromStringList(call.args)).toJson(QJsonDocument::Compact);
            call.reply(HttpResponse::text(200, name + ' ' + args, "text/plain"));
        };
    }
};

class Server final : public QTcpServer
{
public:
    Dispatcher dispatcher;
    std::unique_ptr<HttpConnection> connection;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        connection = std::make_unique<HttpConnection>(descriptor, &dispatcher, HttpLimits{});
    }
};

struct Response
{
    int status = 0;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

// One request at a time on one keep-alive connection.
class Client
{
public:
    bool connect(Server &server)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, server.serverPort());
        return m_socket.waitForConnected(5000) &&
               QTest::qWaitFor([&] { return !!server.connection; });
    }
    // Sends `method target` and waits (events running) for the whole answer; status 0
    // when none came.
    Response request(const QByteArray &method, const QByteArray &target)
    {
        m_socket.write(method + ' ' + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
        m_socket.flush();
        Response response;
        const bool arrived =
            QTest::qWaitFor([&] { return parse(method == "HEAD", &response); }, 20000);
        Q_UNUSED(arrived); // the caller checks the status (0 when nothing came)
        return response;
    }

private:
    bool parse(bool headOnly, Response *response)
    {
        m_received += m_socket.readAll();
        const qsizetype end = m_received.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QList<QByteArray> lines = m_received.left(end).split('\n');
        Response parsed;
        parsed.status = lines.first().mid(9, 3).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            parsed.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                  lines[i].mid(colon + 1).trimmed());
        }
        const qsizetype length = headOnly ? 0 : parsed.headers.value("content-length").toLongLong();
        if (m_received.size() < end + 4 + length)
            return false;
        parsed.body = m_received.mid(end + 4, length);
        m_received.remove(0, end + 4 + length);
        *response = parsed;
        return true;
    }

    QTcpSocket m_socket;
    QByteArray m_received;
};

QByteArray errorMessage(const Response &response)
{
    return QJsonDocument::fromJson(response.body)
        .object()
        .value(QLatin1String("errorMessage"))
        .toString()
        .toUtf8();
}

// The Allow header as a sorted list, so that its order does not matter.
QByteArrayList allowed(const Response &response)
{
    QByteArrayList methods;
    for (const QByteArray &method : response.headers.value("allow").split(','))
        methods.append(method.trimmed());
    std::sort(methods.begin(), methods.end());
    return methods;
}

} // namespace

class TestRouter final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void capturedSegments_data();
    void capturedSegments();
    void overlongPaths();
    void methodNotAllowedNamesAllow();
    void headIsServedByGet();
    void routesListsEveryRoute();
    void queryValue_data();
    void queryValue();

private:
    std::unique_ptr<Server> m_server;
    std::unique_ptr<Client> m_client;
};

void TestRouter::init()
{
    m_server = std::make_unique<Server>();
    Dispatcher &d = m_server->dispatcher;
    d.router.route("GET", QStringLiteral("/stream/v1/streams"), d.answer("list"));
    d.router.route("GET", QStringLiteral("/stream/v1/streams/<arg>"), d.answer("get"));
    d.router.route("DELETE", QStringLiteral("/stream/v1/streams/<arg>"), d.answer("delete"));
    d.router.route("GET", QStringLiteral("/stream/v1/streams/<arg>/events"), d.answer("events"));
    d.router.route("GET", QStringLiteral("/t/<arg>/s/<arg>"), d.answer("pair"));
    d.router.route("POST", QStringLiteral("/publish"), d.answer("publish"));
    d.router.route("GET", QStringLiteral("/q"), d.answer("query"));
    QVERIFY(m_server->listen(QHostAddress::LocalHost));
    m_client = std::make_unique<Client>();
    QVERIFY(m_client->connect(*m_server));
}

void TestRouter::cleanup()
{
    m_client.reset();
    m_server.reset();
}

void TestRouter::capturedSegments_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body"); // the route's answer; for errors, a part of it

    QTest::newRow("fixed") << QByteArray("/stream/v1/streams") << 200 << QByteArray("list []");
    QTest::newRow("trailing slash")
        << QByteArray("/stream/v1/streams/") << 200 << QByteArray("list []");
    QTest::newRow("one arg") << QByteArray("/stream/v1/streams/abc") << 200
                             << QByteArray("get [\"abc\"]");
    QTest::newRow("arg, trailing slash")
        << QByteArray("/stream/v1/streams/abc/") << 200 << QByteArray("get [\"abc\"]");
    QTest::newRow("space") << QByteArray("/stream/v1/streams/a%20b") << 200
                           << QByteArray("get [\"a b\"]");
    // An encoded slash belongs to the segment: it never splits it into two.
    QTest::newRow("%2F stays inside")
        << QByteArray("/stream/v1/streams/a%2Fb") << 200 << QByteArray("get [\"a/b\"]");
    QTest::newRow("%2f lower case")
        << QByteArray("/stream/v1/streams/a%2fb/events") << 200 << QByteArray("events [\"a/b\"]");
    QTest::newRow("only %2F") << QByteArray("/stream/v1/streams/%2F") << 200
                              << QByteArray("get [\"/\"]");
    // Decoded exactly once.
    QTest::newRow("double-encoded")
        << QByteArray("/stream/v1/streams/%252F") << 200 << QByteArray("get [\"%2F\"]");
    QTest::newRow("UTF-8") << QByteArray("/stream/v1/streams/%C3%A9t%C3%A9") << 200
                           << QString::fromUtf8("get [\"été\"]").toUtf8();
    QTest::newRow("two args") << QByteArray("/t/ten%20ant/s/a%2Fb") << 200
                              << QByteArray("pair [\"ten ant\",\"a/b\"]");
    // An empty segment is no argument.
    QTest::newRow("empty arg") << QByteArray("/stream/v1/streams//events") << 404
                               << QByteArray("no such resource");
    QTest::newRow("empty arg, two slashes")
        << QByteArray("/stream/v1/streams//") << 404 << QByteArray("no such resource");
    QTest::newRow("empty first arg")
        << QByteArray("/t//s/x") << 404 << QByteArray("no such resource");
    QTest::newRow("too many segments")
        << QByteArray("/stream/v1/streams/a/b") << 404 << QByteArray("no such resource");
    QTest::newRow("prefix only") << QByteArray("/stream/v1") << 404
                                 << QByteArray("no such resource");
    QTest::newRow("longer literal")
        << QByteArray("/stream/v1/streamsX") << 404 << QByteArray("no such resource");
    QTest::newRow("case matters") << QByteArray("/STREAM/v1/streams") << 404
                                  << QByteArray("no such resource");
    // A literal segment is compared decoded: an encoded letter still names it.
    QTest::newRow("encoded literal")
        << QByteArray("/stream/v1/%73treams") << 200 << QByteArray("list []");
    // ... but an encoded slash does not make two literal segments of one.
    QTest::newRow("%2F in a literal")
        << QByteArray("/stream%2Fv1/streams") << 404 << QByteArray("no such resource");
}

void TestRouter::capturedSegments()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const Response response = m_client->request("GET", target);
    QCOMPARE(response.status, status);
    if (status == 200)
        QCOMPARE(response.body, body);
    else
        QVERIFY2(errorMessage(response).contains(body), response.body.constData());
}

void TestRouter::overlongPaths()
{
    // A 60 000-character argument arrives whole.
    const QByteArray longArg(60000, 'x');
    Response response = m_client->request("GET", "/stream/v1/streams/" + longArg);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body, "get [\"" + longArg + "\"]");

    // So many segments that no route has as many: 404, and the connection goes on.
    QByteArray deep;
    for (int i = 0; i < 5000; ++i)
        deep += "/a";
    response = m_client->request("GET", deep);
    QCOMPARE(response.status, 404);
    QVERIFY(errorMessage(response).startsWith("no such resource: /a/a/a"));

    // Encoded slashes do not count as segments either.
    response = m_client->request("GET", "/stream/v1/streams/" + QByteArray(3000, 'a') + "%2F" +
                                            QByteArray(3000, 'b'));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.body,
             "get [\"" + QByteArray(3000, 'a') + '/' + QByteArray(3000, 'b') + "\"]");

    response = m_client->request("GET", "/stream/v1/streams");
    QCOMPARE(response.status, 200);
    QCOMPARE(m_server->dispatcher.requests.size(), 3);
}

void TestRouter::methodNotAllowedNamesAllow()
{
    // The path exists for other methods: 405 naming them (RFC 9110 §15.5.6: Allow is
    // required), GET bringing HEAD.
    Response response = m_client->request("POST", "/stream/v1/streams/abc");
    QCOMPARE(response.status, 405);
    QVERIFY(errorMessage(response).contains("POST is not allowed on /stream/v1/streams/abc"));
    QCOMPARE(allowed(response), (QByteArrayList{"DELETE", "GET", "HEAD"}));

    response = m_client->request("DELETE", "/stream/v1/streams");
    QCOMPARE(response.status, 405);
    QCOMPARE(allowed(response), (QByteArrayList{"GET", "HEAD"}));

    response = m_client->request("GET", "/publish");
    QCOMPARE(response.status, 405);
    QCOMPARE(allowed(response), QByteArrayList{"POST"});

    // No route with this path at all: 404, without Allow.
    response = m_client->request("POST", "/nowhere");
    QCOMPARE(response.status, 404);
    QVERIFY(!response.headers.contains("allow"));
    QVERIFY(m_server->dispatcher.requests.isEmpty()); // no handler ran
}

void TestRouter::headIsServedByGet()
{
    Response response = m_client->request("HEAD", "/stream/v1/streams/abc");
    QCOMPARE(response.status, 200);
    QVERIFY(response.body.isEmpty());
    QCOMPARE(response.headers.value("content-length"), QByteArray::number(11));
    QCOMPARE(m_server->dispatcher.requests.size(), 1);
    QCOMPARE(m_server->dispatcher.requests.first().method, QByteArray("HEAD"));

    // HEAD where only POST is routed: 405, not the POST handler.
    response = m_client->request("HEAD", "/publish");
    QCOMPARE(response.status, 405);
    QCOMPARE(allowed(response), QByteArrayList{"POST"});
    QCOMPARE(m_server->dispatcher.requests.size(), 1);

    // The connection answers the next request normally.
    response = m_client->request("GET", "/stream/v1/streams/abc");
    QCOMPARE(response.body, QByteArray("get [\"abc\"]"));
}

void TestRouter::routesListsEveryRoute()
{
    const QStringList routes = m_server->dispatcher.router.routes();
    QCOMPARE(routes.size(), 7);
    QCOMPARE(routes.first(), QStringLiteral("GET /stream/v1/streams"));
    QVERIFY(routes.contains(QStringLiteral("DELETE /stream/v1/streams/<arg>")));
    QVERIFY(routes.contains(QStringLiteral("POST /publish")));
}

void TestRouter::queryValue_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value"); // a null QString: absent

    QTest::newRow("plain") << QByteArray("a=1&b=2") << "b" << QStringLiteral("2");
    QTest::newRow("absent") << QByteArray("a=1") << "b" << QString();
    QTest::newRow("no query") << QByteArray() << "a" << QString();
    QTest::newRow("empty value") << QByteArray("a=&b=2") << "a" << QStringLiteral("");
    // A key without '=' has no value: it reads as absent (callers test isEmpty()).
    QTest::newRow("no '='") << QByteArray("a&b=2") << "a" << QString();
    QTest::newRow("encoded '&' and '='")
        << QByteArray("a=x%26b%3Dy&b=2") << "a" << QStringLiteral("x&b=y");
    QTest::newRow("encoded key") << QByteArray("%74oken=t") << "token" << QStringLiteral("t");
    QTest::newRow("UTF-8") << QByteArray("s=%C3%A9t%C3%A9") << "s" << QString::fromUtf8("été");
    QTest::newRow("JSON criteria") << QByteArray("criteria=%7B%22correlationId%22%3A%22c%201%22%7D")
                                   << "criteria" << QStringLiteral("{\"correlationId\":\"c 1\"}");
    QTest::newRow("repeated: the first") << QByteArray("a=1&a=2") << "a" << QStringLiteral("1");
    QTest::newRow("key is case-sensitive") << QByteArray("A=1") << "a" << QString();
}

void TestRouter::queryValue()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, key);
    QFETCH(QString, value);
    const Response response =
        m_client->request("GET", query.isNull() ? QByteArray("/q") : "/q?" + query);
    QCOMPARE(response.status, 200);
    QCOMPARE(m_server->dispatcher.requests.size(), 1);
    const QString got = m_server->dispatcher.requests.first().queryValue(key);
    QCOMPARE(got, value);
    QCOMPARE(got.isNull(), value.isNull());
}

QTEST_GUILESS_MAIN(TestRouter)
#include "tst_router.moc"
