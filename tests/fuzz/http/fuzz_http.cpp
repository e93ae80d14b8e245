// The whole HTTP side of push-service fed arbitrary bytes: a PushService runs in this
// process (SQLite in a temporary directory, one I/O worker, the development issuer) and
// each input is written to it over a loopback TCP connection, then the write side is shut.
// So every byte takes the path of a real client: the acceptor, the worker, HttpConnection
// and http_parser (pipelined requests included), the router and the handlers, and the
// upgrades to WebSocket (Engine.IO/Socket.IO) with the frames that follow the handshake.
//
// The service must then answer and close within kAnswerMs (it has the whole request and
// the peer's end of stream): a connection left open, a spinning worker or a crash is a
// finding. `$TOKEN` and `$ADMIN` in the input become a development issuer's bearer tokens
// (event sender; configuration administrator), so the fuzzer reaches the authenticated
// routes too.
#include "app/pushservice.h"
#include "app/settings.h"
#include "auth/devissuer.h"
#include "fuzzsupport.h"
#include "shared/access.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <sys/socket.h>

using namespace push;

namespace {

constexpr int kAnswerMs = 5000;

QCoreApplication *g_app = nullptr;
QTemporaryDir *g_dir = nullptr;
app::PushService *g_service = nullptr;
QByteArray g_token;
QByteArray g_admin;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    push::fuzz::quiet();
    g_app = new QCoreApplication(*argc, *argv);
    g_dir = new QTemporaryDir();
    app::Settings settings;
    settings.bind = QHostAddress(QHostAddress::LocalHost);
    settings.port = 0;
    settings.dataDir = g_dir->path();
    settings.workers = 1;
    settings.logLevel = QStringLiteral("error");
    settings.devIssuer = QStringLiteral("on");
    // Short timeouts: an input that stops mid-request costs the run no more than this.
    settings.idleTimeoutSeconds = 2;
    settings.pingIntervalMs = 1000;
    settings.pingTimeoutMs = 1000;
    g_service = new app::PushService(settings);
    QString error;
    if (!g_service->start(&error)) {
        std::fprintf(stderr, "push-service did not start: %s\n", qPrintable(error));
        std::abort();
    }
    push::fuzz::quiet(); // start() set logging rules; keep it quiet anyway

    auth::DevIssuer issuer;
    if (!issuer.open(settings.dataDir, &error)) {
        std::fprintf(stderr, "development issuer: %s\n", qPrintable(error));
        std::abort();
    }
    auth::DevIssuer::TokenRequest request;
    request.realm = QLatin1String(kCoreRealm);
    request.subject = QStringLiteral("fuzzer");
    request.ttlSeconds = 24 * 3600;
    request.roles = {QLatin1String(kEventSenderRole)};
    g_token = issuer.mint(request);
    request.roles = {QLatin1String(kConfigurationAdminRole), QLatin1String(kTenantAdminRole)};
    g_admin = issuer.mint(request);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray input = push::fuzz::bytes(data, size);
    input.replace("$TOKEN", g_token);
    input.replace("$ADMIN", g_admin);

    QTcpSocket socket;
    QEventLoop loop;
    bool closed = false;
    bool shut = false;
    const auto shutWhenWritten = [&] {
        if (!shut && socket.bytesToWrite() == 0) {
            shut = true;
            ::shutdown(int(socket.socketDescriptor()), SHUT_WR);
        }
    };
    QObject::connect(&socket, &QTcpSocket::connected, &loop, [&] {
        socket.write(input);
        shutWhenWritten();
    });
    QObject::connect(&socket, &QTcpSocket::bytesWritten, &loop, shutWhenWritten);
    QObject::connect(&socket, &QTcpSocket::readyRead, &loop, [&] { socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &loop, [&] {
        closed = true;
        loop.quit();
    });
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, [&] {
        closed = true;
        loop.quit();
    });
    QTimer::singleShot(kAnswerMs, &loop, &QEventLoop::quit);
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), g_service->port());
    loop.exec();
    if (!closed) {
        std::fprintf(stderr,
                     "push-service neither answered and closed within %d ms after the end of "
                     "the input (state %d, %lld bytes unsent)\n",
                     kAnswerMs, int(socket.state()), qlonglong(socket.bytesToWrite()));
        std::abort();
    }
    socket.abort();
    return 0;
}
