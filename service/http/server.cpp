#include "server.h"

#include <QThread>

namespace push::http {

Acceptor::Acceptor(QList<Worker *> workers, QObject *parent)
    : QTcpServer(parent)
    , m_workers(std::move(workers))
{}

void Acceptor::incomingConnection(qintptr descriptor)
{
    Worker *target = m_workers.first();
    for (Worker *worker : std::as_const(m_workers)) {
        if (worker->connectionCount() < target->connectionCount())
            target = worker;
    }
    target->adopt(descriptor);
}

Server::Server(QObject *parent)
    : QObject(parent)
{}

Server::~Server()
{
    stop(QStringLiteral("the service is shutting down"));
}

bool Server::start(const QHostAddress &address, quint16 port, int workerCount,
                   const WorkerSettings &settings, QString *error,
                   const std::function<void(const QList<Worker *> &)> &beforeListen)
{
    for (int i = 0; i < std::max(1, workerCount); ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("push-io-%1").arg(i));
        auto *worker = new Worker(i, m_router, settings);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_threads.append(thread);
        m_workers.append(worker);
    }
    if (beforeListen)
        beforeListen(m_workers);
    m_acceptor = new Acceptor(m_workers, this);
    m_acceptor->setListenBacklogSize(1024);
    if (!m_acceptor->listen(address, port)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(address.toString())
                     .arg(port)
                     .arg(m_acceptor->errorString());
        return false;
    }
    return true;
}

quint16 Server::port() const
{
    return m_acceptor ? m_acceptor->serverPort() : 0;
}

void Server::stop(const QString &reason)
{
    if (m_acceptor)
        m_acceptor->close();
    for (Worker *worker : std::as_const(m_workers)) {
        QMetaObject::invokeMethod(
            worker, [worker, reason] { worker->shutdown(reason); }, Qt::BlockingQueuedConnection);
    }
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
        delete thread;
    }
    m_threads.clear();
    m_workers.clear();
}

} // namespace push::http
