#include "subscriberregistry.h"

#include "metrics/metrics.h"

#include <QDateTime>
#include <QLoggingCategory>

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

SubscriberRegistry::SubscriberRegistry(int index, const RegistrySettings &settings)
    : m_index(index)
    , m_settings(settings)
{}

SubscriberRegistry::~SubscriberRegistry()
{
    m_subscribers.clear();
    m_sinks.clear();
}

void SubscriberRegistry::start()
{
    if (m_keepAliveTimer)
        return;
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
    m_sweepTimer->setInterval(5000);
    connect(m_sweepTimer, &QTimer::timeout, this, &SubscriberRegistry::sweep);
    m_sweepTimer->start();
}

void SubscriberRegistry::post(FanoutBatchPtr batch)
{
    QMetaObject::invokeMethod(
        this, [this, batch = std::move(batch)] { deliver(batch); }, Qt::QueuedConnection);
}

void SubscriberRegistry::post(ActivityItemPtr item)
{
    QMetaObject::invokeMethod(
        this,
        [this, item = std::move(item)] {
            for (auto &[sink, owned] : m_sinks)
                sink->deliver(*item);
        },
        Qt::QueuedConnection);
}

void SubscriberRegistry::release(QObject *owner)
{
    const Tie tie = m_tiedTo.value(owner);
    if (tie.subscriber)
        removeSubscriber(tie.subscriber);
    if (tie.sink)
        removeSink(tie.sink);
}

void SubscriberRegistry::untie(Endpoint *endpoint)
{
    if (QObject *owner = m_owners.take(endpoint))
        m_tiedTo.remove(owner);
}

Subscriber *SubscriberRegistry::addSubscriber(std::unique_ptr<Subscriber> subscriber,
                                              QObject *tiedTo)
{
    start();
    Subscriber *raw = subscriber.get();
    auto stream = m_byStream.find(raw->key());
    if (stream == m_byStream.end())
        stream = m_byStream.insert(raw->key(), {});
    else
        raw->shareKey(stream.key()); // one copy of the key per stream, not per subscriber
    stream->append(raw);
    if (tiedTo) {
        m_tiedTo[tiedTo].subscriber = raw;
        m_owners.insert(raw, tiedTo);
    }
    m_subscribers.emplace(raw, std::move(subscriber));
    metrics::registry().subscriberChanged(raw->transport(), tenantLabel(raw->key()), +1);
    if (m_settings.activity && m_settings.activity->admit(ActivityFeed::Type::Subscribe))
        m_settings.activity->post(ActivityFeed::Type::Subscribe, raw->key().tenantId,
                                  {{QStringLiteral("subscription"), raw->toJson()}});
    m_subscriberCount.store(int(m_subscribers.size()), std::memory_order_relaxed);
    return raw;
}

void SubscriberRegistry::addSink(std::unique_ptr<ActivitySink> sink, QObject *tiedTo)
{
    start();
    ActivitySink *raw = sink.get();
    if (tiedTo) {
        m_tiedTo[tiedTo].sink = raw;
        m_owners.insert(raw, tiedTo);
    }
    m_sinks.emplace(raw, std::move(sink));
    if (m_settings.activity)
        m_settings.activity->listenerAdded(this);
}

void SubscriberRegistry::removeSink(ActivitySink *sink)
{
    auto it = m_sinks.find(sink);
    if (it == m_sinks.end())
        return;
    untie(sink);
    m_sinks.erase(it);
    if (m_settings.activity)
        m_settings.activity->listenerRemoved(this);
}

void SubscriberRegistry::revalidate(config::SnapshotPtr snapshot)
{
    QMetaObject::invokeMethod(
        this, [this, snapshot = std::move(snapshot)] { revalidateNow(*snapshot); },
        Qt::QueuedConnection);
}

void SubscriberRegistry::revalidateNow(const config::ConfigSnapshot &snapshot)
{
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
        const Stream *stream = snapshot.stream(tenantId, streamId);
        for (Subscriber *subscriber : it.value()) {
            if (!stream)
                gone.append(
                    {subscriber, QStringLiteral("stream '%1' was deleted").arg(streamId), true});
            else if (subscribeAccess(subscriber->info().user.get(), *stream, tenantId) !=
                     Access::Allowed)
                gone.append({subscriber,
                             QStringLiteral("no longer permitted to subscribe to stream '%1'")
                                 .arg(streamId),
                             false});
        }
    }
    for (const Gone &entry : std::as_const(gone)) {
        std::unique_ptr<Subscriber> owned = detachSubscriber(entry.subscriber, entry.reason);
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
}

void SubscriberRegistry::visitSubscribers(
    const std::function<void(const Subscriber &)> &visit) const
{
    for (const auto &[subscriber, owned] : m_subscribers)
        visit(*subscriber);
}

QJsonObject SubscriberRegistry::endSubscriber(
    quint64 id, const std::function<bool(const Subscriber &)> &visible, const QString &reason)
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

void SubscriberRegistry::removeSubscriber(Subscriber *subscriber)
{
    detachSubscriber(subscriber);
}

std::unique_ptr<Subscriber> SubscriberRegistry::detachSubscriber(Subscriber *subscriber,
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
    untie(subscriber);
    std::unique_ptr<Subscriber> owned = std::move(it->second);
    m_subscribers.erase(it);
    m_subscriberCount.store(int(m_subscribers.size()), std::memory_order_relaxed);
    return owned;
}

void SubscriberRegistry::deliver(const FanoutBatchPtr &batch)
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

void SubscriberRegistry::sweep()
{
    endExpired(QDateTime::currentMSecsSinceEpoch());
    qint64 queued = 0;
    for (const auto &[subscriber, owned] : m_subscribers)
        queued += subscriber->bytesQueued();
    for (const auto &[sink, owned] : m_sinks)
        queued += sink->bytesQueued();
    m_bytesQueued.store(queued, std::memory_order_relaxed);
}

void SubscriberRegistry::endExpired(qint64 now)
{
    QList<Subscriber *> expired;
    for (const auto &[subscriber, owned] : m_subscribers) {
        const User *user = subscriber->info().user.get();
        if (user && user->expiresAt > 0 && user->expiresAt <= now && subscriber->endsWithToken())
            expired.append(subscriber);
    }
    for (Subscriber *subscriber : std::as_const(expired)) {
        std::unique_ptr<Subscriber> owned =
            detachSubscriber(subscriber, QStringLiteral("token expired"));
        if (!owned)
            continue;
        qCInfo(lcFanout).noquote() << "closing subscriber" << owned->id() << "of"
                                   << owned->key().toString() << ": its token expired";
        owned->tokenExpired();
        ++metrics::registry().tokenExpiredDisconnects;
    }
}

void SubscriberRegistry::shutdown(const QString &reason)
{
    // Each is taken out before it is closed: closing one socket.io subscriber closes its
    // session, which may remove others of the same session.
    while (!m_subscribers.empty()) {
        std::unique_ptr<Subscriber> owned = detachSubscriber(m_subscribers.begin()->first, reason);
        owned->close(reason);
    }
    // Likewise a listener: closing its stream may close the connection at once, and the
    // worker then releases what was tied to it.
    while (!m_sinks.empty()) {
        ActivitySink *sink = m_sinks.begin()->first;
        std::unique_ptr<ActivitySink> owned = std::move(m_sinks.begin()->second);
        removeSink(sink);
        owned->close(reason);
    }
}

} // namespace push::fanout
