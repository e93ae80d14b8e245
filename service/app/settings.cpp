#include "settings.h"

#include "platform/platform.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QSettings>
#include <QThread>
#include <QUrl>

#include <optional>

namespace push::app {

namespace {

struct Source
{
    const QCommandLineParser &parser;
    std::optional<QSettings> ini;

    // Command line, then each environment name, then the INI key.
    QString value(const QString &option, const QStringList &envNames, const QString &iniKey) const
    {
        if (!option.isEmpty() && parser.isSet(option))
            return parser.value(option);
        for (const QString &name : envNames) {
            const QByteArray env = qgetenv(name.toLatin1().constData());
            if (!env.isEmpty())
                return QString::fromLocal8Bit(env);
        }
        if (ini && ini->contains(iniKey)) {
            // QSettings reads "a, b" as a list: a list setting is the items joined again.
            const QVariant value = ini->value(iniKey);
            if (value.typeId() == QMetaType::QStringList)
                return value.toStringList().join(QLatin1Char(','));
            return value.toString();
        }
        return {};
    }
};

bool readInt(const QString &text, const QString &what, qint64 min, qint64 max, qint64 *out,
             QString *error)
{
    if (text.isEmpty())
        return true;
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max) {
        *error = QStringLiteral("%1 must be a whole number from %2 to %3, not '%4'")
                     .arg(what)
                     .arg(min)
                     .arg(max)
                     .arg(text);
        return false;
    }
    *out = value;
    return true;
}

// The listener, the data directory, logging, the workers.
bool resolveService(const Source &source, Settings *s, QString *error)
{
    const QString bind = source.value(QStringLiteral("bind"), {QStringLiteral("PUSH_BIND")},
                                      QStringLiteral("service/bind"));
    if (!bind.isEmpty() && !s->bind.setAddress(bind)) {
        *error = QStringLiteral("bind address '%1' is not an IP address").arg(bind);
        return false;
    }
    qint64 number = s->port;
    if (!readInt(source.value(QStringLiteral("port"),
                              {QStringLiteral("PUSH_PORT"), QStringLiteral("PORT")},
                              QStringLiteral("service/port")),
                 QStringLiteral("port"), 0, 65535, &number, error))
        return false;
    s->port = quint16(number);
    s->dataDir = source.value(QStringLiteral("data-dir"), {QStringLiteral("PUSH_DATA_DIR")},
                              QStringLiteral("service/dataDir"));
    if (s->dataDir.isEmpty())
        s->dataDir = Settings::defaultDataDir();
    const QString level =
        source.value(QStringLiteral("log-level"),
                     {QStringLiteral("PUSH_LOG_LEVEL"), QStringLiteral("LOG_LEVEL")},
                     QStringLiteral("service/logLevel"));
    if (!level.isEmpty()) {
        if (Settings::loggingRules(level).isEmpty()) {
            *error =
                QStringLiteral("log level '%1' is not one of error, warn, info, debug").arg(level);
            return false;
        }
        s->logLevel = level.toLower();
    }
    number = s->workers;
    if (!readInt(source.value(QStringLiteral("workers"), {QStringLiteral("PUSH_WORKERS")},
                              QStringLiteral("service/workers")),
                 QStringLiteral("workers"), 0, 256, &number, error))
        return false;
    s->workers = number > 0 ? int(number) : std::max(1, QThread::idealThreadCount());
    return true;
}

// The numeric settings that only the environment and the INI file set; public URL and CORS.
bool resolveNumbers(const Source &source, Settings *s, QString *error)
{
    struct Numeric
    {
        const char *env;
        const char *ini;
        const char *what;
        qint64 min;
        qint64 max;
        qint64 *value;
    };
    qint64 keepAlive = s->keepAliveSeconds, idle = s->idleTimeoutSeconds;
    qint64 pingInterval = s->pingIntervalMs, pingTimeout = s->pingTimeoutMs;
    const Numeric numerics[] = {
        {"PUSH_KEEPALIVE_SECONDS", "stream/keepAliveSeconds", "keep-alive interval", 1, 3600,
         &keepAlive},
        {"PUSH_IDLE_TIMEOUT_SECONDS", "service/idleTimeoutSeconds", "idle timeout", 1, 86400,
         &idle},
        {"PUSH_SUBSCRIBER_BUFFER_BYTES", "stream/subscriberBufferBytes", "subscriber buffer", 1024,
         1LL << 30, &s->subscriberBufferBytes},
        {"PUSH_MAX_REQUEST_BYTES", "service/maxRequestBytes", "maximum request size", 1024,
         1LL << 30, &s->maxRequestBytes},
        {"PUSH_PING_INTERVAL_MS", "socketio/pingIntervalMs", "ping interval", 50, 600000,
         &pingInterval},
        {"PUSH_PING_TIMEOUT_MS", "socketio/pingTimeoutMs", "ping timeout", 50, 600000,
         &pingTimeout},
        {"PUSH_AMQP_PREFETCH", "bus/prefetch", "AMQP prefetch", 1, 65535, &s->amqpPrefetch},
        {"PUSH_AMQP_HEARTBEAT_SECONDS", "bus/heartbeatSeconds", "AMQP heartbeat", 1, 600,
         &s->amqpHeartbeatSeconds},
        {"PUSH_AMQP_CONFIRM_TIMEOUT_MS", "bus/confirmTimeoutMs", "AMQP confirm timeout", 100,
         600000, &s->amqpConfirmTimeoutMs},
        {"PUSH_ACTIVITY_PER_SECOND", "admin/activityPerSecond", "activity feed rate", 1, 100000,
         &s->activityPerSecond},
        {"PUSH_WEBHOOK_TIMEOUT_MS", "webhooks/timeoutMs", "webhook timeout", 100, 600000,
         &s->webhookTimeoutMs},
        {"PUSH_WEBHOOK_MAX_IN_FLIGHT", "webhooks/maxInFlight", "webhook calls in flight", 1, 1000,
         &s->webhookMaxInFlight},
        {"PUSH_WEBHOOK_MAX_QUEUED", "webhooks/maxQueued", "webhook calls queued", 0, 1000000,
         &s->webhookMaxQueued},
        {"PUSH_MAX_CONNECTIONS", "limits/maxConnections", "maximum connections", 0, 10000000,
         &s->maxConnections},
        {"PUSH_MAX_CONNECTIONS_PER_ADDRESS", "limits/maxConnectionsPerAddress",
         "maximum connections per address", 0, 10000000, &s->maxConnectionsPerAddress},
        {"PUSH_MAX_SESSIONS", "limits/maxSessions", "maximum Engine.IO sessions", 0, 10000000,
         &s->maxSessions},
        {"PUSH_MAX_SESSIONS_PER_ADDRESS", "limits/maxSessionsPerAddress",
         "maximum Engine.IO sessions per address", 0, 10000000, &s->maxSessionsPerAddress},
        {"PUSH_MAX_QUEUED_RESPONSE_BYTES", "limits/maxQueuedResponseBytes",
         "maximum queued response bytes", 4096, 1LL << 30, &s->maxQueuedResponseBytes},
        {"PUSH_SOCKETIO_CONNECT_TIMEOUT_MS", "socketio/connectTimeoutMs",
         "socket.io connect timeout", 100, 3600000, &s->socketIoConnectTimeoutMs},
        {"PUSH_SOCKETIO_MAX_NAMESPACES", "socketio/maxNamespaces",
         "socket.io namespaces per connection", 1, 10000, &s->socketIoMaxNamespaces},
        {"PUSH_SOCKETIO_MAX_DISCONNECTION_SECONDS", "socketio/maxDisconnectionSeconds",
         "socket.io recovery window", 1, 24 * 3600, &s->socketIoMaxDisconnectionSeconds},
    };
    for (const Numeric &n : numerics) {
        if (!readInt(
                source.value(QString(), {QString::fromLatin1(n.env)}, QString::fromLatin1(n.ini)),
                QString::fromLatin1(n.what), n.min, n.max, n.value, error))
            return false;
    }
    s->keepAliveSeconds = int(keepAlive);
    s->idleTimeoutSeconds = int(idle);
    s->pingIntervalMs = int(pingInterval);
    s->pingTimeoutMs = int(pingTimeout);
    s->publicUrl = source.value(QString(), {QStringLiteral("PUSH_PUBLIC_URL")},
                                QStringLiteral("service/publicUrl"));
    const QString corsOrigins = source.value(QString(), {QStringLiteral("PUSH_CORS_ORIGINS")},
                                             QStringLiteral("service/corsOrigins"));
    for (const QString &origin : corsOrigins.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString trimmed = origin.trimmed();
        if (trimmed == QLatin1String("null")) {
            *error = QStringLiteral("PUSH_CORS_ORIGINS: the origin null cannot be allowed");
            return false;
        }
        if (!trimmed.isEmpty())
            s->corsOrigins.append(trimmed.endsWith(QLatin1Char('/')) ? trimmed.chopped(1)
                                                                     : trimmed);
    }
    return true;
}

// Identity: the issuers trusted, audience, leeway, the development issuer.
bool resolveIdentity(const Source &source, Settings *s, QString *error)
{
    qint64 number = 0;
    s->auth.keycloakUrl =
        source.value(QStringLiteral("keycloak-url"),
                     {QStringLiteral("PUSH_KEYCLOAK_URL"), QStringLiteral("KEYCLOAK_ROOT_URL")},
                     QStringLiteral("auth/keycloakUrl"));
    const QString issuers = source.value(QString(), {QStringLiteral("PUSH_OIDC_ISSUERS")},
                                         QStringLiteral("auth/oidcIssuers"));
    for (const QString &issuer : issuers.split(QLatin1Char(','), Qt::SkipEmptyParts))
        s->auth.oidcIssuers.append(issuer.trimmed());
    s->auth.issuersFile =
        source.value(QStringLiteral("issuers-file"), {QStringLiteral("PUSH_ISSUERS_FILE")},
                     QStringLiteral("auth/issuersFile"));
    const QString audience =
        source.value(QString(), {QStringLiteral("PUSH_AUDIENCE")}, QStringLiteral("auth/audience"));
    if (!audience.isEmpty())
        s->auth.audience = audience;
    const QString verifyAudience = source
                                       .value(QString(), {QStringLiteral("PUSH_VERIFY_AUDIENCE")},
                                              QStringLiteral("auth/verifyAudience"))
                                       .toLower();
    if (!verifyAudience.isEmpty()) {
        if (verifyAudience != QLatin1String("true") && verifyAudience != QLatin1String("false")) {
            *error = QStringLiteral("verifyAudience must be true or false, not '%1'")
                         .arg(verifyAudience);
            return false;
        }
        s->auth.verifyAudience = verifyAudience == QLatin1String("true");
    }
    number = s->auth.leewaySeconds;
    if (!readInt(source.value(QString(), {QStringLiteral("PUSH_TOKEN_LEEWAY_SECONDS")},
                              QStringLiteral("auth/leewaySeconds")),
                 QStringLiteral("token time leeway"), 0, 600, &number, error))
        return false;
    s->auth.leewaySeconds = int(number);
    number = s->auth.keyRefreshSeconds;
    if (!readInt(source.value(QString(), {QStringLiteral("PUSH_KEY_REFRESH_SECONDS")},
                              QStringLiteral("auth/keyRefreshSeconds")),
                 QStringLiteral("key refresh interval"), 1, 86400, &number, error))
        return false;
    s->auth.keyRefreshSeconds = int(number);
    const QString dev =
        source
            .value(QStringLiteral("dev-issuer"), {QStringLiteral("PUSH_DEV_ISSUER")},
                   QStringLiteral("auth/devIssuer"))
            .toLower();
    if (!dev.isEmpty()) {
        if (dev != QLatin1String("auto") && dev != QLatin1String("on") &&
            dev != QLatin1String("off")) {
            *error = QStringLiteral("dev-issuer must be auto, on or off, not '%1'").arg(dev);
            return false;
        }
        s->devIssuer = dev;
    }
    return true;
}

// Resumable streams; ADSP's names for the same settings are read too.
bool resolveResume(const Source &source, Settings *s, QString *error)
{
    const QString resume =
        source
            .value(QString(),
                   {QStringLiteral("PUSH_RESUME"), QStringLiteral("PUSH_BUFFER_ENABLED")},
                   QStringLiteral("resume/enabled"))
            .toLower();
    if (resume == QLatin1String("on") || resume == QLatin1String("true")) {
        s->resume = true;
    } else if (resume == QLatin1String("off") || resume == QLatin1String("false")) {
        s->resume = false;
    } else if (!resume.isEmpty()) {
        *error = QStringLiteral("PUSH_RESUME must be on or off, not '%1'").arg(resume);
        return false;
    }
    s->redisUrl = source.value(QStringLiteral("redis-url"), {QStringLiteral("PUSH_REDIS_URL")},
                               QStringLiteral("resume/redisUrl"));
    const QString redisHost = source.value(QString(), {QStringLiteral("REDIS_HOST")}, QString());
    if (s->redisUrl.isEmpty() && !redisHost.isEmpty()) {
        // ADSP's settings: a host, a port and a password.
        QUrl url;
        url.setScheme(QStringLiteral("redis"));
        url.setHost(redisHost);
        url.setPort(qEnvironmentVariableIntValue("REDIS_PORT") > 0
                        ? qEnvironmentVariableIntValue("REDIS_PORT")
                        : 6379);
        url.setPassword(qEnvironmentVariable("REDIS_PASSWORD"));
        s->redisUrl = url.toString(QUrl::FullyEncoded);
    }
    if (!s->redisUrl.isEmpty() && !s->redisUrl.startsWith(QLatin1String("redis://"))) {
        *error = QStringLiteral("the Redis URL must start with redis://");
        return false;
    }
    s->resumeSecret = source.value(QString(), {QStringLiteral("PUSH_RESUME_SECRET")},
                                   QStringLiteral("resume/secret"));
    if (!s->resumeSecret.isEmpty() && s->resumeSecret.toUtf8().size() < 32) {
        *error = QStringLiteral("PUSH_RESUME_SECRET must be at least 32 bytes long");
        return false;
    }
    return readInt(source.value(QString(),
                                {QStringLiteral("PUSH_RESUME_RETENTION_HOURS"),
                                 QStringLiteral("PUSH_BUFFER_RETENTION_HOURS")},
                                QStringLiteral("resume/retentionHours")),
                   QStringLiteral("resume retention"), 1, 24 * 365, &s->resumeRetentionHours,
                   error) &&
           readInt(source.value(QString(),
                                {QStringLiteral("PUSH_RESUME_MAX_LENGTH"),
                                 QStringLiteral("PUSH_BUFFER_MAX_LENGTH")},
                                QStringLiteral("resume/maxLength")),
                   QStringLiteral("resume log length"), 1, 100000000, &s->resumeMaxLength, error);
}

// The event bus and the shared store.
bool resolveBusAndStore(const Source &source, Settings *s, QString *error)
{
    s->amqpUrl = source.value(QStringLiteral("amqp-url"),
                              {QStringLiteral("PUSH_AMQP_URL"), QStringLiteral("AMQP_URL")},
                              QStringLiteral("bus/amqpUrl"));
    const QString amqpHost = source.value(QString(), {QStringLiteral("AMQP_HOST")}, QString());
    if (s->amqpUrl.isEmpty() && !amqpHost.isEmpty()) {
        // ADSP's settings: a host (optionally host:port) with a user and password.
        QUrl url;
        url.setScheme(QStringLiteral("amqp"));
        const int colon = amqpHost.lastIndexOf(QLatin1Char(':'));
        url.setHost(colon > 0 ? amqpHost.left(colon) : amqpHost);
        url.setPort(colon > 0 ? amqpHost.mid(colon + 1).toInt() : 5672);
        url.setUserName(qEnvironmentVariable("AMQP_USER", QStringLiteral("guest")));
        url.setPassword(qEnvironmentVariable("AMQP_PASSWORD", QStringLiteral("guest")));
        s->amqpUrl = url.toString(QUrl::FullyEncoded);
    }
    if (!s->amqpUrl.isEmpty() && !s->amqpUrl.startsWith(QLatin1String("amqp://")) &&
        !s->amqpUrl.startsWith(QLatin1String("amqps://"))) {
        *error = QStringLiteral("the AMQP URL must start with amqp:// or amqps://");
        return false;
    }
    s->databaseUrl =
        source.value(QStringLiteral("database-url"), {QStringLiteral("PUSH_DATABASE_URL")},
                     QStringLiteral("store/databaseUrl"));
    if (!s->databaseUrl.isEmpty() && !s->databaseUrl.startsWith(QLatin1String("postgresql://")) &&
        !s->databaseUrl.startsWith(QLatin1String("postgres://"))) {
        *error = QStringLiteral("the database URL must start with postgresql://");
        return false;
    }
    return resolveResume(source, s, error);
}

} // namespace

