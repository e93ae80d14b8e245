#pragma once

#include "http/httpconnection.h"

#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <atomic>
#include <functional>

namespace push::http {

class DeferredCall;
class Router;
struct HttpCall;

struct WorkerSettings
{
    HttpLimits limits;
    int idleTimeoutSeconds = 60; // an HTTP connection with no request for this long is closed
};

// An HTTP worker: one thread with its own event loop that owns a share of the
// connections, reads their requests and dispatches them to the router. What else lives on
// the thread (the fan-out's subscribers, Engine.IO sessions) is handed the worker
// explicitly: every HttpCall names the worker it runs on.
class Worker final : public QObject, public HttpConnectionHandler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)

public:
    Worker(int index, const Router &router, const WorkerSettings &settings);
    ~Worker() override;

    // The worker's place among the service's workers, from 0.
    int index() const { return m_index; }
    int connectionCount() const { return m_connectionCount.load(std::memory_order_relaxed); }

    // Thread-safe: each queues the work onto the worker's thread.
    void adopt(qintptr descriptor);
    // The one hop back to a worker: work done elsewhere (the control thread, the bus
    // thread, the webhook thread, another worker) continues here.
    void run(std::function<void()> work);
    // run() for a deferred call's answer: `answer` gets the call on the worker's thread,
    // and only when its client still waits for it (the connection may have gone).
    void answer(const DeferredCall &pending, std::function<void(HttpCall &)> answer);

    // On the worker's thread only.
    //
    // Moves the call's connection to `target` (another worker's thread) and continues
    // there with `then`: for a request about state that lives on that worker.
    void handOver(HttpCall &call, Worker *target, std::function<void(HttpCall &)> then);
    // Called with the reason when the service shuts down, before the connections close
    // (what lives on this thread: subscribers, WebSocket sessions).
    void onShutdown(std::function<void(const QString &)> callback)
    {
        m_shutdownCallbacks.append(std::move(callback));
    }
    // Called with each connection that closes, before it is deleted (what is tied to it,
    // an SSE subscriber, goes with it).
    void onConnectionClosed(std::function<void(HttpConnection *)> callback)
    {
        m_closedCallbacks.append(std::move(callback));
    }
    // Tells every onShutdown callback, then closes every connection. Runs on the worker's
    // thread.
    void shutdown(const QString &reason);

    void onRequest(HttpConnection *connection, HttpRequest &&request) override;
    void onClosed(HttpConnection *connection) override;

private:
    void start();
    void sweep();
    void setConnectionCount() { m_connectionCount.store(int(m_connections.size())); }

    int m_index;
    const Router &m_router;
    WorkerSettings m_settings;
    QTimer *m_sweepTimer = nullptr;
    QSet<HttpConnection *> m_connections; // owned; deleted with deleteLater on close
    int m_closedSinceTrim = 0;
    QList<std::function<void(const QString &)>> m_shutdownCallbacks;
    QList<std::function<void(HttpConnection *)>> m_closedCallbacks;
    std::atomic<int> m_connectionCount{0};
};

} // namespace push::http
