#include "shutdownsignals.h"

#include "platform/platform.h"

// The signals and console events themselves are the platform seam's (service/platform).
namespace push::app {

void installShutdownSignals(std::function<void()> onSignal)
{
    platform::installShutdownHandler(std::move(onSignal));
}

void installReloadSignal(std::function<void()> onReload)
{
    platform::installReloadHandler(std::move(onReload));
}

} // namespace push::app
