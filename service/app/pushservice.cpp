#include "pushservice.h"

#include "auth/devissuer.h"
#include "fanout/subscriberregistry.h"
#include "http/addressquota.h"
#include "metrics/metrics.h"

#include <QDir>
#include <QLoggingCategory>
#include <QThread>
#include <QUrl>

Q_LOGGING_CATEGORY(lcService, "push.service")
Q_DECLARE_LOGGING_CATEGORY(lcAuth)

namespace push::app {

PushService::PushService(const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_hub(m_registry)
{}

PushService::~PushService()
{
    stop();
}

bool PushService::start(QString *error)
{
    if (!openStore(error) || !setUpIdentity(error) || !createParts(error))
        return false;
    if (m_bus && !m_bus->start(error))
        return false;
    registerSocketIo();
    if (!startHttp(error))
        return false;
    connect(&m_storeTimer, &QTimer::timeout, this, &PushService::watchStore);
    m_storeTimer.start(1000);
    qCInfo(lcService).noquote() << "data directory" << m_settings.dataDir << "with"
                                << m_registry.current()->tenants().size() << "tenants;"
                                << m_http.workers().size() << "I/O workers";
    qCInfo(lcService).noquote()
        << QStringLiteral("listening on http://%1:%2").arg(m_settings.bind.toString()).arg(port());
    return true;
}

// The configuration store, its first snapshot, and other instances' changes (PostgreSQL).
bool PushService::openStore(QString *error)
{
    if (!m_store.open(m_settings.dataDir, m_settings.databaseUrl, error))
        return false;
    if (!m_store.seedIfEmpty(error))
        return false;
    m_status.storeHealthy = true;
    m_status.storeKind =
        m_store.isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("sqlite");
    reloadConfiguration();
    if (m_store.watchChanges(this, [this] {
            qCInfo(lcService) << "another instance changed the store; reloading";
            reloadConfiguration(QStringLiteral("another instance"));
        }))
        qCInfo(lcService) << "listening for configuration changes of other instances (NOTIFY)";
    return true;
}

// Webhooks, the replay log, the bus, the ingress and the HTTP APIs (routes registered).
bool PushService::createParts(QString *error)
{
    webhooks::WebhookDispatcher::Options webhookOptions;
    webhookOptions.timeoutMs = int(m_settings.webhookTimeoutMs);
    webhookOptions.maxInFlight = int(m_settings.webhookMaxInFlight);
    webhookOptions.maxQueued = int(m_settings.webhookMaxQueued);
    webhookOptions.userAgent = QByteArrayLiteral("push-service/" PUSH_VERSION);
    m_webhooks = std::make_unique<webhooks::WebhookDispatcher>(
        m_registry, webhookOptions,
        [this](DomainEvent &&event) { m_ingress->fromWebhook(std::move(event)); });
    if (m_settings.resume && !openReplayLog(error))
        return false;
    createBus(); // after the log: a shared log is fed from a queue of the bus
    m_ingress =
        std::make_unique<Ingress>(m_registry, m_hub, m_bus.get(), m_webhooks.get(), m_log.get());
    m_webhooks->start();
    m_api = std::make_unique<StreamApi>(m_settings, m_registry, m_hub, *m_ingress, m_authenticator,
                                        m_status, m_log.get());
    m_api->registerRoutes(m_http.router());
    m_configurationApi = std::make_unique<ConfigurationApi>(
        *m_api, m_registry, m_store, this, [this] { reloadConfiguration(); }, &m_activity);
    m_storeReader = std::make_unique<config::StoreReader>();
    QString readerError;
    if (m_storeReader->open(m_settings.dataDir, m_settings.databaseUrl, &readerError)) {
        m_configurationApi->setStoreReader(m_storeReader.get());
    } else {
        qCWarning(lcService).noquote()
            << "store reads stay on the control thread: the reader cannot open the store:"
            << readerError;
        m_storeReader.reset();
    }
    m_configurationApi->registerRoutes(m_http.router());
    m_adminApi =
        std::make_unique<admin::AdminApi>(*m_api, m_registry, m_status, m_activity,
                                          m_webhooks.get(), int(m_settings.activityPerSecond));
    m_adminApi->registerRoutes(m_http.router());
    return true;
}

// socket.io on /socket.io/ (not part of the REST API, nor of the OpenAPI document).
void PushService::registerSocketIo()
{
    RecoveryOptions recovery;
    if (m_log) {
        recovery.log = m_log.get();
        recovery.maxDisconnectionMs = m_settings.socketIoMaxDisconnectionSeconds * 1000;
        recovery.key = m_settings.resumeSecret.toUtf8();
        QString keyError;
        if (recovery.key.isEmpty())
            recovery.key = m_store.secret(QStringLiteral("socketio-recovery"), &keyError);
        if (recovery.key.isEmpty()) {
            // SSE resumes regardless; socket.io sessions get no pid.
            qCWarning(lcService).noquote() << "socket.io sessions are not recoverable:" << keyError;
            recovery.log = nullptr;
        }
    }
    m_namespaces =
        std::make_unique<PushNamespaces>(m_registry, m_hub, m_authenticator, std::move(recovery));
    engineio::EngineOptions engineOptions;
    engineOptions.pingIntervalMs = m_settings.pingIntervalMs;
    engineOptions.pingTimeoutMs = m_settings.pingTimeoutMs;
    engineOptions.maxPayload = m_settings.maxRequestBytes;
    engineOptions.maxBufferedBytes = m_settings.subscriberBufferBytes;
    engineOptions.sessions = std::make_shared<http::AddressQuota>(m_settings.maxSessionsPerAddress,
                                                                  m_settings.maxSessions);
    auto endpoint = socketio::SocketIoServer::endpoint(*m_namespaces, engineOptions,
                                                       int(m_settings.socketIoConnectTimeoutMs),
                                                       int(m_settings.socketIoMaxNamespaces));
    for (const char *method : {"GET", "POST"})
        m_http.router().route(
            method, QStringLiteral("/socket.io"),
            [endpoint](http::HttpCall &call) { engineio::EngineServer::handle(endpoint, call); });
}

// The I/O workers, one subscriber registry each, and the listening socket.
bool PushService::startHttp(QString *error)
{
    http::WorkerSettings workerSettings;
    workerSettings.limits.maxBodyBytes = m_settings.maxRequestBytes;
    workerSettings.limits.maxQueuedResponseBytes = m_settings.maxQueuedResponseBytes;
    for (const QString &origin : std::as_const(m_settings.corsOrigins))
        workerSettings.limits.corsOrigins.append(origin.toUtf8());
    workerSettings.limits.connections = std::make_shared<http::AddressQuota>(
        m_settings.maxConnectionsPerAddress, m_settings.maxConnections);
    workerSettings.idleTimeoutSeconds = m_settings.idleTimeoutSeconds;
    fanout::RegistrySettings registrySettings;
    registrySettings.subscriberBufferBytes = m_settings.subscriberBufferBytes;
    registrySettings.keepAliveSeconds = m_settings.keepAliveSeconds;
    registrySettings.activity = &m_activity;
    m_activity.setRate(int(m_settings.activityPerSecond));
    // One subscriber registry per worker thread, on that thread: what a request on worker
    // i subscribes goes to registry i.
    const auto wire = [this, registrySettings](const QList<http::Worker *> &workers) {
        QList<fanout::SubscriberRegistry *> registries;
        for (http::Worker *worker : workers) {
            auto *registry = new fanout::SubscriberRegistry(worker->index(), registrySettings);
            registry->moveToThread(worker->thread());
            connect(worker->thread(), &QThread::finished, registry, &QObject::deleteLater);
            worker->onShutdown([registry](const QString &reason) { registry->shutdown(reason); });
            worker->onConnectionClosed(
                [registry](http::HttpConnection *connection) { registry->release(connection); });
            registries.append(registry);
        }
        m_hub.setRegistries(registries);
        m_hub.setActivity(&m_activity);
        followSharedLog(); // before the first subscriber: it reads from where this begins
    };
    m_status.http = &m_http;
    return m_http.start(m_settings.bind, m_settings.port, m_settings.workers, workerSettings, error,
                        wire);
}

bool PushService::openReplayLog(QString *error)
{
    resume::LogOptions options;
    options.path = QDir(m_settings.dataDir).filePath(QStringLiteral("replay.db"));
    options.retentionMs = m_settings.resumeRetentionHours * 3600 * 1000;
    options.maxLength = m_settings.resumeMaxLength;
    options.redisUrl = m_settings.redisUrl;
    m_log = std::make_unique<resume::ReplayLog>(options);
    if (!m_log->open(error)) {
        *error = QStringLiteral("the replay log: %1").arg(*error);
        return false;
    }
    const QString where = m_log->isShared()
                              ? QUrl(options.redisUrl).toDisplayString(QUrl::RemoveUserInfo)
                              : options.path;
    qCInfo(lcService).noquote() << "replay log" << where << "with" << m_log->stats().entries.load()
                                << "entries; retention" << m_settings.resumeRetentionHours << "h,"
                                << options.maxLength << "entries per tenant";
    return true;
}

// Every instance delivers the tenants' streams from a shared log.
void PushService::followSharedLog()
{
    if (!m_log || !m_log->isShared())
        return;
    QString unreachable;
    const bool reached = m_log->follow(
        [this] {
            QStringList urns;
            for (const Tenant &tenant : m_registry.current()->tenants())
                urns.append(tenant.urn());
            return urns;
        },
        [this](const DomainEvent &event, const Cursor &cursor) {
            m_hub.publish(event, cursor, fanout::Hub::Scope::Tenant);
        },
        &unreachable);
    if (!reached)
        qCWarning(lcService).noquote()
            << "the replay log's Redis cannot be reached yet:" << unreachable << "- retrying";
}

bool PushService::setUpIdentity(QString *error)
{
    if (!m_authenticator.configure(m_settings.auth, error))
        return false;
    // Only the core realm and tenants' realms may issue tokens (checked before any fetch).
    m_authenticator.setRealmFilter([this](const QString &realm) {
        return realm == QLatin1String(kCoreRealm) || m_registry.current()->tenantByRealm(realm);
    });
    const bool external = m_authenticator.hasExternalIssuers();
    const bool dev = m_settings.devIssuer == QLatin1String("on") ||
                     (m_settings.devIssuer == QLatin1String("auto") && !external);
    if (!m_settings.auth.keycloakUrl.isEmpty())
        qCInfo(lcAuth).noquote() << "trusting the Keycloak realms of"
                                 << m_settings.auth.keycloakUrl;
    if (!dev) {
        qCInfo(lcAuth) << "the development token issuer is off";
        return true;
    }
    auth::DevIssuer issuer;
    if (!issuer.open(m_settings.dataDir, error))
        return false;
    m_authenticator.trustLocalIssuer(QLatin1String(auth::DevIssuer::kIssuerPrefix),
                                     issuer.publicKeys());
    qCWarning(lcAuth).noquote()
        << "the development token issuer is ON: tokens minted with `push-service token` are "
           "trusted. For production configure an issuer (KEYCLOAK_ROOT_URL, PUSH_OIDC_ISSUERS, "
           "--issuers-file) or set PUSH_DEV_ISSUER=off";
    return true;
}

void PushService::createBus()
{
    if (m_settings.amqpUrl.isEmpty()) {
        qCInfo(lcService) << "no event bus configured: events arrive over HTTP only";
        return;
    }
    bus::BusSettings busSettings;
    busSettings.url = m_settings.amqpUrl;
    busSettings.prefetch = int(m_settings.amqpPrefetch);
    busSettings.heartbeatSeconds = int(m_settings.amqpHeartbeatSeconds);
    busSettings.confirmTimeoutMs = int(m_settings.amqpConfirmTimeoutMs);
    // Webhooks are called once per event whatever the number of instances: from a queue
    // the instances share.
    busSettings.sharedQueue = QStringLiteral("push-service-webhooks");
    // A log shared by instances is fed from a durable queue they share (docs/resume.md).
    if (m_log && m_log->isShared())
        busSettings.bufferQueue = QStringLiteral("push-service-buffer");
    m_bus = std::make_unique<bus::AmqpBus>(
        busSettings,
        [this](DomainEvent &&event, bus::AmqpBus::Delivery delivery, bus::AmqpBus::Settle settle) {
            // On the bus thread.
            return m_ingress->fromBroker(std::move(event), delivery, std::move(settle));
        });
    m_status.bus = m_bus.get();
}

quint16 PushService::port() const
{
    return m_http.port();
}

bool PushService::reloadConfiguration(const QString &changedBy)
{
    QString error;
    std::optional<config::StoreContents> contents = m_store.contents(&error);
    if (!contents) {
        // The snapshot in force stays: a read cut off half-way is not tenants removed. The
        // outage is logged by storeLost(), or while it lasts by tryStoreReconnect().
        if (!m_storeDown)
            storeLost(error);
        return false;
    }
    auto snapshot = std::make_shared<const config::ConfigSnapshot>(
        contents->tenants, contents->core, contents->configurations);
    m_registry.replace(snapshot);
    m_storeVersion = contents->version; // what this snapshot was read at
    // Subscribers of a stream that is gone, or who may no longer subscribe to it, are told
    // so and closed; the others see changed events, maps and criteria from the next event
    // on (the hub reads the new snapshot).
    for (fanout::SubscriberRegistry *registry : m_hub.registries())
        registry->revalidate(snapshot);
    if (!changedBy.isEmpty()) // the configuration API reports its own changes, in detail
        m_activity.post(fanout::ActivityFeed::Type::ConfigurationChanged, QString(),
                        {{QStringLiteral("source"), changedBy}});
    return true;
}

void PushService::watchStore()
{
    if (m_storeDown) {
        tryStoreReconnect();
        return;
    }
    // SQLite's data_version changes when another connection (the `push-service config`
    // command, another process) commits: then the snapshot is rebuilt, live.
    if (!m_store.ping()) {
        storeLost(m_store.readError());
        return;
    }
    watchStoreWrites();
    if (m_store.dataVersion() != m_storeVersion) {
        qCInfo(lcService) << "the store changed; reloading tenants and configuration";
        reloadConfiguration(QStringLiteral("the store"));
    }
}

void PushService::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_storeTimer.stop();
    if (m_bus)
        m_bus->stop(); // no more events into the hub
    if (m_webhooks)
        m_webhooks->stop();
    m_storeReader.reset(); // its last answers go to workers that are still there
    if (m_log)
        m_log->close(); // likewise: what it had queued reaches the hub, its reads the workers
    // Subscribers closing on the way out tell no one: the workers are going away.
    m_activity.stop();
    m_http.stop(QStringLiteral("the service is shutting down")); // joins the workers
    m_hub.setRegistries({});
    qCInfo(lcService) << "stopped";
}

} // namespace push::app
