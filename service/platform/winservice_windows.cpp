// push-service as a Windows service (winservice.h): the "service" subcommand through the
// Service Control Manager API, and the entry point it starts. Compiled only for Windows;
// CI compiles it with mingw-w64 (scripts/ci-windows.sh). docs/windows.md.
#include "platform/winservice.h"

#include "platform/platform.h"

#include <QCoreApplication>
#include <QDir>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include <windows.h>

namespace push::platform {

namespace {
constexpr wchar_t kName[] = L"push-service";
constexpr wchar_t kDisplayName[] = L"Qt Push Service";
constexpr wchar_t kDescription[] =
    L"Push gateway: domain events to Server-Sent Events and socket.io.";
constexpr DWORD kDrainHintMs = 30000;

void say(const QString &text)
{
    std::fprintf(stderr, "%s\n", text.toLocal8Bit().constData());
}

int fail(const QString &what)
{
    say(QStringLiteral("push-service service: %1: %2").arg(what, qt_error_string(-1)));
    return 1;
}

// Closes a service handle when it goes out of scope.
struct Handle
{
    SC_HANDLE h = nullptr;
    explicit Handle(SC_HANDLE handle)
        : h(handle)
    {}
    ~Handle()
    {
        if (h)
            CloseServiceHandle(h);
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    explicit operator bool() const { return h != nullptr; }
};

// "program" service run options..., each argument quoted as CommandLineToArgvW expects.
std::wstring serviceCommandLine(const QStringList &options)
{
    QStringList parts{QDir::toNativeSeparators(QCoreApplication::applicationFilePath()),
                      QStringLiteral("service"), QStringLiteral("run")};
    parts += options;
    QString line;
    for (const QString &part : parts) {
        QString quoted = part;
        quoted.replace(QLatin1String("\""), QLatin1String("\\\""));
        line += QLatin1Char('"') + quoted + QLatin1String("\" ");
    }
    return line.trimmed().toStdWString();
}

bool waitForState(SC_HANDLE service, DWORD wanted, int timeoutMs)
{
    SERVICE_STATUS status = {};
    for (int waited = 0; waited <= timeoutMs; waited += 250) {
        if (!QueryServiceStatus(service, &status))
            return false;
        if (status.dwCurrentState == wanted)
            return true;
        Sleep(250);
    }
    return false;
}

int install(const QStringList &options)
{
    Handle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CREATE_SERVICE));
    if (!manager)
        return fail(
            QStringLiteral("cannot open the Service Control Manager (run as administrator)"));
    const std::wstring command = serviceCommandLine(options);
    Handle service(CreateServiceW(manager.h, kName, kDisplayName, SERVICE_ALL_ACCESS,
                                  SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                  SERVICE_ERROR_NORMAL, command.c_str(), nullptr, nullptr, nullptr,
                                  nullptr /* LocalSystem */, nullptr));
    if (!service)
        return fail(QStringLiteral("cannot create the service"));
    SERVICE_DESCRIPTIONW description = {const_cast<LPWSTR>(kDescription)};
    ChangeServiceConfig2W(service.h, SERVICE_CONFIG_DESCRIPTION, &description);
    say(QStringLiteral("installed the service push-service: %1")
            .arg(QString::fromStdWString(command)));
    return 0;
}

int control(const QString &verb)
{
    Handle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!manager)
        return fail(QStringLiteral("cannot open the Service Control Manager"));
    const DWORD access = SERVICE_START | SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE;
    Handle service(OpenServiceW(manager.h, kName, access));
    if (!service)
        return fail(QStringLiteral("cannot open the service push-service"));
    SERVICE_STATUS status = {};
    if (verb == QLatin1String("start")) {
        if (!StartServiceW(service.h, 0, nullptr))
            return fail(QStringLiteral("cannot start the service"));
        if (!waitForState(service.h, SERVICE_RUNNING, kDrainHintMs))
            return fail(QStringLiteral("the service did not report running (see its log)"));
        say(QStringLiteral("push-service is running"));
        return 0;
    }
    // stop, uninstall: stop first (a graceful drain), then for uninstall remove it.
    QueryServiceStatus(service.h, &status);
    if (status.dwCurrentState != SERVICE_STOPPED) {
        if (!ControlService(service.h, SERVICE_CONTROL_STOP, &status))
            return fail(QStringLiteral("cannot stop the service"));
        if (!waitForState(service.h, SERVICE_STOPPED, kDrainHintMs))
            return fail(QStringLiteral("the service did not stop in time"));
    }
    if (verb == QLatin1String("uninstall")) {
        if (!DeleteService(service.h))
            return fail(QStringLiteral("cannot remove the service"));
        say(QStringLiteral("removed the service push-service"));
        return 0;
    }
    say(QStringLiteral("push-service is stopped"));
    return 0;
}

