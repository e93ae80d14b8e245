#pragma once

#include "shared/cursor.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace push::app {

// socket.io connection state recovery's private session id (`pid`), as this service makes
// it (docs/resume.md, "socket.io"): what a session subscribed to and where in its tenant's
// replay log it began, signed with the service's key (HMAC-SHA256), so that any instance
// sharing the key, and the same one after a restart, can restore the session from it
// alone. Text: base64url(compact JSON) "." base64url(MAC).
struct RecoveryToken
{
    QString sid;      // the socket's id, kept by a restored session
    QString nsp;      // the namespace ("/<tenant name>")
    QString stream;   // the handshake's `stream`
    QString criteria; // the handshake's `criteria` (JSON text; empty: none)
    QString user;     // the subscriber's user id (empty: anonymous)
    Cursor start;     // the log's head when the session began
    qint64 issuedMs = 0;

    // Longest pid accepted: anything longer is refused before it is looked at.
    static constexpr qsizetype kMaxLength = 4096;
    // Keys shorter than this are refused (settings check the one given).
    static constexpr qsizetype kMinKeyBytes = 16;

    QByteArray sign(const QByteArray &key) const;
    // The token `pid` holds when its MAC is `key`'s; nullopt with *why otherwise (too
    // long, malformed, a MAC that does not match, fields missing). The MAC is checked
    // before the JSON is parsed.
    static std::optional<RecoveryToken> verify(QByteArrayView pid, const QByteArray &key,
                                               QString *why);
};

} // namespace push::app
