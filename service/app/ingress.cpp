#include "ingress.h"

#include "config/configsnapshot.h"
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

void Ingress::publish(const DomainEvent &event, const QByteArray &traceparent, QObject *context,
                      std::function<void(Result)> done)
{
    if (m_bus) {
        // Through the exchange, like ADSP's event service: every instance (this one too)
        // and any other consumer sees it. The answer waits until the broker has it.
        m_bus->publish(event, traceparent, context,
                       [done = std::move(done)](bool ok, const QString &error) {
                           Result result;
                           result.route = ok ? Result::Route::Broker : Result::Route::Failed;
                           result.error = error;
                           done(std::move(result));
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
    m_bus->publish(event, QByteArray(), &m_answers, [](bool ok, const QString &error) {
        static LogThrottle throttle;
        if (!ok)
            if (const int held = throttle.allow(); held >= 0)
                qCWarning(lcService).noquote()
                    << "a webhook-triggered event was not published:" << error
                    << LogThrottle::suppressed(held);
    });
}

} // namespace push::app
