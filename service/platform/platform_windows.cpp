// The Windows side of the platform seam (platform.h). Compiled only for Windows (CMake); CI
// checks that it compiles with mingw-w64 (scripts/ci-windows.sh, docs/windows.md).
#include "platform/platform.h"

#include <QCoreApplication>
#include <QDir>
#include <QMetaObject>

#include <atomic>

#include <winsock2.h>
#include <ws2tcpip.h>
// winsock2.h first: windows.h would bring in the old winsock.h.
#include <mstcpip.h>
#include <shlobj.h>
#include <windows.h>

namespace push::platform {

// --- the bus thread's wait --------------------------------------------------------------
// Windows cannot poll a pipe: the wake-up is a connected pair of loopback TCP sockets,
// made with a listener on 127.0.0.1 and an ephemeral port that is closed at once.

namespace {
SOCKET asSocket(qintptr s)
{
    return s < 0 ? INVALID_SOCKET : SOCKET(s);
}

QString lastSocketError(const char *what)
{
    return QStringLiteral("cannot create the bus wake-up socket pair (%1): error %2")
        .arg(QLatin1String(what))
        .arg(WSAGetLastError());
}

bool socketPair(SOCKET pair[2], QString *error)
{
    SOCKET listener = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener == INVALID_SOCKET) {
        *error = lastSocketError("socket");
        return false;
    }
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    pair[0] = pair[1] = INVALID_SOCKET;
    bool ok = ::bind(listener, reinterpret_cast<sockaddr *>(&address), length) == 0 &&
              ::listen(listener, 1) == 0 &&
              ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) == 0;
    if (ok) {
        pair[1] = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        ok = pair[1] != INVALID_SOCKET &&
             ::connect(pair[1], reinterpret_cast<sockaddr *>(&address), length) == 0;
    }
    if (ok) {
        pair[0] = ::accept(listener, nullptr, nullptr);
        ok = pair[0] != INVALID_SOCKET;
    }
    if (!ok) {
        *error = lastSocketError("loopback connect");
        for (int i = 0; i < 2; ++i)
            if (pair[i] != INVALID_SOCKET)
                ::closesocket(pair[i]);
    }
    ::closesocket(listener);
    return ok;
}
} // namespace

bool SocketWaiter::open(QString *error)
{
    WSADATA data;
    if (WSAStartup(MAKEWORD(2, 2), &data) != 0) {
        *error = QStringLiteral("WSAStartup failed");
        return false;
    }
    SOCKET pair[2];
    if (!socketPair(pair, error)) {
        WSACleanup();
        return false;
    }
    for (SOCKET s : pair) {
        u_long nonBlocking = 1;
        ::ioctlsocket(s, FIONBIO, &nonBlocking);
    }
    const BOOL noDelay = TRUE;
    ::setsockopt(pair[1], IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char *>(&noDelay),
                 sizeof noDelay);
    m_wakeRead = qintptr(pair[0]);
    m_wakeWrite = qintptr(pair[1]);
    return true;
}

void SocketWaiter::close()
{
    if (m_wakeRead < 0 && m_wakeWrite < 0)
        return;
    for (qintptr *s : {&m_wakeRead, &m_wakeWrite}) {
        if (*s >= 0)
            ::closesocket(asSocket(*s));
        *s = -1;
    }
    WSACleanup();
}

void SocketWaiter::wake()
{
    if (m_wakeWrite >= 0) {
        const char byte = 1;
        ::send(asSocket(m_wakeWrite), &byte, 1, 0);
    }
}

SocketWaiter::Result SocketWaiter::wait(qintptr socket, int timeoutMs)
{
    WSAPOLLFD fds[2] = {{asSocket(socket), POLLRDNORM, 0}, {asSocket(m_wakeRead), POLLRDNORM, 0}};
    const int n = ::WSAPoll(fds, 2, timeoutMs);
    if (n == SOCKET_ERROR)
        return Result::Failed;
    if (fds[1].revents & POLLRDNORM) {
        char drain[64];
        while (::recv(asSocket(m_wakeRead), drain, sizeof drain, 0) > 0) {
        }
        return Result::Woken;
    }
    // A closed or failed broker connection is reported as readable: the next read fails.
    return n > 0 ? Result::Readable : Result::TimedOut;
}

