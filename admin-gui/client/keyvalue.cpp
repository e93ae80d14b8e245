#include "keyvalue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QStringList>

namespace console::keyvalue {

namespace {

// Splits at the commas between items. A value that starts with a double quote is a JSON
// string: its commas, and its escaped quotes and backslashes, belong to it. A quote
// anywhere else is an ordinary character.
QStringList splitItems(const QString &text)
{
    enum class State { Key, ValueStart, Plain, Quoted, Escape };
    QStringList items;
    QString current;
    State state = State::Key;
    for (const QChar c : text) {
        switch (state) {
        case State::Key:
        case State::ValueStart:
        case State::Plain:
            if (c == QLatin1Char(',')) {
                items.append(current);
                current.clear();
                state = State::Key;
                continue;
            }
            if (state == State::Key && c == QLatin1Char('='))
                state = State::ValueStart;
            else if (state == State::ValueStart && c == QLatin1Char('"'))
                state = State::Quoted;
            else if (state == State::ValueStart && !c.isSpace())
                state = State::Plain;
            break;
        case State::Quoted:
            if (c == QLatin1Char('\\'))
                state = State::Escape;
            else if (c == QLatin1Char('"'))
                state = State::Plain; // what follows the closing quote is an error later
            break;
        case State::Escape:
            state = State::Quoted;
            break;
        }
        current += c;
    }
    items.append(current);
    QStringList trimmed;
    for (const QString &item : std::as_const(items)) {
        if (!item.trimmed().isEmpty())
            trimmed.append(item.trimmed());
    }
    return trimmed;
}

std::optional<std::pair<QString, QString>> splitItem(const QString &item, QString *error)
{
    const qsizetype eq = item.indexOf(QLatin1Char('='));
    if (eq <= 0) {
        *error = QStringLiteral("'%1' is not key=value").arg(item);
        return std::nullopt;
    }
    return std::make_pair(item.left(eq).trimmed(), item.mid(eq + 1).trimmed());
}

// `text` as a JSON string literal, quotes and escapes included.
QString jsonString(const QString &text)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
}

QString quoteIfNeeded(const QString &text)
{
    const bool plain = !text.isEmpty() && !text.contains(QLatin1Char(',')) &&
                       !text.startsWith(QLatin1Char('"')) && text.trimmed() == text;
    return plain ? text : jsonString(text);
}

} // namespace

QString formatMap(const QList<std::pair<QString, QString>> &map)
{
    QStringList items;
    for (const auto &[key, path] : map)
        items.append(key + QLatin1Char('=') + quoteIfNeeded(path));
    return items.join(QStringLiteral(", "));
}

QString formatContext(const QJsonObject &context)
{
    QStringList items;
    for (auto it = context.constBegin(); it != context.constEnd(); ++it) {
        const QJsonValue value = it.value();
        QString text;
        if (value.isString()) {
            // A string that would read back as a number, boolean or null is quoted.
            const QString s = value.toString();
            const QJsonDocument probe = QJsonDocument::fromJson("[" + s.toUtf8() + "]");
            const bool looksTyped =
                !probe.isNull() && probe.array().size() == 1 && !probe.array().first().isString();
            // As a JSON string: it may hold quotes itself ({"a":1}, ["x"]).
            text = looksTyped ? jsonString(s) : quoteIfNeeded(s);
        } else {
            text = QString::fromUtf8(
                QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
        }
        items.append(it.key() + QLatin1Char('=') + text);
    }
    return items.join(QStringLiteral(", "));
}

std::optional<QList<std::pair<QString, QString>>> parseMap(const QString &text, QString *error)
{
    QList<std::pair<QString, QString>> map;
    for (const QString &item : splitItems(text)) {
        const auto pair = splitItem(item, error);
        if (!pair)
            return std::nullopt;
        QString path = pair->second;
        if (path.startsWith(QLatin1Char('"'))) {
            const QJsonDocument parsed = QJsonDocument::fromJson("[" + path.toUtf8() + "]");
            if (parsed.isNull() || !parsed.array().first().isString()) {
                *error = QStringLiteral("%1: %2 is not a quoted string").arg(pair->first, path);
                return std::nullopt;
            }
            path = parsed.array().first().toString();
        }
        if (path.isEmpty()) {
            *error = QStringLiteral("%1 has no path").arg(pair->first);
            return std::nullopt;
        }
        map.append({pair->first, path});
    }
    return map;
}

std::optional<QJsonObject> parseContext(const QString &text, QString *error)
{
    QJsonObject context;
    for (const QString &item : splitItems(text)) {
        const auto pair = splitItem(item, error);
        if (!pair)
            return std::nullopt;
        const QJsonDocument parsed = QJsonDocument::fromJson("[" + pair->second.toUtf8() + "]");
        QJsonValue value(pair->second);
        if (!parsed.isNull() && parsed.array().size() == 1) {
            const QJsonValue typed = parsed.array().first();
            if (typed.isArray() || typed.isObject()) {
                *error = QStringLiteral("%1: context values are strings, numbers or booleans")
                             .arg(pair->first);
                return std::nullopt;
            }
            value = typed;
        } else if (pair->second.startsWith(QLatin1Char('"'))) {
            *error = QStringLiteral("%1: %2 is not a quoted string").arg(pair->first, pair->second);
            return std::nullopt;
        }
        context.insert(pair->first, value);
    }
    return context;
}

} // namespace console::keyvalue
