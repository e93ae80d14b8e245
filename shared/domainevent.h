#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace push {

// A domain event as ADSP's event service defines it (adsp-compatibility.md "Domain event").
struct DomainEvent
{
    QString tenantId; // the tenant URN: urn:ads:platform:tenant-service:v2:/tenants/<id>
    QString eventNamespace;
    QString name;
    QDateTime timestamp;   // UTC
    QString correlationId; // null QString = absent
    QJsonObject context;   // flat: string/number/boolean values
    QJsonValue payload;    // normally an object
    // The publisher's id for the event (optional; null = absent): a repeat within a window
    // is delivered once. Travels as the AMQP message-id; not part of toJson().
    QString id;

    // {tenantId, namespace, name, timestamp (ISO-8601 UTC with milliseconds and 'Z', as
    // JavaScript's Date serialises), correlationId?, context?, payload}. correlationId is
    // left out when null, context when the event has none.
    QJsonObject toJson() const;

    // Validates an incoming body {namespace, name, timestamp, correlationId?, context?,
    // payload, tenantId?, id?}. Rules: namespace and name non-empty strings; timestamp a string
    // that parses as ISO-8601 (with or without milliseconds/offset); correlationId a
    // string if present; id a non-empty string if present; context an object whose values are
    // strings, numbers or booleans (null allowed); payload present and an object. `tenantId` is NOT
    // read here (the caller decides the tenant). On failure returns nullopt and *error names the
    // property, e.g. "timestamp must be an ISO-8601 date-time".
    static std::optional<DomainEvent> fromJson(const QJsonObject &body, QString *error);

    // ISO-8601 with milliseconds and 'Z', e.g. 2026-11-26T20:25:03.000Z
    static QString formatTimestamp(const QDateTime &timestamp);
};

} // namespace push