void setTcpKeepAlive(qintptr socket, int idleSeconds, int intervalSeconds, int count)
{
    if (socket < 0)
        return;
    // SIO_KEEPALIVE_VALS works on every Windows; the probe count is the system's (10).
    Q_UNUSED(count);
    tcp_keepalive values = {};
    values.onoff = 1;
    values.keepalivetime = ULONG(idleSeconds) * 1000;
    values.keepaliveinterval = ULONG(intervalSeconds) * 1000;
    DWORD returned = 0;
    ::WSAIoctl(asSocket(socket), SIO_KEEPALIVE_VALS, &values, sizeof values, nullptr, 0, &returned,
               nullptr, nullptr);
}

// --- console control events and the service's stop --------------------------------------

namespace {
std::function<void()> g_onStop;
std::atomic<bool> g_stopRequested{false};
HANDLE g_stopped = nullptr; // set once onStop has drained the service

BOOL WINAPI consoleHandler(DWORD event)
{
    requestShutdown();
    switch (event) {
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        // The process ends when this returns: let the drain finish (the system allows about
        // 5 s for a close, 20 s at shutdown).
        if (g_stopped)
            WaitForSingleObject(g_stopped, 4500);
        break;
    default:
        break;
    }
    return TRUE;
}
} // namespace

void installShutdownHandler(std::function<void()> onStop)
{
    g_onStop = std::move(onStop);
    g_stopped = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    SetConsoleCtrlHandler(consoleHandler, TRUE);
}

void installReloadHandler(std::function<void()>) {}

void requestShutdown()
{
    if (g_stopRequested.exchange(true))
        return;
    QCoreApplication *app = QCoreApplication::instance();
    if (!app)
        return;
    QMetaObject::invokeMethod(
        app,
        [] {
            if (g_onStop)
                g_onStop();
            if (g_stopped)
                SetEvent(g_stopped);
        },
        Qt::QueuedConnection);
}

// --- directories and logs ---------------------------------------------------------------

void useStandardStreams()
{
    // Both are read once, at the first message or the first parse; a value the user set
    // wins.
    if (!qEnvironmentVariableIsSet("QT_FORCE_STDERR_LOGGING"))
        qputenv("QT_FORCE_STDERR_LOGGING", "1");
    if (!qEnvironmentVariableIsSet("QT_COMMAND_LINE_PARSER_NO_GUI_MESSAGE_BOXES"))
        qputenv("QT_COMMAND_LINE_PARSER_NO_GUI_MESSAGE_BOXES", "1");
}

QString defaultDataDirectory()
{
    PWSTR path = nullptr;
    QString base;
    if (SUCCEEDED(SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &path)))
        base = QString::fromWCharArray(path);
    CoTaskMemFree(path);
    if (base.isEmpty())
        base = qEnvironmentVariable("ProgramData", QStringLiteral("C:/ProgramData"));
    return QDir(QDir::fromNativeSeparators(base)).filePath(QStringLiteral("push-service"));
}

QString serviceLogDirectory()
{
    return QDir(defaultDataDirectory()).filePath(QStringLiteral("logs"));
}

void writeSystemLog(QtMsgType type, const QString &message)
{
    if (type != QtCriticalMsg && type != QtFatalMsg)
        return;
    static HANDLE source = RegisterEventSourceW(nullptr, L"push-service");
    if (!source)
        return;
    const std::wstring text = message.toStdWString();
    LPCWSTR strings[1] = {text.c_str()};
    ReportEventW(source, EVENTLOG_ERROR_TYPE, 0, 0, nullptr, 1, 0, strings, nullptr);
}

} // namespace push::platform
