#pragma once

#include <QStringList>

#include <functional>

// push-service as a Windows service: the "service" subcommand and the service's entry
// point through the Service Control Manager (winservice_windows.cpp). On other systems the
// subcommand only says it is Windows-only (winservice_posix.cpp); systemd runs the service
// there. docs/windows.md.
namespace push::platform {

// Runs the service with these arguments (arguments[0] is the program) until it is asked to
// stop; returns the process's exit code. main.cpp's daemon.
using Daemon = std::function<int(const QStringList &arguments)>;

// push-service service install [options] | uninstall | start | stop | run [options]
//   install    registers the service (automatic start, LocalSystem) to run
//              "push-service service run [options]"; the options are the daemon's
//   uninstall  stops it if it runs and removes it
//   start, stop   through the Service Control Manager; stop waits for the drain
//   run        the entry point the Service Control Manager starts: runs `daemon` with
//              [program, options...], logging to %ProgramData%\push-service\logs
// `arguments` is the whole command line: [program, "service", verb, options...].
int runServiceCommand(const QStringList &arguments, const Daemon &daemon);

// Tells the Service Control Manager the service serves / is stopping. Nothing when the
// process is not a Windows service (and nothing on other systems).
void reportServiceRunning();
void reportServiceStopping();

} // namespace push::platform
