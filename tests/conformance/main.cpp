// socketio-conformance-server: the reference server of socket.io's public protocol test
// suites, on this project's Engine.IO/Socket.IO library. pingInterval 300 ms,
// pingTimeout 200 ms, maxPayload 1,000,000, connectTimeout 1,000 ms. On "/": emits
// "auth" with the handshake auth payload, answers "message" with "message-back" (same
// arguments) and acknowledges "message-with-ack" with its arguments; "/custom" emits
// "auth" likewise. With --engine-io-echo it also serves Engine.IO alone at /engine.io/
// (the engine.io package's default path): every message is sent back as it came (text or
// binary), so both of socket.io's protocol suites run against one server unchanged.
#include "app/shutdownsignals.h"
#include "engineio/engineserver.h"
#include "http/server.h"
#include "socketio/socketioserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QLoggingCategory>

using namespace push;

namespace {

class ConformanceApp final : public socketio::Application
{
public:
    bool acceptsNamespace(const QString &nsp) const override
    {
        return nsp == QLatin1String("/") || nsp == QLatin1String("/custom");
    }
    void onConnect(const socketio::ConnectRequest &,
                   std::function<void(socketio::ConnectResult)> done) override
    {
        done(socketio::ConnectResult::accept([](socketio::Socket &socket) {
            socket.emitEvent(QStringLiteral("auth"), {socket.auth()});
        }));
    }
    void onEvent(socketio::Socket &socket, const QJsonArray &args, qint64 ackId) override
    {
        if (socket.nsp() != QLatin1String("/"))
            return;
        const QString event = args.first().toString();
        const QJsonArray rest = QJsonArray::fromVariantList(args.toVariantList().mid(1));
        if (event == QLatin1String("message"))
            socket.emitEvent(QStringLiteral("message-back"), rest);
        else if (event == QLatin1String("message-with-ack") && ackId >= 0)
            socket.ack(ackId, rest);
    }
};

class EchoHandler final : public engineio::SessionHandler
{
public:
    void onOpen(engineio::Session &) override {}
    void onMessage(engineio::Session &session, const engineio::Packet &packet) override
    {
        session.send(packet);
    }
    void onClose(engineio::Session &, const QString &) override {}
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("push.*.debug=false"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("socket.io protocol conformance server"));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("port"), QStringLiteral("Port (default 3000; 0 picks one)."),
         QStringLiteral("P"), QStringLiteral("3000")},
        {QStringLiteral("bind"), QStringLiteral("Address (default 127.0.0.1)."),
         QStringLiteral("ADDR"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("workers"), QStringLiteral("I/O workers (default 2)."), QStringLiteral("N"),
         QStringLiteral("2")},
        {QStringLiteral("engine-io-echo"), QStringLiteral("Echo every Engine.IO message.")},
    });
    parser.process(app);

    engineio::EngineOptions options;
    options.pingIntervalMs = 300;
    options.pingTimeoutMs = 200;
    options.maxPayload = 1000000;
    ConformanceApp conformance;
    http::Server http;
    const auto serve = [&http](const QString &path,
                               std::shared_ptr<engineio::EngineServer::Endpoint> endpoint) {
        // Every method reaches the endpoint, which answers 400 to all but GET and POST
        // (as the reference servers do; the router would answer 405).
        for (const char *method : {"GET", "POST", "PUT", "DELETE", "PATCH"})
            http.router().route(method, path, [endpoint](http::HttpCall &call) {
                engineio::EngineServer::handle(endpoint, call);
            });
    };
    // Socket.IO at /socket.io/ always; with --engine-io-echo also the Engine.IO echo at
    // /engine.io/, the engine.io package's default path, as the reference servers do.
    serve(QStringLiteral("/socket.io"),
          socketio::SocketIoServer::endpoint(conformance, options, 1000));
    if (parser.isSet(QStringLiteral("engine-io-echo"))) {
        auto echo = std::make_shared<engineio::EngineServer::Endpoint>();
        echo->options = options;
        echo->handlerFor = [](http::Worker &) {
            static EchoHandler handler; // stateless: one for every worker
            return &handler;
        };
        serve(QStringLiteral("/engine.io"), echo);
    }
    http::WorkerSettings settings;
    settings.limits.maxBodyBytes = 2 * options.maxPayload; // the Engine.IO layer answers 413 itself
    QString error;
    const QHostAddress address(parser.value(QStringLiteral("bind")));
    if (!http.start(address, quint16(parser.value(QStringLiteral("port")).toUInt()),
                    parser.value(QStringLiteral("workers")).toInt(), settings, &error)) {
        qCritical().noquote() << error;
        return 1;
    }
    qInfo().noquote()
        << QStringLiteral("listening on http://%1:%2").arg(address.toString()).arg(http.port());
    app::installShutdownSignals([&http] {
        http.stop(QStringLiteral("shutting down"));
        QCoreApplication::quit();
    });
    return app.exec();
}
