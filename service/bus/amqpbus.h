#pragma once

#include "domainevent.h"

#include <QByteArray>
#include <QObject>
#include <QString>

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
    // A queue shared by every instance (each event reaches one of them), for what must
    // happen once per event rather than once per instance: webhook calls. Empty: none.
    QString sharedQueue;
};

// RabbitMQ through rabbitmq-c (librabbitmq) on a thread of its own: it connects, declares
// the topic exchange, binds an exclusive server-named queue with '#', and hands every
// delivery to `onEvent` (on the bus thread; the hub is thread-safe). Malformed messages
// are logged and acknowledged (dropped). Publishing goes through the same thread on a
// second channel. When the broker goes away it reconnects with a doubling backoff
// (1 s to 30 s). The blocking library calls never touch a Qt event loop: measured in
// docs/event-bus.md.
class AmqpBus final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AmqpBus)

public:
    enum class State { Disconnected, Connecting, Connected };
    // Which queue a delivery came from: this instance's own (for its subscribers) or the
    // shared one (once across instances).
    enum class Delivery { Own, Shared };
    // Takes an event off the exchange; returns why it was refused (an unknown tenant), or
    // an empty string.
    using EventHandler = std::function<QString(DomainEvent &&event, Delivery delivery)>;
    // Runs on `context`'s thread: ok, or the reason it was not published.
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
    // Is the shared queue (BusSettings::sharedQueue) being consumed?
    bool sharedActive() const { return m_sharedActive.load(std::memory_order_relaxed); }

    // Thread-safe. Queues `event` for the exchange; `done` runs on `context`'s thread once
    // the message is written to the broker connection, or at once when the bus is down.
    void publish(const DomainEvent &event, const QByteArray &traceparent, QObject *context,
                 PublishDone done);

signals:
    void stateChanged(push::bus::AmqpBus::State state);

private:
    struct Outgoing
    {
        QByteArray routingKey;
        QByteArray body;
        DomainEvent event;
        QByteArray traceparent;
        QObject *context = nullptr;
        PublishDone done;
    };
    struct Connection;

    void run();
    void openShared(Connection &connection, const QByteArray &exchange);
    bool serve(Connection &connection);
    bool drainPublishes(Connection &connection);
    void failPending(const QString &reason);
    void finish(Outgoing &outgoing, bool ok, const QString &error);
    void setState(State state, const QString &error = QString());
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
    std::atomic<bool> m_sharedActive{false};

    mutable std::mutex m_mutex; // guards m_outgoing, m_lastError
    std::condition_variable m_wakeup;
    std::deque<Outgoing> m_outgoing;
    QString m_lastError;
    int m_wakeFds[2] = {-1, -1}; // a pipe that interrupts poll() for a publish or stop
};

} // namespace push::bus
