#include "ioworker.h"

#include "activity.h"
#include "metrics.h"

#include "router.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QThread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

Q_LOGGING_CATEGORY(lcFanout, "push.fanout")

namespace {

// The tenant of a stream instance's key, as metrics label it: "*" for the cross-tenant
// instance.
QString tenantLabel(const push::fanout::StreamKey &key)
{
    return key.isCrossTenant() ? QStringLiteral("*") : key.tenantId;
}

} // namespace

namespace push::fanout {

namespace {
thread_local IoWorker *t_currentWorker = nullptr;
constexpr qint64 kClosingGraceMs = 10000;
} // namespace

IoWorker::IoWorker(int index, const http::Router &router, const WorkerSettings &settings)
    : m_index(index)
    , m_router(router)
    , m_settings(settings)
{}

IoWorker::~IoWorker()
{
    m_subscribers.clear();
    m_sinks.clear();
    qDeleteAll(m_connections);
}

IoWorker *IoWorker::current()
{
    return t_currentWorker;
}

void IoWorker::start()
{
    if (m_keepAliveTimer)
        return;
    t_currentWorker = this;
    m_keepAliveTimer = new QTimer(this);
    m_keepAliveTimer->setInterval(std::max(1, m_settings.keepAliveSeconds) * 1000);
    connect(m_keepAliveTimer, &QTimer::timeout, this, [this] {
        for (auto &[subscriber, owned] : m_subscribers)
            subscriber->keepAlive();
        for (auto &[sink, owned] : m_sinks)
            sink->keepAlive();
    });
    m_keepAliveTimer->start();
    m_sweepTimer = new QTimer(this);
    m_sweepTimer->setInterval(std::min(5000, std::max(200, m_settings.idleTimeoutSeconds * 250)));
    connect(m_sweepTimer, &QTimer::timeout, this, &IoWorker::sweep);
    m_sweepTimer->start();
}

void IoWorker::adopt(qintptr descriptor)
{
    QMetaObject::invokeMethod(
        this,
        [this, descriptor] {
            start();
            auto *connection = new http::HttpConnection(descriptor, this, m_settings.limits);
            if (connection->state() == http::HttpConnection::State::Closed) {
                delete connection;
                return;
            }
            m_connections.insert(connection);
            m_connectionCount.store(int(m_connections.size()), std::memory_order_relaxed);
        },
        Qt::QueuedConnection);
}

void IoWorker::post(FanoutBatchPtr batch)
{
    QMetaObject::invokeMethod(
        this, [this, batch = std::move(batch)] { deliver(batch); }, Qt::QueuedConnection);
}

void IoWorker::post(ActivityItemPtr item)
{
    QMetaObject::invokeMethod(
        this,
        [this, item = std::move(item)] {
            for (auto &[sink, owned] : m_sinks)
                sink->deliver(*item);
        },
        Qt::QueuedConnection);
}

void IoWorker::onRequest(http::HttpConnection *connection, http::HttpRequest &&request)
{
    if (request.method == "OPTIONS") {
        // CORS preflight: anything the API accepts may be asked for.
        const QByteArray asked = request.header("access-control-request-headers");
        const http::HttpResponse response{
            204,
            {{"Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE, OPTIONS"},
             {"Access-Control-Allow-Headers",
              asked.isEmpty() ? QByteArray("Authorization, Content-Type") : asked},
             {"Access-Control-Max-Age", "600"}},
            {}};
        connection->respond(response);
        return;
    }
    http::HttpCall call{connection, std::move(request), {}};
    m_router.dispatch(call);
}

void IoWorker::onClosed(http::HttpConnection *connection)
{
    if (Subscriber *subscriber = m_subscriberOf.value(connection))
        removeSubscriber(subscriber);
    if (ActivitySink *sink = m_sinkOf.value(connection))
        removeSink(sink);
    if (m_connections.remove(connection)) {
        ++m_closedSinceTrim;
        m_connectionCount.store(int(m_connections.size()), std::memory_order_relaxed);
        connection->deleteLater();
    }
}

Subscriber *IoWorker::addSubscriber(std::unique_ptr<Subscriber> subscriber,
                                    http::HttpConnection *connection)
{
    Subscriber *raw = subscriber.get();
    auto stream = m_byStream.find(raw->key());
    if (stream == m_byStream.end())
        stream = m_byStream.insert(raw->key(), {});
    else
        raw->shareKey(stream.key()); // one copy of the key per stream, not per subscriber
    stream->append(raw);
    if (connection) {
        m_subscriberOf.insert(connection, raw);
        m_connectionOf.insert(raw, connection);
    }
    m_subscribers.emplace(raw, std::move(subscriber));
    metrics::registry().subscriberChanged(raw->transport(), tenantLabel(raw->key()), +1);
    if (m_settings.activity && m_settings.activity->admit(ActivityFeed::Type::Subscribe))
        m_settings.activity->post(ActivityFeed::Type::Subscribe, raw->key().tenantId,
                                  {{QStringLiteral("subscription"), raw->toJson()}});
    m_subscriberCount.store(int(m_subscribers.size()), std::memory_order_relaxed);
    return raw;
}

void IoWorker::addSink(std::unique_ptr<ActivitySink> sink, http::HttpConnection *connection)
{
    ActivitySink *raw = sink.get();
    m_sinkOf.insert(connection, raw);
    m_connectionOf.insert(raw, connection);
    m_sinks.emplace(raw, std::move(sink));
    if (m_settings.activity)
        m_settings.activity->listenerAdded(this);
}

void IoWorker::removeSink(ActivitySink *sink)
{
    auto it = m_sinks.find(sink);
    if (it == m_sinks.end())
        return;
    m_sinkOf.remove(m_connectionOf.take(sink));
    m_sinks.erase(it);
    if (m_settings.activity)
        m_settings.activity->listenerRemoved(this);
}

void IoWorker::handOver(http::HttpCall &call, IoWorker *target,
                        std::function<void(http::HttpCall &)> then)
{
    auto pending = std::make_shared<http::HttpCall>(std::move(call));
    QPointer<http::HttpConnection> guard(pending->connection);
    // Not now: we are inside the socket's readyRead emission, and Qt touches the socket
    // again when it returns. Moving it to another thread (where it may be aborted and
    // deleted) before that was a use-after-free, seen as a crash under upgrade load.
    QMetaObject::invokeMethod(
        this,
        [this, target, pending, guard, then = std::move(then)] {
            if (!guard || guard->state() == http::HttpConnection::State::Closed)
                return; // it closed meanwhile (and onClosed has dropped it)
            http::HttpConnection *connection = guard.data();
            m_connections.remove(connection);
            m_connectionCount.store(int(m_connections.size()), std::memory_order_relaxed);
            connection->setHandler(target);
            connection->moveToThread(target->thread());
            QMetaObject::invokeMethod(
                target,
                [target, pending, guard, then] {
                    if (!guard)
                        return;
                    target->start();
                    target->m_connections.insert(guard.data());
                    target->m_connectionCount.store(int(target->m_connections.size()),
                                                    std::memory_order_relaxed);
                    if (guard->state() == http::HttpConnection::State::Closed) {
                        target->onClosed(guard.data()); // it closed on the way
                        return;
                    }
                    then(*pending);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void IoWorker::revalidate(config::SnapshotPtr snapshot)
{
    QMetaObject::invokeMethod(
        this,
        [this, snapshot = std::move(snapshot)] {
            struct Gone
            {
                Subscriber *subscriber;
                QString reason;
                bool deleted;
            };
            QList<Gone> gone;
            for (auto it = m_byStream.cbegin(); it != m_byStream.cend(); ++it) {
                const QString &tenantId = it.key().tenantId;
                const QString &streamId = it.key().streamId;
                const Stream *stream = snapshot->stream(tenantId, streamId);
                for (Subscriber *subscriber : it.value()) {
                    if (!stream)
                        gone.append({subscriber,
                                     QStringLiteral("stream '%1' was deleted").arg(streamId),
                                     true});
                    else if (subscribeAccess(subscriber->info().user.get(), *stream, tenantId) !=
                             Access::Allowed)
                        gone.append(
                            {subscriber,
                             QStringLiteral("no longer permitted to subscribe to stream '%1'")
                                 .arg(streamId),
                             false});
                }
            }
            for (const Gone &entry : std::as_const(gone)) {
                std::unique_ptr<Subscriber> owned =
                    detachSubscriber(entry.subscriber, entry.reason);
                if (!owned)
                    continue;
                qCInfo(lcFanout).noquote() << "closing subscriber" << owned->id() << "of"
                                           << owned->key().toString() << ":" << entry.reason;
                owned->end(entry.reason);
                if (entry.deleted)
                    ++metrics::registry().streamDeletedDisconnects;
                else
                    ++metrics::registry().notPermittedDisconnects;
            }
        },
        Qt::QueuedConnection);
}

void IoWorker::visitSubscribers(const std::function<void(const Subscriber &)> &visit) const
{
    for (const auto &[subscriber, owned] : m_subscribers)
        visit(*subscriber);
}

QJsonObject IoWorker::endSubscriber(quint64 id,
                                    const std::function<bool(const Subscriber &)> &visible,
                                    const QString &reason)
{
    Subscriber *found = nullptr;
    for (const auto &[subscriber, owned] : m_subscribers) {
        if (subscriber->id() == id) {
            found = subscriber;
            break;
        }
    }
    if (!found || !visible(*found))
        return {};
    const QJsonObject description = found->toJson();
    std::unique_ptr<Subscriber> owned = detachSubscriber(found, reason);
    qCInfo(lcFanout).noquote() << "closing subscriber" << id << "of" << owned->key().toString()
                               << ":" << reason;
    owned->end(reason);
    ++metrics::registry().adminDisconnects;
    return description;
}

void IoWorker::removeSubscriber(Subscriber *subscriber)
{
    detachSubscriber(subscriber);
}

std::unique_ptr<Subscriber> IoWorker::detachSubscriber(Subscriber *subscriber,
                                                       const QString &reason)
{
    auto it = m_subscribers.find(subscriber);
    if (it == m_subscribers.end())
        return nullptr;
    metrics::registry().subscriberChanged(subscriber->transport(), tenantLabel(subscriber->key()),
                                          -1);
    if (m_settings.activity && m_settings.activity->admit(ActivityFeed::Type::Unsubscribe))
        m_settings.activity->post(ActivityFeed::Type::Unsubscribe, subscriber->key().tenantId,
                                  {{QStringLiteral("subscription"), subscriber->toJson()},
                                   {QStringLiteral("reason"), reason}});
    auto streamIt = m_byStream.find(subscriber->key());
    if (streamIt != m_byStream.end()) {
        streamIt->removeOne(subscriber);
        if (streamIt->isEmpty())
            m_byStream.erase(streamIt);
    }
    m_subscriberOf.remove(m_connectionOf.take(subscriber));
    std::unique_ptr<Subscriber> owned = std::move(it->second);
    m_subscribers.erase(it);
    m_subscriberCount.store(int(m_subscribers.size()), std::memory_order_relaxed);
    return owned;
}

void IoWorker::deliver(const FanoutBatchPtr &batch)
{
    QList<Subscriber *> overflowed;
    quint64 delivered = 0;
    quint64 crossTenant = 0; // to cross-tenant instances: a tenant's view leaves them out
    for (const FanoutItem &item : batch->items) {
        auto it = m_byStream.constFind(item.key);
        if (it == m_byStream.constEnd())
            continue;
        const bool counted = batch->tally && item.key.isCrossTenant();
        if (counted)
            delivered += Subscriber::takeThreadDeliveries();
        FrameCache frames(item);
        for (Subscriber *subscriber : it.value()) {
            if (!subscriber->deliver(item, frames))
                overflowed.append(subscriber);
        }
        if (counted)
            crossTenant += Subscriber::takeThreadDeliveries();
    }
    for (Subscriber *subscriber : std::as_const(overflowed)) {
        std::unique_ptr<Subscriber> owned =
            detachSubscriber(subscriber, QStringLiteral("outgoing buffer overflow"));
        if (!owned)
            continue;
        qCWarning(lcFanout).noquote()
            << QStringLiteral(
                   "worker %1 closing a slow subscriber of %2 with %3 bytes queued (limit %4)")
                   .arg(m_index)
                   .arg(owned->key().toString())
                   .arg(owned->bytesQueued())
                   .arg(m_settings.subscriberBufferBytes);
        owned->close(QStringLiteral("outgoing buffer overflow"));
        ++metrics::registry().slowDisconnects;
    }
    delivered += Subscriber::takeThreadDeliveries() + crossTenant;
    metrics::registry().deliveries.fetch_add(delivered, std::memory_order_relaxed);
    if (batch->tally) {
        batch->tally->deliveries.fetch_add(delivered, std::memory_order_relaxed);
        batch->tally->crossTenant.fetch_add(crossTenant, std::memory_order_relaxed);
    }
}

void IoWorker::sweep()
{
    const qint64 idleLimit = qint64(m_settings.idleTimeoutSeconds) * 1000;
    QList<http::HttpConnection *> idle;
    for (http::HttpConnection *connection : std::as_const(m_connections)) {
        const auto state = connection->state();
        const bool idleTooLong = (state == http::HttpConnection::State::Idle ||
                                  state == http::HttpConnection::State::Reading) &&
                                 connection->idleMilliseconds() > idleLimit;
        // A graceful close waits for the peer to take what is queued; not forever.
        const bool closingTooLong = state == http::HttpConnection::State::Closing &&
                                    connection->idleMilliseconds() > kClosingGraceMs;
        if (idleTooLong || closingTooLong)
            idle.append(connection);
    }
    for (http::HttpConnection *connection : std::as_const(idle))
        connection->abort();
    qint64 queued = 0;
    for (const auto &[subscriber, owned] : m_subscribers)
        queued += subscriber->bytesQueued();
    for (const auto &[sink, owned] : m_sinks)
        queued += sink->bytesQueued();
    m_bytesQueued.store(queued, std::memory_order_relaxed);

    // After many connections went away, hand the freed heap back to the system, so that
    // the resident size follows the number of connections down (glibc keeps it otherwise).
    if (m_closedSinceTrim >= 100 || (m_closedSinceTrim > 0 && m_connections.isEmpty())) {
        m_closedSinceTrim = 0;
#ifdef __GLIBC__
        malloc_trim(0);
#endif
    }
}

void IoWorker::shutdown(const QString &reason)
{
    for (const auto &callback : std::as_const(m_shutdownCallbacks))
        callback(reason);
    QList<Endpoint *> all;
    for (auto &[subscriber, owned] : m_subscribers)
        all.append(subscriber);
    for (auto &[sink, owned] : m_sinks)
        all.append(sink);
    for (Endpoint *endpoint : std::as_const(all))
        endpoint->close(reason);
    const QList<http::HttpConnection *> connections = m_connections.values();
    for (http::HttpConnection *connection : connections)
        connection->flushAndClose();
}

} // namespace push::fanout
