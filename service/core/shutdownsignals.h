#pragma once

#include <functional>

namespace push::core {

// Calls `onSignal` on the main thread's event loop when SIGTERM or SIGINT arrives (on
// Windows: Ctrl+C / console close). The signal handler itself only writes a byte to a
// socket pair, as Qt's documentation on Unix signals advises.
void installShutdownSignals(std::function<void()> onSignal);

// Calls `onReload` on the main thread's event loop each time SIGHUP arrives (systemctl
// reload). Nothing on Windows.
void installReloadSignal(std::function<void()> onReload);

} // namespace push::core
