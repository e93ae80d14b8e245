#pragma once

#include "fanout/fanout.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>

namespace push::fanout {

class SubscriberRegistry;
struct ActivityItem;
using ActivityItemPtr = std::shared_ptr<const ActivityItem>;

// What happens in the service, as it happens, for GET /admin/v1/activity: subscribe,
// unsubscribe, event-received (with the streams it matched and how many deliveries it
// made), configuration-changed. post() is thread-safe and costs one atomic load while no
// one listens; an item is serialised once and reaches the listeners through the same
// per-worker fan-out as events, to the workers that have listeners only. Two bounds keep a
// busy server from paying for (or flooding) consoles: admit() lets through at most twice
// the listeners' rate per second before anything is described or serialised, and each
// listener has its own token bucket. What either drops is counted and reported to the
// listeners as a "dropped" item.
class ActivityFeed
{
public:
    enum class Type { Subscribe, Unsubscribe, EventReceived, ConfigurationChanged };
    static constexpr int kTypeCount = 4;
    // "subscribe", "unsubscribe", "event-received", "configuration-changed", in that order.
    static const QStringList &typeNames();
    static QString typeName(Type type) { return typeNames().at(int(type)); }

    ActivityFeed() = default;
    ActivityFeed(const ActivityFeed &) = delete;
    ActivityFeed &operator=(const ActivityFeed &) = delete;

    // The listeners' rate: the feed-wide bound is twice it.
    void setRate(int perSecond) { m_budget = 2 * std::max(1, perSecond); }
    bool active() const
    {
        return m_listeners.load(std::memory_order_relaxed) > 0 &&
               !m_stopped.load(std::memory_order_relaxed);
    }
    // From now on nothing is posted (the service shuts down: subscribers closing on the
    // way out tell no one).
    void stop() { m_stopped.store(true); }

    // Is there a listener, and room in this second's budget for an item of `type`?
    // Counts a drop when there is not (configuration changes always pass).
    bool admit(Type type);
    // `tenantId` scopes the item: tenant administrators see their tenant's items only;
    // empty means the cross-tenant context or the core configuration (core administrators
    // only). `tenantView`, when given, is what tenant administrators see instead.
    void post(Type type, const QString &tenantId, QJsonObject data, QJsonObject tenantView = {});

    // By the registry that keeps a listener, on its thread: items go to the registries
    // that have listeners only.
    void listenerAdded(SubscriberRegistry *registry);
    void listenerRemoved(SubscriberRegistry *registry);
    // Items the feed-wide bound dropped, by type, since the start.
    quint64 dropped(Type type) const
    {
        return m_dropped[int(type)].load(std::memory_order_relaxed);
    }

private:
    std::atomic<int> m_listeners{0};
    std::atomic<bool> m_stopped{false};
    int m_budget = 200;
    std::atomic<qint64> m_second{0};
    std::atomic<int> m_inSecond{0};
    std::atomic<quint64> m_dropped[kTypeCount] = {};
    QMutex m_mutex;                               // guards m_listening
    QHash<SubscriberRegistry *, int> m_listening; // listeners per registry
};

// One thing that happened, serialised once for every listener on every worker.
struct ActivityItem
{
    ActivityFeed::Type type = ActivityFeed::Type::Subscribe;
    QString tenantId;       // whose it is; empty: core administrators' only
    QByteArray frame;       // "event: <type>\ndata: <json>\n\n", what core administrators get
    QByteArray tenantFrame; // what the tenant's administrators get; empty: `frame`
};

// A listener of the activity feed (GET /admin/v1/activity), kept by an I/O worker beside
// its stream subscribers.
class ActivitySink : public Endpoint
{
public:
    using Endpoint::Endpoint;
    // Takes the item or drops it (counted by the sink); the worker never closes a sink
    // for an item it could not take.
    virtual void deliver(const ActivityItem &item) = 0;
};

// An SSE frame of the activity feed: "event: <type>\ndata: <json>\n\n".
QByteArray activityFrame(const QString &type, const QJsonObject &data);

} // namespace push::fanout
