#pragma once

#include "platform/platform.h"
#include "shared/domainevent.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#if __has_include(<rabbitmq-c/amqp.h>) // see amqptable.h
#include <rabbitmq-c/amqp.h>
#else
#include <amqp.h>
#endif

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace push::bus {

struct BusSettings
{
    QString url; // amqp://user:pass@host:port/vhost or amqps://
    QString exchange = QStringLiteral("domain-events"); // ADSP's topic exchange
    int prefetch = 500;                                 // unacknowledged deliveries in flight
    int maxPendingPublishes = 10000;                    // POSTs waiting for the bus thread
    // Heartbeat interval negotiated with the broker: a broker silent for twice this long
    // (stopped, unreachable) is taken for gone.
    int heartbeatSeconds = 3;
    // A publish the broker has not confirmed (basic.ack) within this is answered as failed
    // and the connection is dropped: the broker is stalled.
    int confirmTimeoutMs = 3000;
    // Reconnection backoff: doubles from 250 ms up to this.
    int maxBackoffMs = 2000;
    // A queue shared by every instance (each event reaches one of them), for what must
    // happen once per event rather than once per instance: webhook calls. Empty: none.
    QString sharedQueue;
    // A durable (quorum) queue shared by every instance that feeds the replay log in
    // Redis (docs/resume.md): each event reaches one instance, which acknowledges it only
    // once the log has it. Empty: none.
    QString bufferQueue;
    int bufferPrefetch = 200;
};

// RabbitMQ through rabbitmq-c (librabbitmq) on a thread of its own: it connects, declares
// the topic exchange, binds this instance's durable queue (push-service.<random>, deleted
// on stop, or by the broker after 5 minutes without a consumer) with '#', and hands every
// delivery to `onEvent` (on the bus thread; the hub is thread-safe). Malformed messages are logged
// and acknowledged (dropped). Publishing goes through the same thread on a second channel in
// confirm mode: persistent messages, and a publish is done only when the broker confirms
// it (basic.ack, batched by the broker), failed on a nack or after confirmTimeoutMs. A
// broker that stops answering (heartbeats, confirms) is dropped; it reconnects with a
// doubling backoff (250 ms to maxBackoffMs). The blocking library calls never touch a Qt
// event loop: measured in docs/event-bus.md, faults in docs/reliability.md.
class AmqpBus final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AmqpBus)

public:
    enum class State { Disconnected, Connecting, Connected };
    // Which queue a delivery came from: this instance's own (for its subscribers) or the
    // shared one (once across instances).
    enum class Delivery { Own, Shared, Buffer };
    // Acknowledges a delivery of the buffer queue (ok), or gives it back to the broker
    // (requeued). Thread-safe; a delivery of a connection since lost is not settled (the
    // broker has given it to a consumer again).
    using Settle = std::function<void(bool ok)>;
    // Takes an event off the exchange; returns why it was refused (an unknown tenant), or
    // an empty string. `settle` is set for Delivery::Buffer only: unless the event is
    // refused, the handler calls it once, when it is done with the event.
    using EventHandler =
        std::function<QString(DomainEvent &&event, Delivery delivery, Settle settle)>;
    // Ok, or the reason it was not published. Runs on the bus thread (or the thread that
    // stops the bus, or at once on the publisher's): the publisher takes it back to its
    // own thread (Ingress::publish: http::Worker::run).
    using PublishDone = std::function<void(bool ok, const QString &error)>;

    AmqpBus(BusSettings settings, EventHandler onEvent, QObject *parent = nullptr);
    ~AmqpBus() override;

    // Checks the URL; false with *error when it is unusable. Then connects in the background.
    bool start(QString *error);
    void stop();

    State state() const { return m_state.load(std::memory_order_relaxed); }
    static QString stateName(State state);
    QString lastError() const;
    quint64 received() const { return m_received.load(std::memory_order_relaxed); }
    quint64 malformed() const { return m_malformed.load(std::memory_order_relaxed); }
    quint64 published() const { return m_published.load(std::memory_order_relaxed); }
    quint64 reconnects() const { return m_reconnects.load(std::memory_order_relaxed); }
    // Publishes failed by a nack, a confirm timeout or a lost connection after writing.
    quint64 unconfirmed() const { return m_unconfirmed.load(std::memory_order_relaxed); }
    // Times the broker was dropped for not answering (heartbeat or confirm timeout).
    quint64 stalls() const { return m_stalls.load(std::memory_order_relaxed); }
    // Is the shared queue (BusSettings::sharedQueue) being consumed?
    bool sharedActive() const { return m_sharedActive.load(std::memory_order_relaxed); }

    // Thread-safe. Queues `event` for the exchange; `done` runs once the broker has
    // confirmed the message (ok), or when it refused it, did not confirm it in time or the
    // connection was lost (not ok), or at once when the bus is down.
    void publish(const DomainEvent &event, const QByteArray &traceparent, PublishDone done);

signals:
    void stateChanged(push::bus::AmqpBus::State state);

private:
    struct Outgoing
    {
        QByteArray routingKey;
        QByteArray body;
        DomainEvent event;
        QByteArray traceparent;
        PublishDone done;
    };
    struct Connection;

    void run();
    QString connect(Connection &connection, const QString &where);
    QString openOwn(Connection &connection, const QByteArray &exchange);
    void openShared(Connection &connection, const QByteArray &exchange);
    QString openBuffer(Connection &connection, const QByteArray &exchange);
    Settle settlerFor(const Connection &connection, uint64_t tag);
    bool settleBuffer(Connection &connection);
    bool serve(Connection &connection);
    bool handleMethod(Connection &connection, const amqp_frame_t &frame);
    void deliver(Connection &connection, const amqp_envelope_t &envelope);
    bool acknowledge(Connection &connection);
    bool drainPublishes(Connection &connection);
    void settle(Connection &connection, uint64_t tag, bool multiple, bool ok);
    bool confirmsOverdue(Connection &connection);
    void failUnconfirmed(Connection &connection, const QString &reason);
    void failPending(const QString &reason);
    void finish(Outgoing &outgoing, bool ok, const QString &error);
    void setState(State state, const QString &error = QString());
    // Why serving stopped, while still connected (the caller then drops the connection).
    void recordError(const QString &error);
    void wake();
    bool sleepFor(int milliseconds); // false when stopping

    BusSettings m_settings;
    EventHandler m_onEvent;
    std::thread m_thread;
    std::atomic<bool> m_stopping{false};
    std::atomic<State> m_state{State::Disconnected};
    std::atomic<quint64> m_received{0};
    std::atomic<quint64> m_malformed{0};
    std::atomic<quint64> m_published{0};
    std::atomic<quint64> m_reconnects{0};
    std::atomic<quint64> m_unconfirmed{0};
    std::atomic<quint64> m_stalls{0};
    std::atomic<bool> m_sharedActive{false};
    QByteArray m_queueName;               // this instance's queue
    std::atomic<quint64> m_generation{0}; // connections made (a settle names its own)
    struct Settled
    {
        quint64 generation = 0;
        uint64_t tag = 0;
        bool ok = false;
    };
    std::deque<Settled> m_settled; // guarded by m_mutex

    mutable std::mutex m_mutex; // guards m_outgoing, m_settled, m_lastError
    std::condition_variable m_wakeup;
    std::deque<Outgoing> m_outgoing;
    QString m_lastError;
    platform::SocketWaiter m_waiter; // interrupts the bus thread's wait for a publish or stop
};

} // namespace push::bus
