#pragma once

#include <functional>

namespace push::app {

// Calls `onSignal` on the main thread's event loop when SIGTERM or SIGINT arrives (on
// Windows: Ctrl+C, console close, logoff, shutdown and the service's stop). The platform
// seam does it (service/platform/platform.h).
void installShutdownSignals(std::function<void()> onSignal);

// Calls `onReload` on the main thread's event loop each time SIGHUP arrives (systemctl
// reload). Nothing on Windows.
void installReloadSignal(std::function<void()> onReload);

} // namespace push::app
