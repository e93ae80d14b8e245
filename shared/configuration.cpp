#include "configuration.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

namespace push {

namespace {

// As messages show it.
const QString kStreamIdPattern = QStringLiteral("^[a-zA-Z0-9-_ ]{1,50}$");

const QRegularExpression &streamIdPattern()
{
    // Anchored: "$" alone would also match before a final newline ("s\n").
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[a-zA-Z0-9-_ ]{1,50}")));
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

bool isHttpUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == QLatin1String("http") || scheme == QLatin1String("https")) &&
           !url.host().isEmpty();
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

    // True when the id is present and well-formed.
    bool checkId(const QJsonObject &object, const QString &path)
    {
        if (!require(object, path, QStringLiteral("id"), QJsonValue::String, "a string"))
            return false;
        const QString property = path + QLatin1String(".id");
        if (!streamIdPattern().match(object.value(QLatin1String("id")).toString()).hasMatch()) {
            add(property, QStringLiteral("%1 must match %2").arg(property, kStreamIdPattern));
            return false;
        }
        return true;
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
                check(it.value(), path + QLatin1String(".map.") + printableKey(it.key()),
                      QJsonValue::String, "a string");
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

    // A keyed entry's `id` must be its key: otherwise it is half reachable (by key in the
    // document, by id everywhere else).
    void checkKeyIsId(const QJsonObject &entry, const QString &path, const QString &key,
                      const char *what)
    {
        const QJsonValue id = entry.value(QLatin1String("id"));
        if (id.isString() && id.toString() != key) {
            const QString property = path + QLatin1String(".id");
            add(property, QStringLiteral("%1 is \"%2\", but the %3 is stored under key \"%4\": "
                                         "a %3's key must be its id")
                              .arg(property, printableKey(id.toString()), QLatin1String(what),
                                   printableKey(key)));
        }
    }

    void checkStream(const QString &rawKey, const QJsonValue &value)
    {
        const QString key = printableKey(rawKey);
        if (!streamIdPattern().match(rawKey).hasMatch()) {
            add(key, QStringLiteral("Stream key \"%1\" must match %2").arg(key, kStreamIdPattern));
        }
        if (!check(value, key, QJsonValue::Object, "an object"))
            return;
        const QJsonObject stream = value.toObject();
        if (checkId(stream, key)) // a bad id has its own error; a good one must be the key
            checkKeyIsId(stream, key, rawKey, "stream");
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
        const QJsonValue url = webhook.value(QLatin1String("url"));
        if (url.isString() && !isHttpUrl(url.toString()))
            add(path + QLatin1String(".url"),
                QStringLiteral("%1.url must be an absolute http or https URL, not \"%2\"")
                    .arg(path, printableKey(url.toString())));
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
            for (auto it = webhooks.constBegin(); it != webhooks.constEnd(); ++it) {
                const QString entryPath = path + QLatin1Char('.') + printableKey(it.key());
                checkWebhook(it.value(), entryPath);
                if (it.value().isObject())
                    checkKeyIsId(it.value().toObject(), entryPath, it.key(), "webhook");
            }
        } else {
            add(path, QStringLiteral("%1 must be an object or an array, not %2")
                          .arg(path, typeName(value)));
        }
    }
};

} // namespace

QString printableKey(const QString &key)
{
    QString result;
    result.reserve(key.size());
    for (const QChar c : key) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            result += QLatin1Char('\\') + c;
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Format ||
                 c.category() == QChar::Separator_Line ||
                 c.category() == QChar::Separator_Paragraph)
            result += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            result += c;
    }
    return result;
}

QString configurationLimitError(const QJsonObject &document, qint64 compactBytes)
{
    qsizetype entries = 0;
    for (auto it = document.constBegin(); it != document.constEnd(); ++it) {
        if (it.key() != QLatin1String(kWebhooksKey))
            ++entries;
        else if (it.value().isObject())
            entries += it.value().toObject().size();
        else if (it.value().isArray())
            entries += it.value().toArray().size();
    }
    if (entries > kMaxConfigurationEntries)
        return QStringLiteral("the configuration has %1 streams and webhooks; at most %2 are "
                              "allowed")
            .arg(entries)
            .arg(kMaxConfigurationEntries);
    const qint64 bytes = compactBytes >= 0
                             ? compactBytes
                             : QJsonDocument(document).toJson(QJsonDocument::Compact).size();
    if (bytes > kMaxConfigurationBytes)
        return QStringLiteral("the configuration is %1 bytes as compact JSON; at most %2 are "
                              "allowed")
            .arg(bytes)
            .arg(kMaxConfigurationBytes);
    return {};
}

QList<ValidationError> validateConfiguration(const QJsonObject &document)
{
    if (const QString limit = configurationLimitError(document); !limit.isEmpty())
        return {{QString(), limit}};
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
