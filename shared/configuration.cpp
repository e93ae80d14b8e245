#include "configuration.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace push {

namespace {

const QRegularExpression &streamIdPattern()
{
    static const QRegularExpression pattern(QStringLiteral("^[a-zA-Z0-9-_ ]{1,50}$"));
    return pattern;
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

// Collects errors with their property paths.
class Validator
{
public:
    QList<ValidationError> errors;

    void add(const QString &property, const QString &message)
    {
        errors.append({property, message});
    }

    // `property` must be present with the given type; true when it is.
    bool require(const QJsonObject &object, const QString &path, const QString &key,
                 QJsonValue::Type type, const char *expected)
    {
        const QString property = path + QLatin1Char('.') + key;
        const QJsonValue value = object.value(key);
        if (value.isUndefined()) {
            add(property, QStringLiteral("%1 is required").arg(property));
            return false;
        }
        return check(value, property, type, expected);
    }

    // `property`, when present, must have the given type; true when present and right.
    bool optional(const QJsonObject &object, const QString &path, const QString &key,
                  QJsonValue::Type type, const char *expected)
    {
        const QJsonValue value = object.value(key);
        return !value.isUndefined() && check(value, path + QLatin1Char('.') + key, type, expected);
    }

    bool check(const QJsonValue &value, const QString &property, QJsonValue::Type type,
               const char *expected)
    {
        if (value.type() == type)
            return true;
        add(property, QStringLiteral("%1 must be %2, not %3")
                          .arg(property, QLatin1String(expected), typeName(value)));
        return false;
    }

    void checkId(const QJsonObject &object, const QString &path)
    {
        if (!require(object, path, QStringLiteral("id"), QJsonValue::String, "a string"))
            return;
        const QString property = path + QLatin1String(".id");
        if (!streamIdPattern().match(object.value(QLatin1String("id")).toString()).hasMatch()) {
            add(property,
                QStringLiteral("%1 must match %2").arg(property, streamIdPattern().pattern()));
        }
    }

    void checkStreamEvent(const QJsonValue &value, const QString &path)
    {
        if (!check(value, path, QJsonValue::Object, "an object"))
            return;
        const QJsonObject event = value.toObject();
        require(event, path, QStringLiteral("namespace"), QJsonValue::String, "a string");
        require(event, path, QStringLiteral("name"), QJsonValue::String, "a string");
        if (optional(event, path, QStringLiteral("map"), QJsonValue::Object, "an object")) {
            const QJsonObject map = event.value(QLatin1String("map")).toObject();
            for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
                check(it.value(), path + QLatin1String(".map.") + it.key(), QJsonValue::String,
                      "a string");
            }
        }
        checkCriteria(event, path);
    }

    void checkCriteria(const QJsonObject &event, const QString &path)
    {
        if (optional(event, path, QStringLiteral("criteria"), QJsonValue::Object, "an object")) {
            const QJsonObject criteria = event.value(QLatin1String("criteria")).toObject();
            const QString criteriaPath = path + QLatin1String(".criteria");
            optional(criteria, criteriaPath, QStringLiteral("correlationId"), QJsonValue::String,
                     "a string");
            optional(criteria, criteriaPath, QStringLiteral("context"), QJsonValue::Object,
                     "an object");
        }
    }

    void checkStream(const QString &key, const QJsonValue &value)
    {
        if (!streamIdPattern().match(key).hasMatch()) {
            add(key, QStringLiteral("Stream key \"%1\" must match %2")
                         .arg(key, streamIdPattern().pattern()));
        }
        if (!check(value, key, QJsonValue::Object, "an object"))
            return;
        const QJsonObject stream = value.toObject();
        checkId(stream, key);
        require(stream, key, QStringLiteral("name"), QJsonValue::String, "a string");
        optional(stream, key, QStringLiteral("description"), QJsonValue::String, "a string");
        optional(stream, key, QStringLiteral("publicSubscribe"), QJsonValue::Bool, "a boolean");
        if (optional(stream, key, QStringLiteral("subscriberRoles"), QJsonValue::Array,
                     "an array")) {
            const QJsonArray roles = stream.value(QLatin1String("subscriberRoles")).toArray();
            for (qsizetype i = 0; i < roles.size(); ++i) {
                check(roles.at(i), QStringLiteral("%1.subscriberRoles[%2]").arg(key).arg(i),
                      QJsonValue::String, "a string");
            }
        }
        if (optional(stream, key, QStringLiteral("events"), QJsonValue::Array, "an array")) {
            const QJsonArray events = stream.value(QLatin1String("events")).toArray();
            for (qsizetype i = 0; i < events.size(); ++i)
                checkStreamEvent(events.at(i), QStringLiteral("%1.events[%2]").arg(key).arg(i));
        }
    }

    void checkWebhook(const QJsonValue &value, const QString &path)
    {
        if (!check(value, path, QJsonValue::Object, "an object"))
            return;
        const QJsonObject webhook = value.toObject();
        for (const char *key : {"id", "name", "url"})
            require(webhook, path, QLatin1String(key), QJsonValue::String, "a string");
        optional(webhook, path, QStringLiteral("description"), QJsonValue::String, "a string");
        if (optional(webhook, path, QStringLiteral("events"), QJsonValue::Array, "an array")) {
            const QJsonArray events = webhook.value(QLatin1String("events")).toArray();
            for (qsizetype i = 0; i < events.size(); ++i) {
                const QString eventPath = QStringLiteral("%1.events[%2]").arg(path).arg(i);
                if (!check(events.at(i), eventPath, QJsonValue::Object, "an object"))
                    continue;
                const QJsonObject event = events.at(i).toObject();
                require(event, eventPath, QStringLiteral("namespace"), QJsonValue::String,
                        "a string");
                require(event, eventPath, QStringLiteral("name"), QJsonValue::String, "a string");
                checkCriteria(event, eventPath);
            }
        }
        // An application-status webhook.
        optional(webhook, path, QStringLiteral("targetId"), QJsonValue::String, "a string");
        optional(webhook, path, QStringLiteral("intervalMinutes"), QJsonValue::Double, "a number");
        if (optional(webhook, path, QStringLiteral("eventTypes"), QJsonValue::Array, "an array")) {
            const QJsonArray types = webhook.value(QLatin1String("eventTypes")).toArray();
            for (qsizetype i = 0; i < types.size(); ++i) {
                const QString typePath = QStringLiteral("%1.eventTypes[%2]").arg(path).arg(i);
                if (check(types.at(i), typePath, QJsonValue::Object, "an object"))
                    require(types.at(i).toObject(), typePath, QStringLiteral("id"),
                            QJsonValue::String, "a string");
            }
        }
    }

    void checkWebhooks(const QJsonValue &value)
    {
        const QString path = QLatin1String(kWebhooksKey);
        if (value.isArray()) {
            const QJsonArray webhooks = value.toArray();
            for (qsizetype i = 0; i < webhooks.size(); ++i)
                checkWebhook(webhooks.at(i), QStringLiteral("%1[%2]").arg(path).arg(i));
        } else if (value.isObject()) {
            const QJsonObject webhooks = value.toObject();
            for (auto it = webhooks.constBegin(); it != webhooks.constEnd(); ++it)
                checkWebhook(it.value(), path + QLatin1Char('.') + it.key());
        } else {
            add(path, QStringLiteral("%1 must be an object or an array, not %2")
                          .arg(path, typeName(value)));
        }
    }
};

} // namespace