void Settings::addOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("port"), QStringLiteral("Port to listen on (default 3334; 0 picks one)."),
         QStringLiteral("N")},
        {QStringLiteral("bind"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
         QStringLiteral("ADDR")},
        {QStringLiteral("data-dir"), QStringLiteral("Directory of the embedded store."),
         QStringLiteral("DIR")},
        {QStringLiteral("config"), QStringLiteral("INI settings file."), QStringLiteral("FILE")},
        {QStringLiteral("log-level"), QStringLiteral("error, warn, info or debug."),
         QStringLiteral("L")},
        {QStringLiteral("workers"), QStringLiteral("I/O worker threads (default: one per core)."),
         QStringLiteral("N")},
        {QStringLiteral("keycloak-url"),
         QStringLiteral("Keycloak root URL: trust its core and tenant realms."),
         QStringLiteral("URL")},
        {QStringLiteral("issuers-file"), QStringLiteral("JSON file of trusted token issuers."),
         QStringLiteral("FILE")},
        {QStringLiteral("dev-issuer"),
         QStringLiteral("Development token issuer: auto (default), on or off."),
         QStringLiteral("MODE")},
        {QStringLiteral("amqp-url"),
         QStringLiteral(
             "RabbitMQ to take events from (and publish to): amqp[s]://user:pass@host:port/vhost."),
         QStringLiteral("URL")},
        {QStringLiteral("database-url"),
         QStringLiteral(
             "PostgreSQL store shared by instances: postgresql://user:pass@host:port/db."),
         QStringLiteral("URL")},
        {QStringLiteral("redis-url"),
         QStringLiteral("Redis holding the replay log shared by instances: "
                        "redis://[:password@]host:port[/db]."),
         QStringLiteral("URL")},
    });
}

