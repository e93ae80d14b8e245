#pragma once

#include "auth/authenticator.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace push::app {

// Everything the service is told at start. Sources, first wins: command line,
// environment (PUSH_* and ADSP's own names such as PORT and LOG_LEVEL), the INI file
// given with --config (or PUSH_CONFIG), built-in defaults.
struct Settings
{
    QHostAddress bind = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 3334;
    QString dataDir;
    QString logLevel = QStringLiteral("info"); // error, warn, info, debug
    int workers = 0;                           // 0: one per core
    int keepAliveSeconds = 15;
    int idleTimeoutSeconds = 60;
    qint64 subscriberBufferBytes = 1024 * 1024;
    qint64 maxRequestBytes = 1024 * 1024;
    QString publicUrl; // base URL for _links, when behind a proxy
    // Bounds on what clients may hold (0: none). Behind a reverse proxy every client has
    // the proxy's address: raise the per-address ones there.
    qint64 maxConnections = 100000;
    qint64 maxConnectionsPerAddress = 10000;
    qint64 maxSessions = 100000; // Engine.IO sessions
    qint64 maxSessionsPerAddress = 5000;
    qint64 maxQueuedResponseBytes = 1024 * 1024; // answers a pipelining peer has not read
    qint64 socketIoConnectTimeoutMs = 45000;     // a session with no namespace is closed
    qint64 socketIoMaxNamespaces = 32;           // per Engine.IO session
    // socket.io connection state recovery (resume on): how long after the session began,
    // or after the last event the client got, a session can still be restored.
    qint64 socketIoMaxDisconnectionSeconds = 120;
    QStringList corsOrigins;    // empty: reflect any Origin (ADSP's default), never "null"
    int pingIntervalMs = 25000; // Engine.IO heartbeat
    int pingTimeoutMs = 20000;
    auth::AuthSettings auth;
    QString devIssuer = QStringLiteral("auto"); // auto (on without external issuers), on, off
    // Event bus: empty = HTTP ingest only. amqp://user:password@host:port/vhost (amqps:// for
    // TLS); ADSP's AMQP_HOST, AMQP_USER and AMQP_PASSWORD build one too.
    QString amqpUrl;
    qint64 amqpPrefetch = 500;
    qint64 amqpHeartbeatSeconds = 3;    // a broker silent twice this long is dropped
    qint64 amqpConfirmTimeoutMs = 3000; // a publish unconfirmed this long: 503, dropped
    // Admin activity feed: items per second per listener (bursts of twice that).
    qint64 activityPerSecond = 100;
    // Webhooks: each call's timeout, calls at once, calls waiting beyond which new ones
    // are dropped (and counted).
    qint64 webhookTimeoutMs = 10000;
    qint64 webhookMaxInFlight = 16;
    qint64 webhookMaxQueued = 1000;
    // Shared store: empty = the embedded SQLite file in dataDir. postgresql://user:password@
    // host:port/database for PostgreSQL (Qt's QPSQL driver).
    QString databaseUrl;
    // Resumable streams (docs/resume.md): the replay log, its retention by age and length
    // per tenant. Off: the frames of a service without it, exactly.
    bool resume = true;
    qint64 resumeRetentionHours = 24;
    qint64 resumeMaxLength = 100000;
    // redis://[[user]:password@]host[:port][/db]: the replay log in Redis, shared by the
    // instances (ADSP's layout). Empty: the embedded SQLite log in dataDir.
    QString redisUrl;
    // Signs socket.io's recovery pids: empty = a key kept in the store (made once, shared by
    // the instances of a shared store).
    QString resumeSecret;

    // Adds the options that configure the service to `parser`.
    static void addOptions(QCommandLineParser &parser);
    // Resolves every setting from the parsed command line, the environment and the INI
    // file. Returns false and sets *error when a value is unusable.
    static bool resolve(const QCommandLineParser &parser, Settings *settings, QString *error);

    static QString defaultDataDir();
    // For the administration commands: --database-url, else $PUSH_DATABASE_URL.
    static QString databaseUrlOption(const QCommandLineParser &parser);
    // QLoggingCategory filter rules for a level name; empty for an unknown name.
    static QString loggingRules(const QString &level);

    // The INI keys whose values differ between this and `other` (for systemctl reload).
    QStringList changedKeys(const Settings &other) const;
};

} // namespace push::app
