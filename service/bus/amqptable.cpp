#include "amqptable.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

#include <cmath>

namespace push::bus {

namespace {

QString text(const amqp_bytes_t &bytes)
{
    return QString::fromUtf8(static_cast<const char *>(bytes.bytes), qsizetype(bytes.len));
}

QJsonObject tableToJson(const amqp_table_t &table)
{
    QJsonObject object;
    for (int i = 0; i < table.num_entries; ++i)
        object.insert(text(table.entries[i].key), fieldToJson(table.entries[i].value));
    return object;
}

} // namespace

QByteArray routingKey(const DomainEvent &event)
{
    return (event.eventNamespace + QLatin1Char('.') + event.name + QLatin1Char('.') +
            event.tenantId)
        .toUtf8();
}

QJsonValue fieldToJson(const amqp_field_value_t &value)
{
    switch (value.kind) {
    case AMQP_FIELD_KIND_BOOLEAN:
        return bool(value.value.boolean);
    case AMQP_FIELD_KIND_I8:
        return int(value.value.i8);
    case AMQP_FIELD_KIND_U8:
        return int(value.value.u8);
    case AMQP_FIELD_KIND_I16:
        return int(value.value.i16);
    case AMQP_FIELD_KIND_U16:
        return int(value.value.u16);
    case AMQP_FIELD_KIND_I32:
        return qint64(value.value.i32);
    case AMQP_FIELD_KIND_U32:
        return qint64(value.value.u32);
    case AMQP_FIELD_KIND_I64:
        return qint64(value.value.i64);
    case AMQP_FIELD_KIND_U64:
        return double(value.value.u64);
    case AMQP_FIELD_KIND_F32:
        return double(value.value.f32);
    case AMQP_FIELD_KIND_F64:
        return value.value.f64;
    case AMQP_FIELD_KIND_DECIMAL:
        return double(value.value.decimal.value) / std::pow(10.0, value.value.decimal.decimals);
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
        return text(value.value.bytes);
    case AMQP_FIELD_KIND_TIMESTAMP:
        return DomainEvent::formatTimestamp(
            QDateTime::fromSecsSinceEpoch(qint64(value.value.u64), QTimeZone::utc()));
    case AMQP_FIELD_KIND_TABLE:
        return tableToJson(value.value.table);
    case AMQP_FIELD_KIND_ARRAY: {
        QJsonArray array;
        for (int i = 0; i < value.value.array.num_entries; ++i)
            array.append(fieldToJson(value.value.array.entries[i]));
        return array;
    }
    case AMQP_FIELD_KIND_VOID:
    default:
        return QJsonValue(QJsonValue::Null);
    }
}

amqp_bytes_t HeaderTable::keep(const QByteArray &bytes)
{
    m_bytes.push_back(bytes);
    return amqp_bytes_t{size_t(m_bytes.back().size()),
                        const_cast<char *>(m_bytes.back().constData())};
}

amqp_field_value_t HeaderTable::field(const QJsonValue &value)
{
    amqp_field_value_t result{};
    switch (value.type()) {
    case QJsonValue::Bool:
        result.kind = AMQP_FIELD_KIND_BOOLEAN;
        result.value.boolean = value.toBool();
        break;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::trunc(d) == d && std::fabs(d) < 9.0e15) {
            result.kind = AMQP_FIELD_KIND_I64;
            result.value.i64 = int64_t(d);
        } else {
            result.kind = AMQP_FIELD_KIND_F64;
            result.value.f64 = d;
        }
        break;
    }
    case QJsonValue::String:
        result.kind = AMQP_FIELD_KIND_UTF8;
        result.value.bytes = keep(value.toString().toUtf8());
        break;
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        m_subtables.emplace_back();
        std::vector<amqp_table_entry_t> &entries = m_subtables.back();
        for (auto it = object.begin(); it != object.end(); ++it)
            entries.push_back(amqp_table_entry_t{keep(it.key().toUtf8()), field(it.value())});
        result.kind = AMQP_FIELD_KIND_TABLE;
        result.value.table = amqp_table_t{int(entries.size()), entries.data()};
        break;
    }
    case QJsonValue::Array: // headers never carry arrays in ADSP's format: as JSON text
        result.kind = AMQP_FIELD_KIND_UTF8;
        result.value.bytes = keep(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
        break;
    default:
        result.kind = AMQP_FIELD_KIND_VOID;
        break;
    }
    return result;
}

