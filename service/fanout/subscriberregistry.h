#pragma once

#include "config/configsnapshot.h"
#include "fanout/activity.h"
#include "fanout/fanout.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>

namespace push::fanout {

struct RegistrySettings
{
    qint64 subscriberBufferBytes = 1024 * 1024;
    int keepAliveSeconds = 15;
    ActivityFeed *activity = nullptr; // told of subscribers and listeners coming and going
};

// The subscribers of one I/O thread: it lives on that thread (beside the HTTP worker that
// owns the connections) and every subscriber and activity listener on it is its. Fan-out
// reaches it as one queued call per event (not per subscriber); it walks its subscribers
// of each matched stream and hands each the item with the thread's frame cache.
class SubscriberRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscriberRegistry)

public:
    SubscriberRegistry(int index, const RegistrySettings &settings);
    ~SubscriberRegistry() override;

    int index() const { return m_index; }
    const RegistrySettings &settings() const { return m_settings; }
    // Stream subscribers (activity listeners are not counted).
    int subscriberCount() const { return m_subscriberCount.load(std::memory_order_relaxed); }
    // Bytes waiting in subscribers' buffers, as of the last sweep (at most 5 s old).
    qint64 bytesQueued() const { return m_bytesQueued.load(std::memory_order_relaxed); }

    // Thread-safe: each queues the work onto the registry's thread.
    void post(FanoutBatchPtr batch);
    void post(ActivityItemPtr item);
    // After a configuration change, ends (with the reason) every subscriber of a stream
    // the snapshot no longer has, or whose user it no longer permits.
    void revalidate(config::SnapshotPtr snapshot);

    // On the registry's thread only.
    //
    // A subscriber tied to an object (an SSE response's connection) is removed by
    // release(that object); others are removed by their owner.
    Subscriber *addSubscriber(std::unique_ptr<Subscriber> subscriber, QObject *tiedTo = nullptr);
    void removeSubscriber(Subscriber *subscriber);
    // An activity feed listener, removed by release(tiedTo).
    void addSink(std::unique_ptr<ActivitySink> sink, QObject *tiedTo);
    // `owner` is going away (the HTTP worker says so when a connection closes): what is
    // tied to it goes too, without a word to a client that is gone.
    void release(QObject *owner);
    // Takes a subscriber out of the fan-out and hands it over (to be closed and dropped);
    // `reason` is what the activity feed reports.
    std::unique_ptr<Subscriber>
    detachSubscriber(Subscriber *subscriber,
                     const QString &reason = QStringLiteral("client disconnected"));
    // Every stream subscriber (not activity listeners).
    void visitSubscribers(const std::function<void(const Subscriber &)> &visit) const;
    // Ends subscriber `id` if it is here and `visible` says the caller may see it; returns
    // its description (empty when not found).
    QJsonObject endSubscriber(quint64 id, const std::function<bool(const Subscriber &)> &visible,
                              const QString &reason);
    // Ends every subscriber and listener with `reason` (the service shuts down).
    void shutdown(const QString &reason);

private:
    void start();
    void deliver(const FanoutBatchPtr &batch);
    void revalidateNow(const config::ConfigSnapshot &snapshot);
    void removeSink(ActivitySink *sink);
    void untie(Endpoint *endpoint);
    void sweep();
    // Ends the subscriptions that end with their token, where it has expired.
    void endExpired(qint64 now);

    int m_index;
    RegistrySettings m_settings;
    QTimer *m_keepAliveTimer = nullptr;
    QTimer *m_sweepTimer = nullptr;
    std::unordered_map<Subscriber *, std::unique_ptr<Subscriber>> m_subscribers;
    std::unordered_map<ActivitySink *, std::unique_ptr<ActivitySink>> m_sinks;
    // Ties to an owner object: two small hashes, not a Qt connection per subscriber
    // (measured: ~400 bytes more per idle SSE connection with QObject::destroyed).
    struct Tie
    {
        Subscriber *subscriber = nullptr;
        ActivitySink *sink = nullptr;
    };
    QHash<QObject *, Tie> m_tiedTo;
    QHash<Endpoint *, QObject *> m_owners;
    QHash<StreamKey, QList<Subscriber *>> m_byStream;
    std::atomic<int> m_subscriberCount{0};
    std::atomic<qint64> m_bytesQueued{0};
};

} // namespace push::fanout
