#pragma once

#include "activity.h"
#include "configsnapshot.h"
#include "fanout.h"
#include "httpconnection.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>

namespace push::http {
class Router;
struct HttpCall;
} // namespace push::http

namespace push::fanout {

struct WorkerSettings
{
    http::HttpLimits limits;
    qint64 subscriberBufferBytes = 1024 * 1024;
    int keepAliveSeconds = 15;
    int idleTimeoutSeconds = 60;      // an HTTP connection with no request for this long is closed
    ActivityFeed *activity = nullptr; // told of subscribers coming and going
};

// An I/O worker: one thread with its own event loop that owns a share of the
// connections and every subscriber on them. Fan-out reaches it as one queued call per
// event (not per subscriber); it walks its subscribers of each matched stream and
// appends the shared, already serialised frame to each one's bounded buffer.
class IoWorker final : public QObject, public http::HttpConnectionHandler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IoWorker)

public:
    IoWorker(int index, const http::Router &router, const WorkerSettings &settings);
    ~IoWorker() override;

    // The worker whose thread is the calling thread, or nullptr.
    static IoWorker *current();

    int index() const { return m_index; }
    const WorkerSettings &settings() const { return m_settings; }
    int connectionCount() const { return m_connectionCount.load(std::memory_order_relaxed); }
    // Stream subscribers (activity sinks are not counted).
    int subscriberCount() const { return m_subscriberCount.load(std::memory_order_relaxed); }
    // Bytes waiting in subscribers' buffers, as of the last sweep (at most 5 s old).
    qint64 bytesQueued() const { return m_bytesQueued.load(std::memory_order_relaxed); }

    // Thread-safe: each queues the work onto the worker's thread.
    void adopt(qintptr descriptor);
    void post(FanoutBatchPtr batch);
    void post(ActivityItemPtr item);

    // On the worker's thread only. A subscriber tied to an HTTP connection (SSE) is
    // removed when the connection closes; others are removed by their owner.
    Subscriber *addSubscriber(std::unique_ptr<Subscriber> subscriber,
                              http::HttpConnection *connection = nullptr);
    void removeSubscriber(Subscriber *subscriber);
    // On the worker's thread only: an activity feed listener on `connection`, removed when
    // the connection closes.
    void addSink(std::unique_ptr<ActivitySink> sink, http::HttpConnection *connection);
    // Thread-safe: after a configuration change, ends (with the reason) every subscriber
    // of a stream the snapshot no longer has, or whose user it no longer permits.
    void revalidate(config::SnapshotPtr snapshot);
    // Takes a subscriber out of the fan-out and hands it over (to be closed and dropped);
    // `reason` is what the activity feed reports.
    std::unique_ptr<Subscriber>
    detachSubscriber(Subscriber *subscriber,
                     const QString &reason = QStringLiteral("client disconnected"));
    // On the worker's thread: every stream subscriber (not activity listeners).
    void visitSubscribers(const std::function<void(const Subscriber &)> &visit) const;
    // On the worker's thread: ends subscriber `id` if it is here and `visible` says the
    // caller may see it; returns its description (empty when not found).
    QJsonObject endSubscriber(quint64 id, const std::function<bool(const Subscriber &)> &visible,
                              const QString &reason);
    // Moves the call's connection to `target` (another worker's thread) and continues
    // there with `then`: for a request about state that lives on that worker.
    void handOver(http::HttpCall &call, IoWorker *target,
                  std::function<void(http::HttpCall &)> then);
    // Called with the reason when the service shuts down (transports without an HTTP
    // connection: WebSocket sessions).
    void onShutdown(std::function<void(const QString &)> callback)
    {
        m_shutdownCallbacks.append(std::move(callback));
    }
    // Closes every connection (streams get their reason). Runs on the worker's thread.
    void shutdown(const QString &reason);

    void onRequest(http::HttpConnection *connection, http::HttpRequest &&request) override;
    void onClosed(http::HttpConnection *connection) override;

private:
    void start();
    void deliver(const FanoutBatchPtr &batch);
    void sweep();
    void removeSink(ActivitySink *sink);

    int m_index;
    const http::Router &m_router;
    WorkerSettings m_settings;
    QTimer *m_keepAliveTimer = nullptr;
    QTimer *m_sweepTimer = nullptr;
    QSet<http::HttpConnection *> m_connections; // owned; deleted with deleteLater on close
    std::unordered_map<Subscriber *, std::unique_ptr<Subscriber>> m_subscribers;
    std::unordered_map<ActivitySink *, std::unique_ptr<ActivitySink>> m_sinks;
    QHash<http::HttpConnection *, Subscriber *> m_subscriberOf;
    QHash<http::HttpConnection *, ActivitySink *> m_sinkOf;
    QHash<Endpoint *, http::HttpConnection *> m_connectionOf;
    QHash<StreamKey, QList<Subscriber *>> m_byStream;
    int m_closedSinceTrim = 0;
    QList<std::function<void(const QString &)>> m_shutdownCallbacks;
    std::atomic<int> m_connectionCount{0};
    std::atomic<int> m_subscriberCount{0};
    std::atomic<qint64> m_bytesQueued{0};
};

} // namespace push::fanout
