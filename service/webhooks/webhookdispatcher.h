#pragma once

#include "config/configsnapshot.h"
#include "shared/domainevent.h"
#include "shared/webhook.h"

#include <QDateTime>
#include <QObject>
#include <QString>

#include <QHash>
#include <QMutex>

#include <atomic>
#include <deque>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QThread;

namespace push::webhooks {

// Calls webhooks (adsp-compatibility.md "Webhooks") on a thread of its own with its own
// QNetworkAccessManager, so that a dead or slow target never delays stream delivery:
// offer() only matches the event against the snapshot's webhooks on the caller's thread
// and queues what matched. At most `maxInFlight` calls run at once, each with a timeout;
// beyond `maxQueued` waiting calls new ones are dropped, logged and counted. After each
// call (any HTTP status, or none) `emitEvent` gets the push-service:webhook-triggered
// event, on the dispatcher's thread. At most kMaxPerHost calls go to one host at once
// (QNetworkAccessManager's own connection limit per host): a hanging target holds those
// and no more, and no call waits inside Qt while its timeout runs.
class WebhookDispatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookDispatcher)

public:
    struct Options
    {
        int timeoutMs = 10000;
        int maxInFlight = 16;
        int maxQueued = 1000;
        QByteArray userAgent = "push-service";
    };
    // What a call came to: `status` the reason phrase (or what failed), `statusCode` 0
    // when nothing answered.
    struct Result
    {
        QString status;
        int statusCode = 0;
        qint64 responseTimeMs = 0;
        QDateTime answeredAt;
        QString outcome; // success, http-error, timeout, error (the metric label)
    };
    using EmitEvent = std::function<void(DomainEvent &&event)>;

    WebhookDispatcher(const config::ConfigRegistry &registry, Options options, EmitEvent emitEvent);
    ~WebhookDispatcher() override;

    void start();
    // Aborts what is in flight (no webhook-triggered event for those) and joins the thread.
    void stop();

    // Thread-safe. Queues a call for every webhook of the event's tenant it triggers.
    void offer(const DomainEvent &event);
    // Thread-safe. Calls `webhook` once with `event` whatever its rules say (the admin
    // API's test); `done` runs on the dispatcher's thread when the call ends, or at once on
    // the caller's when the dispatcher is stopping (the caller takes it back to its worker:
    // http::Worker::answer). No webhook-triggered event.
    void test(const Webhook &webhook, const DomainEvent &event, std::function<void(Result)> done);

    static constexpr int kMaxPerHost = 6;

private:
    struct Call
    {
        Webhook webhook;
        DomainEvent event;
        bool test = false;
        std::function<void(Result)> done; // a test's, on the dispatcher's thread
    };
    // Queues `job` on the dispatcher's thread; false once stop() has begun.
    bool dispatch(std::function<void()> job);
    void enqueue(Call &&call); // on the dispatcher's thread
    void startNext();
    void send(Call &&call);
    void finished(const Call &call, const Result &result);

    const config::ConfigRegistry &m_registry;
    Options m_options;
    EmitEvent m_emitEvent;
    QThread *m_thread = nullptr;
    QObject *m_context = nullptr;               // lives on m_thread: calls run there
    QNetworkAccessManager *m_network = nullptr; // lives on m_thread
    std::deque<Call> m_queue;                   // on m_thread only
    QHash<QString, int> m_perHost;              // calls in flight by host, on m_thread only
    QMutex m_mutex;                             // guards m_accepting against stop()
    bool m_accepting = false;
    int m_inFlight = 0;            // on m_thread only (the gauge is in metrics)
    std::atomic<int> m_waiting{0}; // offered, not yet sent: what maxQueued bounds
};

} // namespace push::webhooks
