#pragma once

#include "http/router.h"
#include "http/worker.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTcpServer>

#include <functional>

class QThread;

namespace push::http {

// Accepts connections on the thread it lives on and hands each socket descriptor to the
// worker with the fewest connections, which adopts it on its own thread.
class Acceptor final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Acceptor)

public:
    explicit Acceptor(QList<Worker *> workers, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    QList<Worker *> m_workers;
};

// A router served by N worker threads behind one acceptor: the HTTP part of the push
// service, and of the socket.io conformance server.
class Server final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Server)

public:
    explicit Server(QObject *parent = nullptr);
    ~Server() override;

    Router &router() { return m_router; }
    const QList<Worker *> &workers() const { return m_workers; }

    // Starts `workerCount` workers and listens; false with *error when the port is taken.
    // `beforeListen` sees the workers before the first connection can arrive.
    bool start(const QHostAddress &address, quint16 port, int workerCount,
               const WorkerSettings &settings, QString *error,
               const std::function<void(const QList<Worker *> &)> &beforeListen = {});
    quint16 port() const;
    // Closes every connection with `reason` and joins the worker threads.
    void stop(const QString &reason);

private:
    Router m_router;
    QList<QThread *> m_threads;
    QList<Worker *> m_workers;
    Acceptor *m_acceptor = nullptr;
};

} // namespace push::http
