#include "worker.h"

#include "http/router.h"

#include <QPointer>
#include <QThread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace push::http {

namespace {
constexpr qint64 kClosingGraceMs = 10000;
} // namespace

Worker::Worker(int index, const Router &router, const WorkerSettings &settings)
    : m_index(index)
    , m_router(router)
    , m_settings(settings)
{}

Worker::~Worker()
{
    qDeleteAll(m_connections);
}

void Worker::start()
{
    if (m_sweepTimer)
        return;
    m_sweepTimer = new QTimer(this);
    m_sweepTimer->setInterval(std::min(5000, std::max(200, m_settings.idleTimeoutSeconds * 250)));
    connect(m_sweepTimer, &QTimer::timeout, this, &Worker::sweep);
    m_sweepTimer->start();
}

void Worker::adopt(qintptr descriptor)
{
    QMetaObject::invokeMethod(
        this,
        [this, descriptor] {
            start();
            auto *connection = new HttpConnection(descriptor, this, m_settings.limits);
            if (connection->state() == HttpConnection::State::Closed) {
                delete connection;
                return;
            }
            m_connections.insert(connection);
            setConnectionCount();
        },
        Qt::QueuedConnection);
}

void Worker::run(std::function<void()> work)
{
    QMetaObject::invokeMethod(this, std::move(work), Qt::QueuedConnection);
}

void Worker::answer(const DeferredCall &pending, std::function<void(HttpCall &)> answer)
{
    run([pending, answer = std::move(answer)] {
        if (pending.waiting())
            answer(pending.call());
    });
}

void Worker::onRequest(HttpConnection *connection, HttpRequest &&request)
{
    if (request.method == "OPTIONS") {
        // CORS preflight: anything the API accepts may be asked for.
        const QByteArray asked = request.header("access-control-request-headers");
        const HttpResponse response{
            204,
            {{"Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS"},
             {"Access-Control-Allow-Headers",
              asked.isEmpty() ? QByteArray("Authorization, Content-Type") : asked},
             {"Access-Control-Max-Age", "600"}},
            {}};
        connection->respond(response);
        return;
    }
    HttpCall call{connection, std::move(request), {}, this};
    m_router.dispatch(call);
}

void Worker::onClosed(HttpConnection *connection)
{
    for (const auto &callback : std::as_const(m_closedCallbacks))
        callback(connection);
    if (m_connections.remove(connection)) {
        ++m_closedSinceTrim;
        setConnectionCount();
        connection->deleteLater();
    }
}

void Worker::handOver(HttpCall &call, Worker *target, std::function<void(HttpCall &)> then)
{
    auto pending = std::make_shared<HttpCall>(std::move(call));
    QPointer<HttpConnection> guard(pending->connection);
    // Not now: we are inside the socket's readyRead emission, and Qt touches the socket
    // again when it returns. Moving it to another thread (where it may be aborted and
    // deleted) before that was a use-after-free, seen as a crash under upgrade load.
    run([this, target, pending, guard, then = std::move(then)] {
        if (!guard || guard->state() == HttpConnection::State::Closed)
            return; // it closed meanwhile (and onClosed has dropped it)
        HttpConnection *connection = guard.data();
        m_connections.remove(connection);
        setConnectionCount();
        connection->setHandler(target);
        connection->moveToThread(target->thread());
        pending->worker = target;
        target->run([target, pending, guard, then] {
            if (!guard)
                return;
            target->start();
            target->m_connections.insert(guard.data());
            target->setConnectionCount();
            if (guard->state() == HttpConnection::State::Closed) {
                target->onClosed(guard.data()); // it closed on the way
                return;
            }
            then(*pending);
        });
    });
}

void Worker::sweep()
{
    const qint64 idleLimit = qint64(m_settings.idleTimeoutSeconds) * 1000;
    QList<HttpConnection *> idle;
    for (HttpConnection *connection : std::as_const(m_connections)) {
        const auto state = connection->state();
        const bool idleTooLong =
            (state == HttpConnection::State::Idle || state == HttpConnection::State::Reading) &&
            connection->idleMilliseconds() > idleLimit;
        // A graceful close waits for the peer to take what is queued; not forever.
        const bool closingTooLong = state == HttpConnection::State::Closing &&
                                    connection->idleMilliseconds() > kClosingGraceMs;
        if (idleTooLong || closingTooLong)
            idle.append(connection);
    }
    for (HttpConnection *connection : std::as_const(idle))
        connection->abort();

    // After many connections went away, hand the freed heap back to the system, so that
    // the resident size follows the number of connections down (glibc keeps it otherwise).
    if (m_closedSinceTrim >= 100 || (m_closedSinceTrim > 0 && m_connections.isEmpty())) {
        m_closedSinceTrim = 0;
#ifdef __GLIBC__
        malloc_trim(0);
#endif
    }
}

void Worker::shutdown(const QString &reason)
{
    for (const auto &callback : std::as_const(m_shutdownCallbacks))
        callback(reason);
    const QList<HttpConnection *> connections = m_connections.values();
    for (HttpConnection *connection : connections)
        connection->flushAndClose();
}

} // namespace push::http
