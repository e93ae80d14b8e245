#include "stream.h"

#include <QJsonArray>

namespace push {

namespace {

// Reads a quoted key: `path[i]` is the opening quote. Backslash escapes the next char.
bool readQuoted(QStringView path, qsizetype &i, QString *key)
{
    const QChar quote = path[i++];
    while (i < path.size()) {
        const QChar ch = path[i];
        if (ch == QLatin1Char('\\') && i + 1 < path.size()) {
            key->append(path[i + 1]);
            i += 2;
            continue;
        }
        ++i;
        if (ch == quote)
            return true;
        key->append(ch);
    }
    return false;
}

// Reads `[N]`, `[key]`, `["key"]` or `['key']`; `path[i]` is the '['.
bool readBracket(QStringView path, qsizetype &i, QString *segment)
{
    ++i;
    if (i >= path.size())
        return false;
    if (path[i] == QLatin1Char('"') || path[i] == QLatin1Char('\'')) {
        if (!readQuoted(path, i, segment))
            return false;
    } else {
        const qsizetype end = path.indexOf(QLatin1Char(']'), i);
        if (end <= i)
            return false;
        const QStringView content = path.mid(i, end - i);
        if (content.contains(QLatin1Char('[')))
            return false;
        *segment = content.toString();
        i = end;
    }
    if (i >= path.size() || path[i] != QLatin1Char(']'))
        return false;
    ++i;
    return true;
}

// Splits a lodash path into its keys; std::nullopt when malformed.
std::optional<QStringList> parsePath(QStringView path)
{
    QStringList segments;
    qsizetype i = 0;
    const qsizetype n = path.size();
    while (true) {
        if (i >= n)
            return std::nullopt; // empty path, or a trailing '.'
        QString segment;
        const QChar c = path[i];
        if (c == QLatin1Char('[')) {
            if (!readBracket(path, i, &segment))
                return std::nullopt;
        } else if (c == QLatin1Char('.') || c == QLatin1Char(']')) {
            return std::nullopt; // empty segment or stray bracket
        } else {
            const qsizetype start = i;
            while (i < n && path[i] != QLatin1Char('.') && path[i] != QLatin1Char('[') &&
                   path[i] != QLatin1Char(']'))
                ++i;
            segment = path.mid(start, i - start).toString();
        }
        segments.append(segment);
        if (i == n)
            return segments;
        if (path[i] == QLatin1Char('.')) {
            ++i;
            if (i < n && path[i] == QLatin1Char('['))
                return std::nullopt; // "a.[0]"
        } else if (path[i] != QLatin1Char('[')) {
            return std::nullopt; // "a]b", "a[0]b"
        }
    }
}

// A JavaScript array index: digits only, no leading zero (arr["01"] is undefined in JS).
std::optional<qsizetype> arrayIndex(const QString &segment)
{
    if (segment.isEmpty() || (segment.size() > 1 && segment.front() == QLatin1Char('0')))
        return std::nullopt;
    for (const QChar ch : segment) {
        if (ch < QLatin1Char('0') || ch > QLatin1Char('9'))
            return std::nullopt;
    }
    bool ok = false;
    const qlonglong index = segment.toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return static_cast<qsizetype>(index);
}

QJsonValue correlationIdValue(const DomainEvent &event)
{
    return event.correlationId.isNull() ? QJsonValue() : QJsonValue(event.correlationId);
}

StreamEvent streamEventFromJson(const QJsonObject &object)
{
    StreamEvent streamEvent;
    streamEvent.eventNamespace = object.value(QLatin1String("namespace")).toString();
    streamEvent.name = object.value(QLatin1String("name")).toString();
    const QJsonObject map = object.value(QLatin1String("map")).toObject();
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        if (it.value().isString())
            streamEvent.map.append({it.key(), it.value().toString()});
    }
    streamEvent.criteria =
        EventCriteria::fromJson(object.value(QLatin1String("criteria")), QString(), nullptr)
            .value_or(EventCriteria{});
    return streamEvent;
}

} // namespace