QList<ValidationError> validateConfiguration(const QJsonObject &document)
{
    Validator validator;
    for (auto it = document.constBegin(); it != document.constEnd(); ++it) {
        if (it.key() == QLatin1String(kWebhooksKey))
            validator.checkWebhooks(it.value());
        else
            validator.checkStream(it.key(), it.value());
    }
    return validator.errors;
}

QMap<QString, Stream> streamsFromConfiguration(const QJsonObject &document)
{
    QMap<QString, Stream> streams;
    for (auto it = document.constBegin(); it != document.constEnd(); ++it) {
        if (it.key() == QLatin1String(kWebhooksKey) || !it.value().isObject())
            continue;
        Stream stream = Stream::fromJson(it.value().toObject());
        if (stream.id.isEmpty())
            stream.id = it.key();
        streams.insert(it.key(), stream);
    }
    return streams;
}

QMap<QString, Stream> combineStreams(const QMap<QString, Stream> &core,
                                     const QMap<QString, Stream> &tenant)
{
    QMap<QString, Stream> combined = tenant;
    for (auto it = core.constBegin(); it != core.constEnd(); ++it)
        combined.insert(it.key(), it.value());
    return combined;
}

std::optional<QJsonObject> applyConfigurationPatch(const QJsonObject &current,
                                                   const QJsonObject &request, QString *error)
{
    const QJsonValue operation = request.value(QLatin1String("operation"));
    if (!operation.isString()) {
        *error = QStringLiteral("operation is required: UPDATE, DELETE or REPLACE");
        return std::nullopt;
    }
    const QString op = operation.toString();
    if (op == QLatin1String("UPDATE")) {
        const QJsonValue update = request.value(QLatin1String("update"));
        if (!update.isObject()) {
            *error = QStringLiteral("update must be an object of the keys to set");
            return std::nullopt;
        }
        QJsonObject result = current;
        const QJsonObject changes = update.toObject();
        for (auto it = changes.begin(); it != changes.end(); ++it)
            result.insert(it.key(), it.value());
        return result;
    }
    if (op == QLatin1String("DELETE")) {
        const QJsonValue property = request.value(QLatin1String("property"));
        if (!property.isString() || property.toString().isEmpty()) {
            *error = QStringLiteral("property must name the key to delete");
            return std::nullopt;
        }
        if (!current.contains(property.toString())) {
            *error = QStringLiteral("property '%1' is not in the configuration")
                         .arg(property.toString());
            return std::nullopt;
        }
        QJsonObject result = current;
        result.remove(property.toString());
        return result;
    }
    if (op == QLatin1String("REPLACE")) {
        const QJsonValue configuration = request.value(QLatin1String("configuration"));
        if (!configuration.isObject()) {
            *error = QStringLiteral("configuration must be an object");
            return std::nullopt;
        }
        return configuration.toObject();
    }
    *error = QStringLiteral("operation '%1' is not one of UPDATE, DELETE, REPLACE").arg(op);
    return std::nullopt;
}

} // namespace push
