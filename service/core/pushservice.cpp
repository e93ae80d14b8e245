#include "pushservice.h"

#include "devissuer.h"
#include "ioworker.h"

#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcService, "push.service")
Q_DECLARE_LOGGING_CATEGORY(lcAuth)

namespace push::core {

Acceptor::Acceptor(QList<fanout::IoWorker *> workers, QObject *parent)
    : QTcpServer(parent)
    , m_workers(std::move(workers))
{}

void Acceptor::incomingConnection(qintptr descriptor)
{
    fanout::IoWorker *target = m_workers.first();
    for (fanout::IoWorker *worker : std::as_const(m_workers)) {
        if (worker->connectionCount() < target->connectionCount())
            target = worker;
    }
    target->adopt(descriptor);
}

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
    if (!m_store.open(m_settings.dataDir, error))
        return false;
    if (!m_store.seedIfEmpty(error))
        return false;
    m_status.storeHealthy = true;
    reloadConfiguration();

    if (!setUpIdentity(error))
        return false;
    m_api = std::make_unique<Api>(m_settings, m_registry, m_hub, m_authenticator, m_status);
    m_api->registerRoutes(m_router);

    fanout::WorkerSettings workerSettings;
    workerSettings.limits.maxBodyBytes = m_settings.maxRequestBytes;
    workerSettings.subscriberBufferBytes = m_settings.subscriberBufferBytes;
    workerSettings.keepAliveSeconds = m_settings.keepAliveSeconds;
    workerSettings.idleTimeoutSeconds = m_settings.idleTimeoutSeconds;
    for (int i = 0; i < m_settings.workers; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("push-io-%1").arg(i));
        auto *worker = new fanout::IoWorker(i, m_router, workerSettings);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_threads.append(thread);
        m_workers.append(worker);
    }
    m_status.workers = m_workers;
    m_hub.setWorkers(m_workers);

    m_acceptor = new Acceptor(m_workers, this);
    m_acceptor->setListenBacklogSize(1024);
    if (!m_acceptor->listen(m_settings.bind, m_settings.port)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(m_settings.bind.toString())
                     .arg(m_settings.port)
                     .arg(m_acceptor->errorString());
        return false;
    }
    connect(&m_storeTimer, &QTimer::timeout, this, &PushService::watchStore);
    m_storeTimer.start(1000);
    qCInfo(lcService).noquote() << "data directory" << m_settings.dataDir << "with"
                                << m_registry.current()->tenants().size() << "tenants;"
                                << m_workers.size() << "I/O workers";
    qCInfo(lcService).noquote()
        << QStringLiteral("listening on http://%1:%2").arg(m_settings.bind.toString()).arg(port());
    return true;
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

quint16 PushService::port() const
{
    return m_acceptor ? m_acceptor->serverPort() : 0;
}

void PushService::reloadConfiguration()
{
    const auto core = m_store.configuration(QString());
    m_registry.replace(std::make_shared<const config::ConfigSnapshot>(
        m_store.tenants(), core ? core->document : QJsonObject(), m_store.tenantConfigurations()));
}

void PushService::watchStore()
{
    // SQLite's data_version changes when another connection (the `push-service config`
    // command, another process) commits: then the snapshot is rebuilt, live.
    const bool healthy = m_store.ping();
    m_status.storeHealthy = healthy;
    if (!healthy)
        return;
    const qint64 version = m_store.dataVersion();
    if (m_storeVersion >= 0 && version != m_storeVersion) {
        qCInfo(lcService) << "the store changed; reloading tenants and configuration";
        reloadConfiguration();
    }
    m_storeVersion = version;
}

void PushService::stop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_storeTimer.stop();
    if (m_acceptor)
        m_acceptor->close();
    for (fanout::IoWorker *worker : std::as_const(m_workers)) {
        QMetaObject::invokeMethod(
            worker, [worker] { worker->shutdown(QStringLiteral("the service is shutting down")); },
            Qt::BlockingQueuedConnection);
    }
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
    m_threads.clear();
    m_workers.clear();
    m_status.workers.clear();
    m_hub.setWorkers({});
    qCInfo(lcService) << "stopped";
}

} // namespace push::core