QString Settings::defaultDataDir()
{
    return platform::defaultDataDirectory();
}

QString Settings::loggingRules(const QString &level)
{
    const QString l = level.toLower();
    if (l == QLatin1String("debug"))
        return QStringLiteral("push.*.debug=true\npush.*.info=true");
    if (l == QLatin1String("info"))
        return QStringLiteral("push.*.debug=false\npush.*.info=true");
    if (l == QLatin1String("warn") || l == QLatin1String("warning"))
        return QStringLiteral("push.*.debug=false\npush.*.info=false");
    if (l == QLatin1String("error"))
        return QStringLiteral("push.*.debug=false\npush.*.info=false\npush.*.warning=false");
    return {};
}

QString Settings::databaseUrlOption(const QCommandLineParser &parser)
{
    const QString url = parser.value(QStringLiteral("database-url"));
    return url.isEmpty() ? qEnvironmentVariable("PUSH_DATABASE_URL") : url;
}

bool Settings::resolve(const QCommandLineParser &parser, Settings *s, QString *error)
{
    Source source{parser, std::nullopt};
    const QString iniFile =
        source.value(QStringLiteral("config"), {QStringLiteral("PUSH_CONFIG")}, QString());
    if (!iniFile.isEmpty()) {
        if (!QFileInfo(iniFile).isReadable()) {
            *error = QStringLiteral("cannot read the settings file %1").arg(iniFile);
            return false;
        }
        source.ini.emplace(iniFile, QSettings::IniFormat);
    }
    return resolveService(source, s, error) && resolveNumbers(source, s, error) &&
           resolveIdentity(source, s, error) && resolveBusAndStore(source, s, error);
}

