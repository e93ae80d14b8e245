#pragma once

#include "ioworker.h"
#include "router.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpServer>

#include <functional>

class QThread;

namespace push::core {

// Accepts connections on the thread it lives on and hands each socket descriptor to the
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

// A router served by N I/O worker threads behind one acceptor: the HTTP part of the
// push service, and of the socket.io conformance server.
class HttpService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpService)

public:
    explicit HttpService(QObject *parent = nullptr);
    ~HttpService() override;

    http::Router &router() { return m_router; }
    const QList<fanout::IoWorker *> &workers() const { return m_workers; }

    // Starts `workerCount` workers and listens; false with *error when the port is taken.
    // `beforeListen` sees the workers before the first connection can arrive.
    bool start(const QHostAddress &address, quint16 port, int workerCount,
               const fanout::WorkerSettings &settings, QString *error,
               const std::function<void(const QList<fanout::IoWorker *> &)> &beforeListen = {});
    quint16 port() const;
    // Closes every connection with `reason` and joins the worker threads.
    void stop(const QString &reason);

private:
    http::Router m_router;
    QList<QThread *> m_threads;
    QList<fanout::IoWorker *> m_workers;
    Acceptor *m_acceptor = nullptr;
};

} // namespace push::core
