#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace push {

// ADSP's EventCriteria: {correlationId?, context?}. Used by stream events, subscriber
// filters and webhooks alike (adsp-compatibility.md "Criteria match").
struct EventCriteria
{
    QString correlationId; // empty = not set (ADSP treats "" as unset too)
    QJsonObject context;   // every key must equal the event's context[key]

    bool isEmpty() const { return correlationId.isEmpty() && context.isEmpty(); }

    // Reads {correlationId?, context?}. Returns std::nullopt and sets *error (naming the
    // property, prefixed by `where`) when the shape is wrong: not an object, correlationId
    // not a string, context not an object.
    static std::optional<EventCriteria> fromJson(const QJsonValue &value, const QString &where,
                                                 QString *error);
    // Parses the `criteria` query parameter (a JSON text).
    static std::optional<EventCriteria> fromJsonText(const QByteArray &text, QString *error);
    QJsonObject toJson() const;

    // The match rule: true when empty; otherwise correlationId (if set) must equal
    // item["correlationId"], and every context key must strictly equal (same JSON type and
    // value; objects/arrays never equal) item["context"][key].
    bool matches(const QJsonObject &item) const;
    // The same rule on already-extracted fields (hot path: no object lookups by the caller).
    bool matches(const QJsonValue &correlationId, const QJsonObject &context) const;
};

} // namespace push