void HeaderTable::insert(const QString &key, const QJsonValue &value)
{
    const amqp_bytes_t k = keep(key.toUtf8());
    m_entries.push_back(amqp_table_entry_t{k, field(value)});
}

amqp_table_t HeaderTable::table()
{
    return amqp_table_t{int(m_entries.size()), m_entries.data()};
}

HeaderTable messageHeaders(const DomainEvent &event, const QByteArray &traceparent)
{
    HeaderTable headers;
    headers.insert(QStringLiteral("namespace"), event.eventNamespace);
    headers.insert(QStringLiteral("name"), event.name);
    headers.insert(QStringLiteral("tenantId"), event.tenantId);
    if (!event.correlationId.isNull())
        headers.insert(QStringLiteral("correlationId"), event.correlationId);
    headers.insert(QStringLiteral("context"), event.context);
    headers.insert(QStringLiteral("timestamp"), DomainEvent::formatTimestamp(event.timestamp));
    if (!traceparent.isEmpty())
        headers.insert(QStringLiteral("traceparent"), QString::fromLatin1(traceparent));
    return headers;
}

std::optional<DomainEvent> eventFromMessage(const amqp_envelope_t &envelope, QString *error)
{
    const amqp_basic_properties_t &properties = envelope.message.properties;
    if (!(properties._flags & AMQP_BASIC_HEADERS_FLAG)) {
        *error = QStringLiteral("no headers (namespace, name and tenantId are required)");
        return std::nullopt;
    }
    const QJsonObject headers = tableToJson(properties.headers);
    QJsonParseError parseError{};
    const QByteArray body(static_cast<const char *>(envelope.message.body.bytes),
                          qsizetype(envelope.message.body.len));
    const QJsonDocument payload = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("the body is not JSON: %1 at offset %2")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    const QJsonValue tenant = headers.value(QLatin1String("tenantId"));
    if (!tenant.isString() || tenant.toString().isEmpty()) {
        *error = QStringLiteral("the tenantId header is missing or not a string");
        return std::nullopt;
    }
    // The same checks as an HTTP POST: one shape, one set of rules.
    QJsonObject json{{QStringLiteral("namespace"), headers.value(QLatin1String("namespace"))},
                     {QStringLiteral("name"), headers.value(QLatin1String("name"))},
                     {QStringLiteral("timestamp"), headers.value(QLatin1String("timestamp"))},
                     {QStringLiteral("payload"),
                      payload.isObject()
                          ? QJsonValue(payload.object())
                          : (payload.isArray() ? QJsonValue(payload.array()) : QJsonValue())}};
    if (headers.contains(QLatin1String("correlationId")) &&
        !headers.value(QLatin1String("correlationId")).isNull())
        json.insert(QStringLiteral("correlationId"), headers.value(QLatin1String("correlationId")));
    if (headers.contains(QLatin1String("context")) &&
        !headers.value(QLatin1String("context")).isNull())
        json.insert(QStringLiteral("context"), headers.value(QLatin1String("context")));
    if ((properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) && properties.message_id.len > 0)
        json.insert(QStringLiteral("id"),
                    QString::fromUtf8(static_cast<const char *>(properties.message_id.bytes),
                                      qsizetype(properties.message_id.len)));
    std::optional<DomainEvent> event = DomainEvent::fromJson(json, error);
    if (event)
        event->tenantId = tenant.toString();
    return event;
}

} // namespace push::bus
