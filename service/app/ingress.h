#pragma once

#include "bus/amqpbus.h"
#include "fanout/hub.h"
#include "shared/deduplicator.h"
#include "shared/domainevent.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>

namespace push::config {
class ConfigRegistry;
}

namespace push::http {
class Worker;
}

namespace push::webhooks {
class WebhookDispatcher;
}

namespace push::resume {
class ReplayLog;
}

namespace push::app {

// Where an event goes, decided in one place for every way in: the API's POST, the
// broker's queues, and the events webhooks trigger. Built once with what it routes to.
//
// Without a broker, an event goes to this instance's hub and its webhooks. With one, it
// goes to the exchange, and comes back from this instance's own queue (to the hub) and
// from the queue the instances share (to the webhooks: each is called once, whatever
// the number of instances).
//
// With a replay log (docs/resume.md), every event on its way to the hub goes through the
// log's writer first, in order: the events some stream of their tenant carries are
// appended, and each reaches the hub, with its cursor, once its batch is committed. A log
// shared by instances (Redis) is fed from the buffer queue the instances share (or from
// the POST, without a broker), and the tenants' streams are fed from it, on every
// instance; this instance's own queue then feeds the cross-tenant context only.
class Ingress
{
public:
    // `bus`, `webhooks` and `log` may be null (HTTP ingest only; no webhook dispatcher; no
    // resume). Called from any thread: the snapshot, the hub, the bus, the dispatcher and
    // the log are thread-safe.
    Ingress(const config::ConfigRegistry &registry, fanout::Hub &hub, bus::AmqpBus *bus,
            webhooks::WebhookDispatcher *webhooks, resume::ReplayLog *log = nullptr);
    Ingress(const Ingress &) = delete;
    Ingress &operator=(const Ingress &) = delete;

    struct Result
    {
        enum class Route { Hub, Broker, Duplicate, Failed };
        Route route = Route::Hub;
        fanout::Hub::Published published; // Route::Hub
        QByteArray cursor;                // Route::Hub, when the log has the event
        QString error;                    // Route::Failed
    };
    // An event from the API, its tenant resolved, on `worker`'s thread. `done` runs at
    // once, or (through the broker) back on the worker (Worker::run) when the broker has
    // confirmed or refused it.
    void publish(const DomainEvent &event, const QByteArray &traceparent, http::Worker *worker,
                 std::function<void(Result)> done);
    // An event off one of the broker's queues (the bus thread); why it was refused, or an
    // empty string.
    QString fromBroker(DomainEvent &&event, bus::AmqpBus::Delivery delivery,
                       bus::AmqpBus::Settle settle = {});
    // An event a webhook's answer triggered (the dispatcher's thread).
    void fromWebhook(DomainEvent &&event);

private:
    // To this instance's hub: through the log when there is one. `done` runs on the log's
    // writer thread, or at once without a log.
    void toHub(const DomainEvent &event, std::function<void(Result)> done);
    void toSharedLog(const DomainEvent &event, bus::AmqpBus::Settle settle, int attempt);
    // How many streams of the event's tenant carry it (some: the log keeps it).
    int carried(const DomainEvent &event) const;

    const config::ConfigRegistry &m_registry;
    fanout::Hub &m_hub;
    bus::AmqpBus *m_bus;
    webhooks::WebhookDispatcher *m_webhooks;
    resume::ReplayLog *m_log;
    QObject m_answers; // on the thread that built the ingress: the broker's answers to
                       // webhook-triggered events are logged there
    // Event ids seen lately: from the API (without a broker), from this instance's queue
    // and from the shared one. A publisher retrying after a timeout, or the broker
    // redelivering after a crash: the same id within the window is delivered once.
    Deduplicator m_seenApi{100000, std::chrono::minutes(5)};
    Deduplicator m_seenOwn{100000, std::chrono::minutes(5)};
    Deduplicator m_seenShared{100000, std::chrono::minutes(5)};
};

} // namespace push::app
