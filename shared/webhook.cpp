#include "webhook.h"

#include "shared/configuration.h"
#include "shared/stream.h"

#include <QJsonArray>
#include <QUrl>

namespace push {

bool Webhook::hasHttpUrl() const
{
    const QUrl parsed(url);
    const QString scheme = parsed.scheme().toLower();
    return parsed.isValid() && !parsed.host().isEmpty() &&
           (scheme == QLatin1String("http") || scheme == QLatin1String("https"));
}

bool Webhook::triggeredBy(const DomainEvent &event) const
{
    if (event.eventNamespace == QLatin1String(kWebhookTriggeredNamespace) &&
        event.name == QLatin1String(kWebhookTriggeredName))
        return false;
    if (!hasHttpUrl())
        return false;
    if (isApplicationStatus()) {
        if (!eventTypes.contains(event.eventNamespace + QLatin1Char(':') + event.name))
            return false;
        const QJsonObject application =
            event.payload.toObject().value(QLatin1String("application")).toObject();
        for (const char *key : {"appKey", "id"}) {
            const QJsonValue value = application.value(QLatin1String(key));
            if (value.isString() && value.toString() == targetId)
                return true;
        }
        return false;
    }
    const QJsonValue correlationId = event.correlationId.isNull()
                                         ? QJsonValue(QJsonValue::Undefined)
                                         : QJsonValue(event.correlationId);
    for (const WebhookEvent &entry : events) {
        if (entry.eventNamespace == event.eventNamespace && entry.name == event.name &&
            entry.criteria.matches(correlationId, event.context))
            return true;
    }
    return false;
}

Webhook Webhook::fromJson(const QJsonObject &object)
{
    Webhook webhook;
    webhook.id = object.value(QLatin1String("id")).toString();
    webhook.name = object.value(QLatin1String("name")).toString();
    webhook.url = object.value(QLatin1String("url")).toString();
    webhook.description = object.value(QLatin1String("description")).toString();
    for (const QJsonValue &value : object.value(QLatin1String("events")).toArray()) {
        const QJsonObject entry = value.toObject();
        WebhookEvent event;
        event.eventNamespace = entry.value(QLatin1String("namespace")).toString();
        event.name = entry.value(QLatin1String("name")).toString();
        QString ignored;
        if (auto criteria = EventCriteria::fromJson(entry.value(QLatin1String("criteria")),
                                                    QString(), &ignored))
            event.criteria = *criteria;
        webhook.events.append(event);
    }
    webhook.targetId = object.value(QLatin1String("targetId")).toString();
    webhook.intervalMinutes = object.value(QLatin1String("intervalMinutes")).toInt();
    for (const QJsonValue &value : object.value(QLatin1String("eventTypes")).toArray())
        webhook.eventTypes.append(value.toObject().value(QLatin1String("id")).toString());
    return webhook;
}

QJsonObject Webhook::toJson() const
{
    QJsonObject json{
        {QStringLiteral("id"), id}, {QStringLiteral("name"), name}, {QStringLiteral("url"), url}};
    if (!description.isEmpty())
        json.insert(QStringLiteral("description"), description);
    if (isApplicationStatus()) {
        json.insert(QStringLiteral("targetId"), targetId);
        json.insert(QStringLiteral("intervalMinutes"), intervalMinutes);
        QJsonArray types;
        for (const QString &type : eventTypes)
            types.append(QJsonObject{{QStringLiteral("id"), type}});
        json.insert(QStringLiteral("eventTypes"), types);
    }
    if (!events.isEmpty() || !isApplicationStatus()) {
        QJsonArray list;
        for (const WebhookEvent &event : events) {
            QJsonObject entry{{QStringLiteral("namespace"), event.eventNamespace},
                              {QStringLiteral("name"), event.name}};
            if (!event.criteria.isEmpty())
                entry.insert(QStringLiteral("criteria"), event.criteria.toJson());
            list.append(entry);
        }
        json.insert(QStringLiteral("events"), list);
    }
    return json;
}

QList<Webhook> webhooksFromConfiguration(const QJsonObject &document)
{
    QList<Webhook> webhooks;
    const QJsonValue value = document.value(QLatin1String(kWebhooksKey));
    if (value.isArray()) {
        for (const QJsonValue &entry : value.toArray())
            webhooks.append(Webhook::fromJson(entry.toObject()));
    } else if (value.isObject()) {
        const QJsonObject byId = value.toObject();
        for (auto it = byId.constBegin(); it != byId.constEnd(); ++it)
            webhooks.append(Webhook::fromJson(it.value().toObject()));
    }
    return webhooks;
}

DomainEvent webhookTriggeredEvent(const Webhook &webhook, const DomainEvent &trigger,
                                  const QString &status, int statusCode,
                                  const QDateTime &answeredAt, qint64 responseTimeMs)
{
    DomainEvent event;
    event.tenantId = trigger.tenantId;
    event.eventNamespace = QLatin1String(kWebhookTriggeredNamespace);
    event.name = QLatin1String(kWebhookTriggeredName);
    event.timestamp = QDateTime::currentDateTimeUtc();
    event.correlationId = trigger.correlationId.isEmpty() ? webhook.id : trigger.correlationId;
    event.context = {{QStringLiteral("name"), webhook.name}};
    QJsonObject triggerJson{{QStringLiteral("namespace"), trigger.eventNamespace},
                            {QStringLiteral("name"), trigger.name}};
    if (!trigger.correlationId.isNull())
        triggerJson.insert(QStringLiteral("correlationId"), trigger.correlationId);
    if (!trigger.context.isEmpty())
        triggerJson.insert(QStringLiteral("context"), trigger.context);
    QJsonObject webhookJson{{QStringLiteral("name"), webhook.name},
                            {QStringLiteral("url"), webhook.url}};
    if (!webhook.targetId.isEmpty())
        webhookJson.insert(QStringLiteral("targetId"), webhook.targetId);
    event.payload = QJsonObject{
        {QStringLiteral("webhook"), webhookJson},
        {QStringLiteral("trigger"), triggerJson},
        {QStringLiteral("response"),
         QJsonObject{{QStringLiteral("status"), status},
                     {QStringLiteral("statusCode"), statusCode},
                     {QStringLiteral("timestamp"), DomainEvent::formatTimestamp(answeredAt)}}},
        {QStringLiteral("responseTime"), responseTimeMs},
    };
    return event;
}

} // namespace push
