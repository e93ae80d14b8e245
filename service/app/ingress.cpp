#include "ingress.h"

#include "config/configsnapshot.h"
#include "http/worker.h"
#include "metrics/metrics.h"
#include "resume/replaylog.h"
#include "shared/logthrottle.h"
#include "webhooks/webhookdispatcher.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcService)

namespace push::app {

Ingress::Ingress(const config::ConfigRegistry &registry, fanout::Hub &hub, bus::AmqpBus *bus,
                 webhooks::WebhookDispatcher *webhooks, resume::ReplayLog *log)
    : m_registry(registry)
    , m_hub(hub)
    , m_bus(bus)
    , m_webhooks(webhooks)
    , m_log(log)
{}

int Ingress::carried(const DomainEvent &event) const
{
    const config::SnapshotPtr snapshot = m_registry.current();
    const Tenant *tenant = snapshot->findTenant(event.tenantId);
    if (!tenant)
        return 0;
    int streams = 0;
    for (const Stream &stream : snapshot->streamsFor(tenant->id)) {
        if (stream.match(event, event.tenantId))
            ++streams;
    }
    return streams;
}

void Ingress::toHub(const DomainEvent &event, std::function<void(Result)> done)
{
    if (!m_log) {
        Result result;
        result.published = m_hub.publish(event);
        done(std::move(result));
        return;
    }
    // Only what some stream of the tenant carries is kept (the cross-tenant instances
    // are not resumable). A shared log's entries reach the tenant's streams from the log
    // (on every instance, ReplayLog::follow); the rest goes to the hub from here.
    const int streams = carried(event);
    const bool logged = streams > 0;
    const bool shared = m_log->isShared();
    const bool queued = m_log->append(
        event, logged,
        [this, event, done, logged, shared, streams](const resume::Appended &appended) {
            Result result;
            if (!appended.error.isEmpty()) {
                result.route = Result::Route::Failed;
                result.error = appended.error;
            } else if (appended.duplicate) {
                ++metrics::registry().duplicateEvents;
                result.route = Result::Route::Duplicate;
            } else if (shared) {
                // The tenant's streams get it from the log, on every instance.
                result.published = m_hub.publish(
                    event, {}, logged ? fanout::Hub::Scope::CrossTenant : fanout::Hub::Scope::All);
                if (logged)
                    result.published.streams += streams;
            } else {
                result.published = m_hub.publish(event, appended.cursor);
            }
            if (appended.cursor)
                result.cursor = appended.cursor->toString();
            done(std::move(result));
        });
    if (!queued)
        done({Result::Route::Failed,
              {},
              {},
              QStringLiteral("the replay log is busy: too many events waiting to be written")});
}

// A delivery of the buffer queue: into the shared log, and acknowledged once it is there.
// The broker redelivers what was not acknowledged (this instance stopped, the connection
// was lost), and the log appends an event with an id once. While the log cannot be
// written, the event is tried again, less often each time; the unacknowledged deliveries
// (the queue's prefetch) wait, and the broker keeps the rest.
void Ingress::toSharedLog(const DomainEvent &event, bus::AmqpBus::Settle settle, int attempt)
{
    if (carried(event) == 0) {
        settle(true);
        return;
    }
    const bool queued = m_log->append(
        event, true, [this, event, settle, attempt](const resume::Appended &appended) {
            if (appended.error.isEmpty()) {
                settle(true);
                return;
            }
            static LogThrottle throttle;
            if (const int held = throttle.allow(); held >= 0)
                qCWarning(lcService).noquote()
                    << "an event off the buffer queue is not in the log yet:" << appended.error
                    << LogThrottle::suppressed(held);
            m_log->later(
                std::min(250 << std::min(attempt, 3), 2000),
                [this, event, settle, attempt] { toSharedLog(event, settle, attempt + 1); });
        });
    if (!queued)
        settle(false); // the writer's queue is full: back to the broker
}

void Ingress::publish(const DomainEvent &event, const QByteArray &traceparent, http::Worker *worker,
                      std::function<void(Result)> done)
{
    if (m_bus) {
        // Through the exchange, like ADSP's event service: every instance (this one too)
        // and any other consumer sees it. The answer waits until the broker has it.
        m_bus->publish(event, traceparent,
                       [worker, done = std::move(done)](bool ok, const QString &error) mutable {
                           Result result;
                           result.route = ok ? Result::Route::Broker : Result::Route::Failed;
                           result.error = error;
                           worker->run([done = std::move(done), result] { done(result); });
                       });
        return;
    }
    if (!event.id.isEmpty() && !m_seenApi.firstSeen(event.id)) {
        ++metrics::registry().duplicateEvents;
        done({Result::Route::Duplicate, {}, {}, {}});
        return;
    }
    toHub(event, [this, event, worker, done = std::move(done)](Result result) {
        if (m_webhooks && result.route == Result::Route::Hub)
            m_webhooks->offer(event);
        if (!m_log) {
            done(std::move(result));
            return;
        }
        // Answered on the caller's worker, as through the broker.
        worker->run([done, result = std::move(result)] { done(result); });
    });
}

QString Ingress::fromBroker(DomainEvent &&event, bus::AmqpBus::Delivery delivery,
                            bus::AmqpBus::Settle settle)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    const Tenant *tenant = snapshot->findTenant(event.tenantId);
    if (!tenant)
        return QStringLiteral("unknown tenant '%1'").arg(event.tenantId);
    event.tenantId = tenant->urn();
    if (delivery == bus::AmqpBus::Delivery::Buffer) {
        toSharedLog(event, std::move(settle), 0);
        return QString();
    }
    const bool shared = delivery == bus::AmqpBus::Delivery::Shared;
    Deduplicator &seen = shared ? m_seenShared : m_seenOwn;
    if (!event.id.isEmpty() && !seen.firstSeen(event.id)) {
        if (!shared)
            ++metrics::registry().duplicateEvents;
        return QString();
    }
    if (!shared && m_log && m_log->isShared())
        // The tenant's streams get it from the shared log (the buffer queue fed it).
        m_hub.publish(event, {},
                      carried(event) > 0 ? fanout::Hub::Scope::CrossTenant
                                         : fanout::Hub::Scope::All);
    else if (!shared)
        toHub(event, [](const Result &result) {
            static LogThrottle throttle;
            if (result.route == Result::Route::Failed)
                if (const int held = throttle.allow(); held >= 0)
                    qCWarning(lcService).noquote()
                        << "an event off the broker was not delivered:" << result.error
                        << LogThrottle::suppressed(held);
        });
    else if (m_webhooks)
        m_webhooks->offer(event);
    return QString();
}

void Ingress::fromWebhook(DomainEvent &&event)
{
    ++metrics::registry().eventsFromWebhooks;
    if (!m_bus) {
        toHub(event, [](const Result &) {});
        return;
    }
    // Not a worker's: the broker's answer is logged on the thread that built the ingress.
    m_bus->publish(event, QByteArray(), [this](bool ok, const QString &error) {
        if (ok)
            return;
        QMetaObject::invokeMethod(
            &m_answers,
            [error] {
                static LogThrottle throttle;
                if (const int held = throttle.allow(); held >= 0)
                    qCWarning(lcService).noquote()
                        << "a webhook-triggered event was not published:" << error
                        << LogThrottle::suppressed(held);
            },
            Qt::QueuedConnection);
    });
}

} // namespace push::app
