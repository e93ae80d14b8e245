#pragma once

#include "admin/adminapi.h"
#include "app/configurationapi.h"
#include "app/ingress.h"
#include "app/pushnamespaces.h"
#include "app/settings.h"
#include "app/streamapi.h"
#include "auth/authenticator.h"
#include "bus/amqpbus.h"
#include "config/configsnapshot.h"
#include "config/configstore.h"
#include "config/storereader.h"
#include "fanout/activity.h"
#include "fanout/hub.h"
#include "http/router.h"
#include "http/server.h"
#include "resume/replaylog.h"
#include "shared/logthrottle.h"
#include "webhooks/webhookdispatcher.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <memory>

namespace push::app {

// The whole service in one object: store, configuration, hub, workers, API, listener.
class PushService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PushService)

public:
    explicit PushService(const Settings &settings, QObject *parent = nullptr);
    ~PushService() override;

    bool start(QString *error);
    quint16 port() const;
    // Every registered "METHOD pattern" (for the OpenAPI cross-check).
    QStringList routes() { return m_http.router().routes(); }
    // Closes every stream and connection and joins the worker threads.
    void stop();

private:
    bool setUpIdentity(QString *error);
    bool openStore(QString *error);
    bool createParts(QString *error);
    void registerSocketIo();
    bool startHttp(QString *error);
    bool openReplayLog(QString *error);
    void followSharedLog();
    // Rebuilds the snapshot; `changedBy` names a change made outside this instance's API.
    // False when the store could not be read whole: the snapshot in force stays, and the
    // store is reported lost (reconnected with a backoff) unless it already is.
    bool reloadConfiguration(const QString &changedBy = QString());
    void watchStore();
    // The store stopped answering: reconnect with a bounded backoff, then reload (the
    // changes made meanwhile) — in pushservice_store.cpp.
    void storeLost(const QString &reason);
    void tryStoreReconnect();
    void watchStoreWrites();
    // The bus when one is configured (started later, once the routes are in place).
    void createBus();

    Settings m_settings;
    config::ConfigStore m_store;
    config::ConfigRegistry m_registry;
    fanout::Hub m_hub;
    auth::Authenticator m_authenticator;
    http::Server m_http;
    ServiceStatus m_status;
    fanout::ActivityFeed m_activity;
    std::unique_ptr<webhooks::WebhookDispatcher> m_webhooks;
    std::unique_ptr<resume::ReplayLog> m_log; // null when resume is off
    std::unique_ptr<Ingress> m_ingress;       // where every event goes
    std::unique_ptr<StreamApi> m_api;
    std::unique_ptr<config::StoreReader> m_storeReader; // large reads, off this thread
    std::unique_ptr<ConfigurationApi> m_configurationApi;
    std::unique_ptr<admin::AdminApi> m_adminApi;
    std::unique_ptr<PushNamespaces> m_namespaces;
    std::unique_ptr<bus::AmqpBus> m_bus;
    QTimer m_storeTimer;
    qint64 m_storeVersion = -1;
    bool m_storeDown = false;
    QElapsedTimer m_storeDownFor;  // since the store stopped answering
    QDeadlineTimer m_storeRetryAt; // the next reconnection attempt
    int m_storeRetryMs = 500;      // doubles up to kMaxStoreRetryMs
    LogThrottle m_storeLog{std::chrono::seconds(30)};
    bool m_stopped = false;
};

} // namespace push::app