QJsonObject StreamEvent::toJson() const
{
    QJsonObject object{
        {QLatin1String("namespace"), eventNamespace},
        {QLatin1String("name"), name},
    };
    if (!map.isEmpty()) {
        QJsonObject mapObject;
        for (const auto &[key, path] : map)
            mapObject.insert(key, path);
        object.insert(QLatin1String("map"), mapObject);
    }
    if (!criteria.isEmpty())
        object.insert(QLatin1String("criteria"), criteria.toJson());
    return object;
}

QJsonObject Stream::toJson() const
{
    QJsonArray eventArray;
    for (const StreamEvent &event : events)
        eventArray.append(event.toJson());
    QJsonObject object{
        {QLatin1String("id"), id},
        {QLatin1String("name"), name},
        {QLatin1String("publicSubscribe"), publicSubscribe},
        {QLatin1String("subscriberRoles"), QJsonArray::fromStringList(subscriberRoles)},
        {QLatin1String("events"), eventArray},
    };
    if (!description.isEmpty())
        object.insert(QLatin1String("description"), description);
    return object;
}

Stream Stream::fromJson(const QJsonObject &object)
{
    Stream stream;
    stream.id = object.value(QLatin1String("id")).toString();
    stream.name = object.value(QLatin1String("name")).toString();
    stream.description = object.value(QLatin1String("description")).toString();
    stream.publicSubscribe = object.value(QLatin1String("publicSubscribe")).toBool(false);
    const QJsonArray roles = object.value(QLatin1String("subscriberRoles")).toArray();
    for (const QJsonValue &role : roles) {
        if (role.isString())
            stream.subscriberRoles.append(role.toString());
    }
    const QJsonArray events = object.value(QLatin1String("events")).toArray();
    for (const QJsonValue &event : events) {
        if (event.isObject())
            stream.events.append(streamEventFromJson(event.toObject()));
    }
    return stream;
}

const StreamEvent *Stream::match(const DomainEvent &event, const QString &tenantUrn) const
{
    if (!tenantUrn.isEmpty() && event.tenantId != tenantUrn)
        return nullptr;
    const QJsonValue correlationId = correlationIdValue(event);
    for (const StreamEvent &streamEvent : events) {
        if (streamEvent.eventNamespace == event.eventNamespace && streamEvent.name == event.name &&
            streamEvent.criteria.matches(correlationId, event.context)) {
            return &streamEvent;
        }
    }
    return nullptr;
}

QJsonObject project(const StreamEvent &streamEvent, const DomainEvent &event)
{
    const QJsonObject whole = event.toJson();
    if (streamEvent.map.isEmpty())
        return whole;

    QJsonObject item{
        {QLatin1String("tenantId"), event.tenantId},
        {QLatin1String("namespace"), event.eventNamespace},
        {QLatin1String("name"), event.name},
    };
    if (!event.correlationId.isNull())
        item.insert(QLatin1String("correlationId"), event.correlationId);
    if (!event.context.isEmpty())
        item.insert(QLatin1String("context"), event.context);
    for (const auto &[key, path] : streamEvent.map) {
        // As in JavaScript, a map key that resolves to nothing is undefined: left out, even
        // when it names one of the base fields.
        const std::optional<QJsonValue> value = valueAtPath(whole, path);
        if (value)
            item.insert(key, *value);
        else
            item.remove(key);
    }
    return item;
}

std::optional<QJsonValue> valueAtPath(const QJsonValue &root, QStringView path)
{
    const std::optional<QStringList> segments = parsePath(path);
    if (!segments)
        return std::nullopt;
    QJsonValue current = root;
    for (const QString &segment : *segments) {
        if (current.isObject()) {
            const QJsonObject object = current.toObject();
            const auto found = object.constFind(segment);
            if (found == object.constEnd())
                return std::nullopt;
            current = found.value();
        } else if (current.isArray()) {
            const QJsonArray array = current.toArray();
            const std::optional<qsizetype> index = arrayIndex(segment);
            if (!index || *index >= array.size())
                return std::nullopt;
            current = array.at(*index);
        } else {
            return std::nullopt;
        }
    }
    return current;
}

} // namespace push
