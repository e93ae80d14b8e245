#include "criteria.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace push {

namespace {

// JavaScript's `===` on JSON values as ADSP applies it: same type and value for scalars;
// objects and arrays are compared by reference there, so a criteria object never equals.
bool strictlyEqual(const QJsonValue &expected, const QJsonValue &actual)
{
    switch (expected.type()) {
    case QJsonValue::Null:
        return actual.isNull();
    case QJsonValue::Bool:
        return actual.isBool() && actual.toBool() == expected.toBool();
    case QJsonValue::Double:
        return actual.isDouble() && actual.toDouble() == expected.toDouble();
    case QJsonValue::String:
        return actual.isString() && actual.toString() == expected.toString();
    case QJsonValue::Array:
    case QJsonValue::Object:
    case QJsonValue::Undefined:
        return false;
    }
    return false;
}

QString join(const QString &where, const QString &property)
{
    return where.isEmpty() ? property : where + QLatin1Char('.') + property;
}

} // namespace

std::optional<EventCriteria> EventCriteria::fromJson(const QJsonValue &value, const QString &where,
                                                     QString *error)
{
    const QString name = where.isEmpty() ? QStringLiteral("criteria") : where;
    // A missing or null criteria is no criteria (ADSP: `!criteria` matches everything).
    if (value.isUndefined() || value.isNull())
        return EventCriteria{};
    if (!value.isObject()) {
        if (error)
            *error = QStringLiteral("%1 must be an object").arg(name);
        return std::nullopt;
    }
    const QJsonObject object = value.toObject();
    EventCriteria criteria;

    const QJsonValue correlationId = object.value(QLatin1String("correlationId"));
    if (correlationId.isString()) {
        criteria.correlationId = correlationId.toString();
    } else if (!correlationId.isUndefined() && !correlationId.isNull()) {
        if (error)
            *error = QStringLiteral("%1 must be a string").arg(join(name, "correlationId"));
        return std::nullopt;
    }

    const QJsonValue context = object.value(QLatin1String("context"));
    if (context.isObject()) {
        criteria.context = context.toObject();
    } else if (!context.isUndefined() && !context.isNull()) {
        if (error)
            *error = QStringLiteral("%1 must be an object").arg(join(name, "context"));
        return std::nullopt;
    }
    return criteria;
}

std::optional<EventCriteria> EventCriteria::fromJsonText(const QByteArray &text, QString *error)
{
    const QByteArray trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed == "null")
        return EventCriteria{};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(trimmed, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = QStringLiteral("criteria is not valid JSON: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    if (!document.isObject()) {
        if (error)
            *error = QStringLiteral("criteria must be an object");
        return std::nullopt;
    }
    return fromJson(document.object(), QStringLiteral("criteria"), error);
}

QJsonObject EventCriteria::toJson() const
{
    QJsonObject object;
    if (!correlationId.isEmpty())
        object.insert(QLatin1String("correlationId"), correlationId);
    if (!context.isEmpty())
        object.insert(QLatin1String("context"), context);
    return object;
}

bool EventCriteria::matches(const QJsonObject &item) const
{
    if (isEmpty())
        return true;
    return matches(item.value(QLatin1String("correlationId")),
                   item.value(QLatin1String("context")).toObject());
}

bool EventCriteria::matches(const QJsonValue &itemCorrelationId,
                            const QJsonObject &itemContext) const
{
    if (!correlationId.isEmpty() &&
        !(itemCorrelationId.isString() && itemCorrelationId.toString() == correlationId))
        return false;
    for (auto it = context.constBegin(); it != context.constEnd(); ++it) {
        const auto found = itemContext.constFind(it.key());
        if (found == itemContext.constEnd() || !strictlyEqual(it.value(), found.value()))
            return false;
    }
    return true;
}

} // namespace push
