#pragma once

#include "shared/criteria.h"
#include "shared/domainevent.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace push {

// The event the service emits after each webhook call; it never triggers webhooks.
inline constexpr auto kWebhookTriggeredNamespace = "push-service";
inline constexpr auto kWebhookTriggeredName = "webhook-triggered";

// One entry of a plain webhook's `events`.
struct WebhookEvent
{
    QString eventNamespace;
    QString name;
    EventCriteria criteria;
};

// A webhook of the configuration key `webhooks` (adsp-compatibility.md "Webhooks"): a plain one
// with `events`, or an application-status one with `targetId`, `intervalMinutes` and
// `eventTypes` ("<namespace>:<name>").
struct Webhook
{
    QString id;
    QString name;
    QString url;
    QString description;
    QList<WebhookEvent> events;
    QString targetId;
    int intervalMinutes = 0; // kept and shown; ADSP's status service uses it, not the push
    QStringList eventTypes;
    bool fromCore = false; // of the core document (set by whoever combines documents)

    bool isApplicationStatus() const { return !targetId.isEmpty(); }
    // The url is http:// or https:// (only such webhooks fire).
    bool hasHttpUrl() const;
    // Does `event` trigger this webhook? Plain: some entry matches namespace, name and
    // criteria. Application status: "<namespace>:<name>" is among eventTypes and
    // payload.application.appKey or payload.application.id equals targetId. Never for
    // push-service:webhook-triggered, never without an http(s) url.
    bool triggeredBy(const DomainEvent &event) const;

    static Webhook fromJson(const QJsonObject &object); // an already-validated object
    QJsonObject toJson() const;
};

// The webhooks of a validated configuration document (its `webhooks` key: an object
// keyed by id, or an array), in document order.
QList<Webhook> webhooksFromConfiguration(const QJsonObject &document);

// The push-service:webhook-triggered event for one call (adsp-compatibility.md): correlationId =
// the trigger's or the webhook id, context {name}, payload {webhook:{name,url,targetId},
// trigger:{namespace,name,correlationId,context}, response:{status,statusCode,timestamp},
// responseTime}. `status` is the HTTP reason phrase, or what went wrong when there was no
// answer (then statusCode is 0).
DomainEvent webhookTriggeredEvent(const Webhook &webhook, const DomainEvent &trigger,
                                  const QString &status, int statusCode,
                                  const QDateTime &answeredAt, qint64 responseTimeMs);

} // namespace push
