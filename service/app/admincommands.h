#pragma once

#include <QStringList>

namespace push::app {

// `push-service tenant ...` and `push-service config ...`: offline administration of the
// embedded store. A running service picks the change up within a second.
// Returns the process exit code.
int runAdminCommand(const QStringList &arguments);

} // namespace push::app