QStringList Settings::changedKeys(const Settings &o) const
{
    QStringList keys;
    const auto check = [&keys](bool same, const char *key) {
        if (!same)
            keys << QLatin1String(key);
    };
    check(bind == o.bind, "service/bind");
    check(port == o.port, "service/port");
    check(dataDir == o.dataDir, "service/dataDir");
    check(logLevel == o.logLevel, "service/logLevel");
    check(workers == o.workers, "service/workers");
    check(maxRequestBytes == o.maxRequestBytes, "service/maxRequestBytes");
    check(idleTimeoutSeconds == o.idleTimeoutSeconds, "service/idleTimeoutSeconds");
    check(publicUrl == o.publicUrl, "service/publicUrl");
    check(corsOrigins == o.corsOrigins, "service/corsOrigins");
    check(maxConnections == o.maxConnections, "limits/maxConnections");
    check(maxConnectionsPerAddress == o.maxConnectionsPerAddress,
          "limits/maxConnectionsPerAddress");
    check(maxSessions == o.maxSessions, "limits/maxSessions");
    check(maxSessionsPerAddress == o.maxSessionsPerAddress, "limits/maxSessionsPerAddress");
    check(maxQueuedResponseBytes == o.maxQueuedResponseBytes, "limits/maxQueuedResponseBytes");
    check(keepAliveSeconds == o.keepAliveSeconds, "stream/keepAliveSeconds");
    check(subscriberBufferBytes == o.subscriberBufferBytes, "stream/subscriberBufferBytes");
    check(socketIoConnectTimeoutMs == o.socketIoConnectTimeoutMs, "socketio/connectTimeoutMs");
    check(socketIoMaxNamespaces == o.socketIoMaxNamespaces, "socketio/maxNamespaces");
    check(pingIntervalMs == o.pingIntervalMs, "socketio/pingIntervalMs");
    check(pingTimeoutMs == o.pingTimeoutMs, "socketio/pingTimeoutMs");
    check(auth.keycloakUrl == o.auth.keycloakUrl, "auth/keycloakUrl");
    check(auth.oidcIssuers == o.auth.oidcIssuers, "auth/oidcIssuers");
    check(auth.issuersFile == o.auth.issuersFile, "auth/issuersFile");
    check(auth.audience == o.auth.audience, "auth/audience");
    check(auth.verifyAudience == o.auth.verifyAudience, "auth/verifyAudience");
    check(auth.leewaySeconds == o.auth.leewaySeconds, "auth/leewaySeconds");
    check(auth.keyRefreshSeconds == o.auth.keyRefreshSeconds, "auth/keyRefreshSeconds");
    check(devIssuer == o.devIssuer, "auth/devIssuer");
    check(amqpUrl == o.amqpUrl, "bus/amqpUrl");
    check(amqpPrefetch == o.amqpPrefetch, "bus/prefetch");
    check(databaseUrl == o.databaseUrl, "store/databaseUrl");
    check(activityPerSecond == o.activityPerSecond, "admin/activityPerSecond");
    check(webhookTimeoutMs == o.webhookTimeoutMs, "webhooks/timeoutMs");
    check(webhookMaxInFlight == o.webhookMaxInFlight, "webhooks/maxInFlight");
    check(webhookMaxQueued == o.webhookMaxQueued, "webhooks/maxQueued");
    check(resume == o.resume, "resume/enabled");
    check(resumeRetentionHours == o.resumeRetentionHours, "resume/retentionHours");
    check(resumeMaxLength == o.resumeMaxLength, "resume/maxLength");
    check(redisUrl == o.redisUrl, "resume/redisUrl");
    check(resumeSecret == o.resumeSecret, "resume/secret");
    check(socketIoMaxDisconnectionSeconds == o.socketIoMaxDisconnectionSeconds,
          "socketio/maxDisconnectionSeconds");
    return keys;
}

} // namespace push::app
