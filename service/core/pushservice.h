#pragma once

#include "api.h"
#include "authenticator.h"
#include "configsnapshot.h"
#include "configstore.h"
#include "hub.h"
#include "router.h"
#include "settings.h"

#include <QObject>
#include <QTcpServer>
#include <QTimer>

#include <memory>

class QThread;

namespace push::core {

// Accepts connections on the control thread and hands each socket descriptor to the
// I/O worker with the fewest connections, which adopts it on its own thread.
class Acceptor final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Acceptor)

public:
    explicit Acceptor(QList<fanout::IoWorker *> workers, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QList<fanout::IoWorker *> m_workers;
};

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
    // Closes every stream and connection and joins the worker threads.
    void stop();

private:
    bool setUpIdentity(QString *error);
    void reloadConfiguration();
    void watchStore();

    Settings m_settings;
    config::ConfigStore m_store;
    config::ConfigRegistry m_registry;
    fanout::Hub m_hub;
    auth::Authenticator m_authenticator;
    http::Router m_router;
    ServiceStatus m_status;
    std::unique_ptr<Api> m_api;
    QList<QThread *> m_threads;
    QList<fanout::IoWorker *> m_workers;
    Acceptor *m_acceptor = nullptr;
    QTimer m_storeTimer;
    qint64 m_storeVersion = -1;
    bool m_stopped = false;
};

} // namespace push::core
