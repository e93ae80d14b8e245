#pragma once

#include <QString>

// What the service tells systemd, and how it logs to the journal. Built on libsystemd's
// sd_notify when the build found libsystemd (PUSH_HAVE_SYSTEMD); elsewhere (Windows, a
// build without libsystemd-dev) the notifications do nothing.
namespace push::app::systemd {

// READY=1 with a STATUS= line: the port is served. False when not started by systemd
// (no NOTIFY_SOCKET) or built without libsystemd.
bool notifyReady(const QString &status);
// RELOADING=1 (systemctl reload is re-reading the settings); READY=1 follows.
void notifyReloading();
// STOPPING=1: shutting down.
void notifyStopping();

// True when stderr is the journal's stream (JOURNAL_STREAM names its device and inode).
bool stderrIsJournal();
// The Qt message pattern: with syslog priority prefixes (<3> error, <4> warning, <6> info,
// <7> debug) and no timestamp for the journal, a timestamped line otherwise.
QString messagePattern(bool journal);

} // namespace push::app::systemd
