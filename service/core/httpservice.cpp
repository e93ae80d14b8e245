#include "httpservice.h"

#include <QThread>

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

HttpService::HttpService(QObject *parent)
    : QObject(parent)
{}

HttpService::~HttpService()
{
    stop(QStringLiteral("the service is shutting down"));
}

bool HttpService::start(const QHostAddress &address, quint16 port, int workerCount,
                        const fanout::WorkerSettings &settings, QString *error,
                        const std::function<void(const QList<fanout::IoWorker *> &)> &beforeListen)
{
    for (int i = 0; i < std::max(1, workerCount); ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("push-io-%1").arg(i));
        auto *worker = new fanout::IoWorker(i, m_router, settings);
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

quint16 HttpService::port() const
{
    return m_acceptor ? m_acceptor->serverPort() : 0;
}

void HttpService::stop(const QString &reason)
{
    if (m_acceptor)
        m_acceptor->close();
    for (fanout::IoWorker *worker : std::as_const(m_workers)) {
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

} // namespace push::core
