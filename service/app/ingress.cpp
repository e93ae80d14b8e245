#include "ingress.h"

#include "config/configsnapshot.h"
#include "http/worker.h"
#include "metrics/metrics.h"
#include "shared/logthrottle.h"
#include "webhooks/webhookdispatcher.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcService)

namespace push::app {

Ingress::Ingress(const config::ConfigRegistry &registry, fanout::Hub &hub, bus::AmqpBus *bus,
                 webhooks::WebhookDispatcher *webhooks)
    : m_registry(registry)
    , m_hub(hub)
    , m_bus(bus)
    , m_webhooks(webhooks)
{}

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
        done({Result::Route::Duplicate, {}, {}});
        return;
    }
    Result result;
    result.published = m_hub.publish(event);
    if (m_webhooks)
        m_webhooks->offer(event);
    done(std::move(result));
}

QString Ingress::fromBroker(DomainEvent &&event, bus::AmqpBus::Delivery delivery)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    const Tenant *tenant = snapshot->findTenant(event.tenantId);
    if (!tenant)
        return QStringLiteral("unknown tenant '%1'").arg(event.tenantId);
    event.tenantId = tenant->urn();
    const bool shared = delivery == bus::AmqpBus::Delivery::Shared;
    Deduplicator &seen = shared ? m_seenShared : m_seenOwn;
    if (!event.id.isEmpty() && !seen.firstSeen(event.id)) {
        if (!shared)
            ++metrics::registry().duplicateEvents;
        return QString();
    }
    if (!shared)
        m_hub.publish(event);
    else if (m_webhooks)
        m_webhooks->offer(event);
    return QString();
}

void Ingress::fromWebhook(DomainEvent &&event)
{
    ++metrics::registry().eventsFromWebhooks;
    if (!m_bus) {
        m_hub.publish(event);
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
