#pragma once

#include <QStringList>

namespace push::app {

// `push-service token`: prints a token of the development issuer, shaped like a Keycloak
// access token. Returns the process exit code.
int runTokenCommand(const QStringList &arguments);

} // namespace push::app