// --- the entry point the Service Control Manager starts ---------------------------------
// StartServiceCtrlDispatcherW blocks its thread for the service's lifetime and calls
// serviceMain on another; Qt's event loop stays on the main thread, so the dispatcher gets
// a thread of its own. serviceMain reports start-pending, lets main() run the daemon and
// reports stopped with its exit code when the daemon returns.

SERVICE_STATUS_HANDLE g_statusHandle = nullptr;
std::mutex g_statusMutex; // setStatus runs on the main, dispatcher and control threads
SERVICE_STATUS g_status = {};
DWORD g_checkPoint = 0;
HANDLE g_registered = nullptr; // serviceMain registered its handler (or the dispatch failed)
HANDLE g_finished = nullptr;   // the daemon returned
std::atomic<DWORD> g_exitCode{0};

void setStatus(DWORD state, DWORD waitHintMs = 0)
{
    if (!g_statusHandle)
        return;
    std::lock_guard lock(g_statusMutex);
    g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    g_status.dwCurrentState = state;
    g_status.dwControlsAccepted =
        state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    g_status.dwCheckPoint = pending ? ++g_checkPoint : 0;
    g_status.dwWaitHint = waitHintMs;
    const DWORD code = g_exitCode;
    g_status.dwWin32ExitCode = code == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    g_status.dwServiceSpecificExitCode = code;
    SetServiceStatus(g_statusHandle, &g_status);
}

DWORD WINAPI controlHandler(DWORD control, DWORD, LPVOID, LPVOID)
{
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        // The same graceful stop as SIGTERM on Linux: main.cpp's handler drains.
        setStatus(SERVICE_STOP_PENDING, kDrainHintMs);
        requestShutdown();
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

void WINAPI serviceMain(DWORD, LPWSTR *)
{
    g_statusHandle = RegisterServiceCtrlHandlerExW(kName, controlHandler, nullptr);
    setStatus(SERVICE_START_PENDING, kDrainHintMs);
    SetEvent(g_registered);
    if (!g_statusHandle)
        return;
    WaitForSingleObject(g_finished, INFINITE);
    setStatus(SERVICE_STOPPED);
}

int runAsService(const QStringList &daemonArguments, const Daemon &daemon)
{
    g_registered = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    g_finished = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    std::atomic<DWORD> dispatchError{0};
    std::thread dispatcher([&dispatchError] {
        SERVICE_TABLE_ENTRYW table[] = {{const_cast<LPWSTR>(kName), serviceMain},
                                        {nullptr, nullptr}};
        if (!StartServiceCtrlDispatcherW(table)) {
            dispatchError = GetLastError();
            SetEvent(g_registered);
        }
    });
    WaitForSingleObject(g_registered, INFINITE);
    if (!g_statusHandle) {
        dispatcher.join();
        say(QStringLiteral("push-service service run: not started by the Service Control "
                           "Manager (error %1). Use \"push-service service start\", or run "
                           "push-service without \"service run\" in a console.")
                .arg(dispatchError.load()));
        return 1;
    }
    QString error;
    if (!installLogOutput(LogTarget::File, serviceLogDirectory(), &error))
        writeSystemLog(QtCriticalMsg, error);
    const int code = daemon(daemonArguments);
    g_exitCode = DWORD(code);
    SetEvent(g_finished);
    dispatcher.join();
    return code;
}
} // namespace

int runServiceCommand(const QStringList &arguments, const Daemon &daemon)
{
    const QString verb = arguments.value(2);
    const QStringList options = arguments.mid(3);
    if (verb == QLatin1String("install"))
        return install(options);
    if (verb == QLatin1String("uninstall") || verb == QLatin1String("start") ||
        verb == QLatin1String("stop"))
        return control(verb);
    if (verb == QLatin1String("run"))
        return runAsService(QStringList{arguments.value(0)} + options, daemon);
    say(QStringLiteral("usage: push-service service install [options] | uninstall | start | "
                       "stop | run [options]\n(options: the daemon's, see push-service --help; "
                       "docs/windows.md)"));
    return verb.isEmpty() || verb == QLatin1String("--help") ? 0 : 2;
}

void reportServiceRunning()
{
    setStatus(SERVICE_RUNNING);
}

void reportServiceStopping()
{
    setStatus(SERVICE_STOP_PENDING, kDrainHintMs);
}

} // namespace push::platform
