#pragma once

#include "fanout.h"

#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QSet>
#include <QString>

#include <atomic>

class QTimer;

namespace push::http {
class HttpConnection;
}

namespace push::fanout {

class IoWorker;

// The stream key activity listeners are registered under: no configured stream can have
// it (stream ids match ^[a-zA-Z0-9-_ ]{1,50}$).
inline const StreamKey kActivityKey = QStringLiteral("\x1e"
                                                     "activity");

// What happens in the service, as it happens, for GET /admin/v1/activity: subscribe,
// unsubscribe, event-received (with the streams it matched and how many deliveries it
// made), configuration-changed. post() is thread-safe and costs one atomic load while no
// one listens; an item is serialised once and reaches the listeners through the same
// per-worker fan-out as events. Each listener has a bounded rate: what exceeds it is
// counted and reported as a "dropped" item, so a busy server cannot flood a console.
class ActivityFeed
{
public:
    ActivityFeed() = default;
    ActivityFeed(const ActivityFeed &) = delete;
    ActivityFeed &operator=(const ActivityFeed &) = delete;

    // Before any listener can exist (before the port is served).
    void setWorkers(QList<IoWorker *> workers);
    bool active() const { return m_listeners.load(std::memory_order_relaxed) > 0; }

    // `tenantId` scopes the item: tenant administrators see their tenant's items only;
    // empty means the cross-tenant context or the core configuration (core administrators
    // only).
    void post(const QString &type, const QString &tenantId, QJsonObject data);

    void listenerAdded() { m_listeners.fetch_add(1, std::memory_order_relaxed); }
    void listenerRemoved() { m_listeners.fetch_sub(1, std::memory_order_relaxed); }

private:
    std::atomic<int> m_listeners{0};
    QMutex m_mutex; // guards m_workers (set once; read by post)
    QList<IoWorker *> m_workers;
};

// One GET /admin/v1/activity response: an SSE stream of "event: <type>\ndata: <json>".
class ActivityListener final : public Subscriber
{
public:
    struct Options
    {
        QString tenantId;    // empty: every tenant (a core administrator)
        QSet<QString> types; // empty: every type
        int perSecond = 100; // the sustained rate; bursts up to twice that
        qint64 bufferLimit = 1024 * 1024;
    };
    ActivityListener(http::HttpConnection *connection, ActivityFeed &feed, Options options,
                     SubscriberInfo info);
    ~ActivityListener() override;

    bool deliver(const FanoutItem &item, FrameCache &frames) override;
    void keepAlive() override;
    void close(const QString &reason) override;
    qint64 bytesQueued() const override;
    const char *transport() const override { return "activity"; }

    quint64 dropped() const { return m_droppedTotal; }

private:
    bool write(const QByteArray &frame);
    void reportDropped();

    http::HttpConnection *m_connection;
    ActivityFeed &m_feed;
    Options m_options;
    double m_tokens;
    qint64 m_refilledAt;
    quint64 m_dropped = 0; // since the last "dropped" item
    quint64 m_droppedTotal = 0;
    std::unique_ptr<QTimer> m_timer; // reports drops once a second, only while there are any
};

// The first frame of an activity stream: "event: ready" with the listener's scope.
QByteArray activityFrame(const QString &type, const QJsonObject &data);

} // namespace push::fanout
