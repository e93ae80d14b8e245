#pragma once

#include "shared/access.h"
#include "shared/criteria.h"
#include "shared/cursor.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>

namespace push::fanout {

// A stream instantiated for a tenant context; the cross-tenant instance (core users, no
// tenant filter) has an empty tenant id.
struct StreamKey
{
    QString tenantId;
    QString streamId;

    bool isCrossTenant() const { return tenantId.isEmpty(); }
    // "<tenant>/<stream>", "*/<stream>" for the cross-tenant instance: for logs.
    QString toString() const;

    friend bool operator==(const StreamKey &a, const StreamKey &b)
    {
        return a.streamId == b.streamId && a.tenantId == b.tenantId;
    }
    friend bool operator!=(const StreamKey &a, const StreamKey &b) { return !(a == b); }
    friend size_t qHash(const StreamKey &key, size_t seed = 0)
    {
        return qHashMulti(seed, key.tenantId, key.streamId);
    }
};

// One event as one stream instance carries it: projected and serialised once for every
// subscriber on every worker. What a transport puts around it is the transport's
// (FrameCache).
struct FanoutItem
{
    StreamKey key;
    quint64 sequence = 0; // the event's number, as the hub gave it
    // Where the event is in its tenant's replay log (docs/resume.md): "<epoch>.<ms>-<seq>"
    // and the entry id. Empty for an event the log does not keep (resume off, the
    // cross-tenant instance).
    QByteArray cursor;
    EntryId entry;
    QString eventId;          // the event's own id (with a cursor only): SSE's `eventId`
    QString eventName;        // "<namespace>:<name>"
    QByteArray json;          // the projected item, compact JSON
    QJsonValue correlationId; // of the projected item: what subscriber criteria look at
    QJsonObject context;
};

// Counts one event's deliveries over every worker while someone watches the activity
// feed; `done` runs with the total when the last worker has delivered the batch.
struct DeliveryTally
{
    std::atomic<quint64> deliveries{0};
    std::atomic<quint64> crossTenant{0}; // of those, to the cross-tenant instances
    std::function<void(quint64 deliveries, quint64 crossTenant)> done;
    ~DeliveryTally()
    {
        if (done)
            done(deliveries.load(), crossTenant.load());
    }
};

// Everything one event produced, for every stream instance it matched. Immutable once
// built and shared (by pointer) between the I/O workers.
struct FanoutBatch
{
    quint64 sequence = 0;
    QString tenantId;
    QList<FanoutItem> items;
    std::shared_ptr<DeliveryTally> tally; // null unless the activity feed has listeners
};
using FanoutBatchPtr = std::shared_ptr<const FanoutBatch>;

// Who a subscriber is, for the admin API and for re-checking access after a change.
struct SubscriberInfo
{
    std::shared_ptr<const User> user; // null: anonymous
    QHostAddress peer;
    qint64 since = 0; // connected at, ms since the epoch

    // `user` (nullptr: anonymous) from `peer`, connected now.
    static SubscriberInfo now(const User *user, const QHostAddress &peer);
};

// The frames of one item on one worker, each built at most once: a transport asks for its
// frame with the function that builds it and, where its frame has variants, the variant
// (the socket.io namespace the client connected with). Nearly always one or two entries.
class FrameCache
{
public:
    using Builder = QByteArray (*)(const FanoutItem &item, const QString &variant);

    explicit FrameCache(const FanoutItem &item)
        : m_item(item)
    {}
    // The reference stays valid as long as the cache.
    const QByteArray &frame(Builder build, const QString &variant = {});

private:
    struct Entry
    {
        Builder build;
        QString variant;
        QByteArray frame;
    };
    const FanoutItem &m_item;
    std::deque<Entry> m_frames; // a deque: growing it moves no frame a caller still holds
};

// What an I/O worker keeps on a connection or session and writes to: a stream subscriber
// or an activity listener. Owned by that worker; never touched from another thread.
class Endpoint
{
public:
    explicit Endpoint(SubscriberInfo info = {});
    virtual ~Endpoint() = default;
    Endpoint(const Endpoint &) = delete;
    Endpoint &operator=(const Endpoint &) = delete;

    // Process-unique, never reused: what the admin API names a subscription by.
    quint64 id() const { return m_id; }
    const SubscriberInfo &info() const { return m_info; }

    // Writes something that keeps proxies from timing the connection out.
    virtual void keepAlive() = 0;
    // Ends the subscription, telling the client why where the transport can.
    virtual void close(const QString &reason) = 0;
    virtual qint64 bytesQueued() const = 0;
    // "sse", "socketio" or "activity", for metrics and the admin API.
    virtual const char *transport() const = 0;

private:
    SubscriberInfo m_info;
    quint64 m_id;
};

// A subscriber of one stream instance: an SSE response or a socket.io socket.
class Subscriber : public Endpoint
{
public:
    Subscriber(StreamKey key, EventCriteria criteria, SubscriberInfo info = {});

    const StreamKey &key() const { return m_key; }
    const EventCriteria &criteria() const { return m_criteria; }
    quint64 delivered() const { return m_delivered; }
    // {id, tenant, stream, transport, user, remoteAddress, connectedSince, delivered,
    // bytesQueued, criteria}: what GET /admin/v1/subscriptions lists.
    QJsonObject toJson() const;

    // Queues the item's frame. Returns false when the subscriber cannot take it (its
    // bounded buffer would overflow, or it is gone): the worker then closes it.
    virtual bool deliver(const FanoutItem &item, FrameCache &frames) = 0;
    // Ends this subscription only (its stream was deleted): a transport that multiplexes
    // (socket.io namespaces) stays up. By default the same as close().
    virtual void end(const QString &reason) { close(reason); }
    // Whether the subscription ends when its user's token expires (a resumable SSE
    // stream: the client comes back with a fresh token and its cursor). By default it
    // outlives the token, as ADSP's streams do.
    virtual bool endsWithToken() const { return false; }
    // Ends it for that, telling the client (after the registry has let it go).
    virtual void tokenExpired() { close(QStringLiteral("the token expired")); }

    // Deliveries counted on this thread since the last call (the worker adds them to the
    // process-wide metric once per batch, not once per frame).
    static quint64 takeThreadDeliveries();

protected:
    void countDelivery()
    {
        ++m_delivered;
        ++t_deliveries;
    }

private:
    friend class SubscriberRegistry;
    // The worker makes every subscriber of a stream share one copy of its key.
    void shareKey(const StreamKey &same) { m_key = same; }
    static thread_local quint64 t_deliveries;
    StreamKey m_key;
    EventCriteria m_criteria;
    quint64 m_delivered = 0;
};

} // namespace push::fanout
