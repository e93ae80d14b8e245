#include "shutdownsignals.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#else
#include <QMetaObject>
#include <windows.h>
#endif

namespace push::core {

namespace {
std::function<void()> g_onSignal;
std::function<void()> g_onReload;
} // namespace

#ifdef Q_OS_UNIX
namespace {
int g_signalPipe[2] = {-1, -1};
int g_reloadPipe[2] = {-1, -1};

void handleSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalPipe[0], &byte, 1);
}

void handleReload(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_reloadPipe[0], &byte, 1);
}
} // namespace

void installReloadSignal(std::function<void()> onReload)
{
    g_onReload = std::move(onReload);
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_reloadPipe) != 0)
        return;
    auto *notifier =
        new QSocketNotifier(g_reloadPipe[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [] {
        char byte;
        [[maybe_unused]] const auto n = ::read(g_reloadPipe[1], &byte, 1);
        if (g_onReload)
            g_onReload();
    });
    struct sigaction action = {};
    action.sa_handler = handleReload;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &action, nullptr);
}

void installShutdownSignals(std::function<void()> onSignal)
{
    g_onSignal = std::move(onSignal);
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return;
    auto *notifier =
        new QSocketNotifier(g_signalPipe[1], QSocketNotifier::Read, QCoreApplication::instance());
    QObject::connect(notifier, &QSocketNotifier::activated, notifier, [notifier] {
        char byte;
        [[maybe_unused]] const auto n = ::read(g_signalPipe[1], &byte, 1);
        notifier->setEnabled(false);
        if (g_onSignal)
            g_onSignal();
    });
    struct sigaction action = {};
    action.sa_handler = handleSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    signal(SIGPIPE, SIG_IGN);
}
#else
namespace {
BOOL WINAPI consoleHandler(DWORD)
{
    QMetaObject::invokeMethod(QCoreApplication::instance(), [] {
        if (g_onSignal)
            g_onSignal();
    });
    return TRUE;
}
} // namespace

void installShutdownSignals(std::function<void()> onSignal)
{
    g_onSignal = std::move(onSignal);
    SetConsoleCtrlHandler(consoleHandler, TRUE);
}

void installReloadSignal(std::function<void()> onReload)
{
    g_onReload = std::move(onReload);
}
#endif

} // namespace push::core
