#include "domainevent.h"

#include <QRegularExpression>
#include <QTimeZone>

namespace push {

namespace {

// The shapes of ISO-8601 date-time we take: date 'T' time, optional seconds and fraction,
// optional 'Z' or offset. Qt alone would also take a bare date or a space separator.
const QRegularExpression &isoDateTimePattern()
{
    static const QRegularExpression pattern(QStringLiteral(
        R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$)"));
    return pattern;
}

std::optional<QDateTime> parseTimestamp(const QString &text)
{
    if (!isoDateTimePattern().match(text).hasMatch())
        return std::nullopt;
    QDateTime parsed = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!parsed.isValid())
        return std::nullopt;
    // No offset given: read as UTC rather than as the server's local time.
    if (parsed.timeSpec() == Qt::LocalTime)
        parsed = QDateTime(parsed.date(), parsed.time(), QTimeZone::utc());
    return parsed.toUTC();
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

bool readRequiredString(const QJsonObject &body, const QString &key, QString *out, QString *error)
{
    const QJsonValue value = body.value(key);
    if (value.isUndefined() || value.isNull())
        return fail(error, QStringLiteral("%1 is required").arg(key));
    if (!value.isString() || value.toString().isEmpty())
        return fail(error, QStringLiteral("%1 must be a non-empty string").arg(key));
    *out = value.toString();
    return true;
}

bool readContext(const QJsonValue &value, QJsonObject *out, QString *error)
{
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isObject())
        return fail(error, QStringLiteral("context must be an object"));
    const QJsonObject context = value.toObject();
    for (auto it = context.constBegin(); it != context.constEnd(); ++it) {
        const QJsonValue::Type type = it.value().type();
        if (type != QJsonValue::String && type != QJsonValue::Double && type != QJsonValue::Bool &&
            type != QJsonValue::Null) {
            return fail(
                error,
                QStringLiteral("context.%1 must be a string, number or boolean").arg(it.key()));
        }
    }
    *out = context;
    return true;
}

} // namespace

QJsonObject DomainEvent::toJson() const
{
    QJsonObject object{
        {QLatin1String("tenantId"), tenantId},
        {QLatin1String("namespace"), eventNamespace},
        {QLatin1String("name"), name},
        {QLatin1String("timestamp"), formatTimestamp(timestamp)},
    };
    if (!correlationId.isNull())
        object.insert(QLatin1String("correlationId"), correlationId);
    if (!context.isEmpty())
        object.insert(QLatin1String("context"), context);
    object.insert(QLatin1String("payload"),
                  payload.isUndefined() ? QJsonValue(QJsonObject()) : payload);
    return object;
}

std::optional<DomainEvent> DomainEvent::fromJson(const QJsonObject &body, QString *error)
{
    DomainEvent event;
    if (!readRequiredString(body, QStringLiteral("namespace"), &event.eventNamespace, error) ||
        !readRequiredString(body, QStringLiteral("name"), &event.name, error)) {
        return std::nullopt;
    }

    const QJsonValue timestamp = body.value(QLatin1String("timestamp"));
    if (timestamp.isUndefined() || timestamp.isNull()) {
        fail(error, QStringLiteral("timestamp is required"));
        return std::nullopt;
    }
    const std::optional<QDateTime> parsed =
        timestamp.isString() ? parseTimestamp(timestamp.toString()) : std::nullopt;
    if (!parsed) {
        fail(error, QStringLiteral("timestamp must be an ISO-8601 date-time"));
        return std::nullopt;
    }
    event.timestamp = *parsed;

    const QJsonValue correlationId = body.value(QLatin1String("correlationId"));
    if (correlationId.isString()) {
        event.correlationId = correlationId.toString();
    } else if (!correlationId.isUndefined() && !correlationId.isNull()) {
        fail(error, QStringLiteral("correlationId must be a string"));
        return std::nullopt;
    }

    const QJsonValue id = body.value(QLatin1String("id"));
    if (id.isString() && !id.toString().isEmpty()) {
        event.id = id.toString();
    } else if (!id.isUndefined() && !id.isNull()) {
        fail(error, QStringLiteral("id must be a non-empty string"));
        return std::nullopt;
    }

    if (!readContext(body.value(QLatin1String("context")), &event.context, error))
        return std::nullopt;

    const QJsonValue payload = body.value(QLatin1String("payload"));
    if (payload.isUndefined() || payload.isNull()) {
        fail(error, QStringLiteral("payload is required"));
        return std::nullopt;
    }
    if (!payload.isObject()) {
        fail(error, QStringLiteral("payload must be an object"));
        return std::nullopt;
    }
    event.payload = payload;
    return event;
}

QString DomainEvent::formatTimestamp(const QDateTime &timestamp)
{
    if (!timestamp.isValid())
        return QString();
    return timestamp.toUTC().toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"));
}

} // namespace push
