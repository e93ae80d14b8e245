#pragma once

// What every GUI test does with the real push-console and a real push-service: connect a
// window without the dialog, add a stream through the API. Used by the fixtures of
// tst_console (consoletest.h) and tst_replay.
#include "support/serviceprocess.h"

#include <QString>

namespace console {
class DocumentView;
class MainWindow;
} // namespace console

namespace consoletest {

// A development token of a tenant administrator of demo.
QByteArray tenantAdminToken(const ServiceProcess &service);
// Connects `window` to `service` as a tenant administrator of demo (development issuer),
// without the dialog; true once the streams and the activity feed are live.
bool connectWindow(console::MainWindow &window, const ServiceProcess &service);
// Adds a public stream to demo, through the API, of the events order-service:<id> (its
// own: no other test's events reach it).
bool addStream(const ServiceProcess &service, const QString &id, const QString &name);
// Whether the view's tree lists `id` (entries() has it a moment earlier).
bool inTree(const console::DocumentView *view, const QString &id);

} // namespace consoletest
