#pragma once

#include "access.h"
#include "criteria.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace push::fanout {

// A stream instantiated for a tenant context: "<tenant id>\x1f<stream id>"; the
// cross-tenant instance (core users, no tenant filter) has an empty tenant id.
using StreamKey = QString;
StreamKey streamKey(const QString &tenantId, const QString &streamId);

// One event as one stream instance carries it, serialised once for every subscriber.
struct FanoutItem
{
    StreamKey key;
    QString eventName;        // "<namespace>:<name>", the socket.io event name
    QByteArray json;          // the projected item, compact JSON
    QByteArray sseFrame;      // "id: <sequence>\ndata: <json>\n\n"
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

// The frames one item needs on one worker, built at most once each: the SSE frame is in
// the item; a socket.io frame depends on the namespace the client connected with.
class FrameCache
{
public:
    explicit FrameCache(const FanoutItem &item)
        : m_item(item)
    {}
    // "42<nsp,>[\"<namespace>:<name>\",<json>]"
    const QByteArray &socketIoFrame(const QString &nsp);

private:
    const FanoutItem &m_item;
    QString m_lastNamespace;
    QByteArray m_lastFrame;
    QHash<QString, QByteArray> m_others;
};

// Anything that can take frames: an SSE response, later an Engine.IO socket. Owned by
// the I/O worker whose thread it lives on; never touched from another thread.
class Subscriber
{
public:
    Subscriber(StreamKey key, EventCriteria criteria, SubscriberInfo info = {});
    virtual ~Subscriber() = default;

    const StreamKey &key() const { return m_key; }
    const EventCriteria &criteria() const { return m_criteria; }
    quint64 delivered() const { return m_delivered; }
    // Process-unique, never reused: what the admin API names a subscription by.
    quint64 id() const { return m_id; }
    const SubscriberInfo &info() const { return m_info; }
    // {id, tenant, stream, transport, user, remoteAddress, connectedSince, delivered,
    // bytesQueued, criteria}: what GET /admin/v1/subscriptions lists.
    QJsonObject toJson() const;

    // Queues the item's frame. Returns false when the subscriber cannot take it (its
    // bounded buffer would overflow, or it is gone): the worker then closes it.
    virtual bool deliver(const FanoutItem &item, FrameCache &frames) = 0;
    // Writes something that keeps proxies from timing the connection out.
    virtual void keepAlive() = 0;
    // Ends the subscription, telling the client why where the transport can.
    virtual void close(const QString &reason) = 0;
    // Ends this subscription only (its stream was deleted): a transport that multiplexes
    // (socket.io namespaces) stays up. By default the same as close().
    virtual void end(const QString &reason) { close(reason); }
    virtual qint64 bytesQueued() const = 0;
    // "sse" or "socketio", for metrics.
    virtual const char *transport() const = 0;

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
    friend class IoWorker;
    // The worker makes every subscriber of a stream share one copy of its key.
    void shareKey(const StreamKey &same) { m_key = same; }
    static thread_local quint64 t_deliveries;
    StreamKey m_key;
    EventCriteria m_criteria;
    SubscriberInfo m_info;
    quint64 m_id;
    quint64 m_delivered = 0;
};

// The tenant id and the stream id of a stream instance's key.
QString tenantOfKey(const StreamKey &key);
QString streamOfKey(const StreamKey &key);

} // namespace push::fanout
