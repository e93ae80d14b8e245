// The "service" subcommand off Windows (winservice.h): systemd runs the service there.
#include "platform/winservice.h"

#include <cstdio>

namespace push::platform {

int runServiceCommand(const QStringList &, const Daemon &)
{
    std::fputs("push-service service: Windows only (install|uninstall|start|stop|run with the "
               "Service Control Manager).\nOn Linux the systemd unit runs the service: "
               "systemctl start|stop|reload push-service.\n",
               stderr);
    return 2;
}

void reportServiceRunning() {}
void reportServiceStopping() {}

} // namespace push::platform
