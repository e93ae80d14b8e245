#pragma once

#include <QString>
#include <QtGlobal>

#include <functional>

// What differs between the platforms the service runs on, behind one interface. Each
// function is implemented twice: platform_posix.cpp (Linux, any Unix) and
// platform_windows.cpp (Windows), and CMake compiles one of the two. The rest of the service
// has no platform #ifdefs for these (docs/windows.md, docs/architecture.md "Platform seam").
namespace push::platform {

// The bus thread's wait: until its socket has data, another thread calls wake(), or a
// timeout passes. POSIX: poll() over the socket and a non-blocking pipe. Windows: WSAPoll()
// over the socket and one end of a loopback TCP pair (a pipe cannot be polled there).
class SocketWaiter
{
public:
    enum class Result { Readable, Woken, TimedOut, Failed };

    SocketWaiter() = default;
    ~SocketWaiter() { close(); }
    SocketWaiter(const SocketWaiter &) = delete;
    SocketWaiter &operator=(const SocketWaiter &) = delete;

    bool open(QString *error);
    void close();
    // Any thread; cheap, and harmless when nothing waits (the next wait returns at once).
    void wake();
    // The waiting thread: `socket` is the descriptor (SOCKET on Windows) to watch for input.
    // Drains the wake-ups it consumed. Woken also when both happened.
    Result wait(qintptr socket, int timeoutMs);

private:
    qintptr m_wakeRead = -1;
    qintptr m_wakeWrite = -1;
};

// TCP keep-alive with short timings on a connected socket, so that a dead peer is noticed
// within seconds (idle, then `count` probes `interval` apart).
void setTcpKeepAlive(qintptr socket, int idleSeconds, int intervalSeconds, int count);

// Calls `onStop` once on the main thread's event loop when the process is asked to stop:
// SIGTERM or SIGINT on POSIX; Ctrl+C, Ctrl+Break, closing the console window, logoff or
// shutdown on Windows, and the Service Control Manager's stop (winservice.h). The
// handler drains the service synchronously; on Windows the console's close/shutdown
// events wait for it (the system ends the process when its handler returns).
void installShutdownHandler(std::function<void()> onStop);
// Calls `onReload` on the main thread each time SIGHUP arrives (systemctl reload).
// Nothing on Windows (restart the service there).
void installReloadHandler(std::function<void()> onReload);
// Asks for the stop from any thread, as the events above do.
void requestShutdown();

// The embedded store's directory when none is configured. POSIX: the user's
// $XDG_DATA_HOME/push-service (~/.local/share/push-service). Windows:
// %ProgramData%\push-service, shared by the service and the command line.
QString defaultDataDirectory();

// Before anything is printed: a console program's log, --help and --version go to its
// standard streams. POSIX: nothing to do. Windows: Qt sends the log to the debugger's
// output and --help/--version to a message box whenever the process has no console
// window (started by another program with its output redirected: a supervisor, a CI
// runner, a test under wine), unless told otherwise; this tells it otherwise.
void useStandardStreams();

// Log output. Console: stderr, as Qt does by default (nothing to install). File: lines
// appended to <directory>/push-service.log, rotated at 10 MB (push-service.1.log ... .4.log);
// on Windows, errors also go to the Event Log (source "push-service"). Used by the
// Windows service, which has no console.
enum class LogTarget { Console, File };
bool installLogOutput(LogTarget target, const QString &directory, QString *error);
// Where the Windows service writes its log: %ProgramData%\push-service\logs.
QString serviceLogDirectory();
// The system's own log, for errors of the file target: the Event Log on Windows, nothing
// on POSIX (there the journal reads stderr).
void writeSystemLog(QtMsgType type, const QString &message);

} // namespace push::platform
