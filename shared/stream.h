#pragma once

#include "shared/criteria.h"
#include "shared/domainevent.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace push {

// One entry of a stream's `events`: which event, its projection and its criteria.
struct StreamEvent
{
    QString eventNamespace;
    QString name;
    QList<std::pair<QString, QString>> map; // projection key -> lodash path, document order
    EventCriteria criteria;                 // empty = no criteria

    QJsonObject toJson() const; // {namespace, name, map?, criteria?}
};

struct Stream
{
    QString id;
    QString name;
    QString description;
    bool publicSubscribe = false;
    QStringList subscriberRoles;
    QList<StreamEvent> events;

    // {id, name, description, publicSubscribe, subscriberRoles, events}; description is
    // left out when empty. This is the shape GET /stream/v1/streams returns.
    QJsonObject toJson() const;
    // Reads an already-validated stream object (see validateConfiguration). Missing events
    // or subscriberRoles mean empty lists.
    static Stream fromJson(const QJsonObject &object);

    // The first stream event that carries `event` for tenant context `tenantUrn` (empty =
    // cross-tenant: no tenant filter): same namespace and name, and its criteria match the
    // event (adsp-compatibility.md "Which events a stream carries"). nullptr if none.
    const StreamEvent *match(const DomainEvent &event, const QString &tenantUrn) const;
};

// What a subscriber receives for `event` carried by `streamEvent` (adsp-compatibility.md
// "What a subscriber receives"): no map -> event.toJson(); with map -> {tenantId, namespace, name,
// correlationId?, context?} plus each map key = value at its path in event.toJson(),
// left out when the path resolves to nothing.
QJsonObject project(const StreamEvent &streamEvent, const DomainEvent &event);

// lodash _.get-style path lookup: `payload.a.b`, `payload.items[0].id`, `a["b.c"]`,
// `a['b']`, `items.0.id`. Returns std::nullopt when any step is missing or the path is
// malformed. A present JSON null resolves to QJsonValue::Null (not nullopt).
std::optional<QJsonValue> valueAtPath(const QJsonValue &root, QStringView path);

} // namespace push
