// The POSIX side of the platform seam (platform.h): Linux and any other Unix.
#include "platform/platform.h"

#include <QCoreApplication>
#include <QDir>
#include <QMetaObject>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace push::platform {

// --- the bus thread's wait --------------------------------------------------------------

bool SocketWaiter::open(QString *error)
{
    int fds[2];
    if (::pipe(fds) != 0) {
        *error = QStringLiteral("cannot create the bus wake-up pipe: %1")
                     .arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    for (int fd : fds)
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    m_wakeRead = fds[0];
    m_wakeWrite = fds[1];
    return true;
}

void SocketWaiter::close()
{
    for (qintptr *fd : {&m_wakeRead, &m_wakeWrite}) {
        if (*fd >= 0)
            ::close(int(*fd));
        *fd = -1;
    }
}

void SocketWaiter::wake()
{
    if (m_wakeWrite >= 0) {
        const char byte = 1;
        [[maybe_unused]] const ssize_t n = ::write(int(m_wakeWrite), &byte, 1);
    }
}

SocketWaiter::Result SocketWaiter::wait(qintptr socket, int timeoutMs)
{
    pollfd fds[2] = {{int(socket), POLLIN, 0}, {int(m_wakeRead), POLLIN, 0}};
    const int n = ::poll(fds, 2, timeoutMs);
    if (n < 0)
        return errno == EINTR ? Result::TimedOut : Result::Failed;
    if (fds[1].revents & POLLIN) {
        char drain[64];
        while (::read(int(m_wakeRead), drain, sizeof drain) > 0) {
        }
        return Result::Woken;
    }
    return n > 0 ? Result::Readable : Result::TimedOut;
}

void setTcpKeepAlive(qintptr socket, int idleSeconds, int intervalSeconds, int count)
{
    if (socket < 0)
        return;
    const int fd = int(socket), on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idleSeconds, sizeof idleSeconds);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intervalSeconds, sizeof intervalSeconds);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

// --- signals ----------------------------------------------------------------------------
// The signal handlers only write a byte to a socket pair, as Qt's documentation on Unix
// signals advises; a QSocketNotifier on the other end calls the handler on the main loop.

namespace {
std::function<void()> g_onStop;
std::function<void()> g_onReload;
int g_stopPair[2] = {-1, -1};
int g_reloadPair[2] = {-1, -1};

void handleStop(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_stopPair[0], &byte, 1);
}

void handleReload(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_reloadPair[0], &byte, 1);
}

void installHandler(int signal, void (*handler)(int))
{
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(signal, &action, nullptr);
}
} // namespace

void installReloadHandler(std::function<void()> onReload)
{
    g_onReload = std::move(onReload);
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_reloadPair) != 0)
        return;
    auto *notifier =
        new QSocketNotifier(g_reloadPair[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [] {
        char byte;
        [[maybe_unused]] const auto n = ::read(g_reloadPair[1], &byte, 1);
        if (g_onReload)
            g_onReload();
    });
    installHandler(SIGHUP, handleReload);
}

void installShutdownHandler(std::function<void()> onStop)
{
    g_onStop = std::move(onStop);
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_stopPair) != 0)
        return;
    auto *notifier =
        new QSocketNotifier(g_stopPair[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [notifier] {
        char byte;
        [[maybe_unused]] const auto n = ::read(g_stopPair[1], &byte, 1);
        notifier->setEnabled(false);
        if (g_onStop)
            g_onStop();
    });
    installHandler(SIGTERM, handleStop);
    installHandler(SIGINT, handleStop);
    signal(SIGPIPE, SIG_IGN);
}

void requestShutdown()
{
    if (g_stopPair[0] >= 0)
        handleStop(SIGTERM);
}

// --- directories and logs ---------------------------------------------------------------

void useStandardStreams() {} // Qt writes to stderr (or the journal) on its own

QString defaultDataDirectory()
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base.isEmpty() ? QDir::homePath() : base).filePath(QStringLiteral("push-service"));
}

QString serviceLogDirectory()
{
    return QDir(defaultDataDirectory()).filePath(QStringLiteral("logs"));
}

void writeSystemLog(QtMsgType, const QString &) {} // the journal reads stderr (systemd.h)

} // namespace push::platform
