#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace console {

// The compact text the editors' tables show for small objects: "key=value, key2=value2".
// For a projection map the values are paths (strings); for criteria context the values
// are JSON scalars: 1, true and null are typed, anything else is a string ("prod").
// A value with a comma or that would read as another type is written as JSON ("\"1\"").
namespace keyvalue {

QString formatMap(const QList<std::pair<QString, QString>> &map);
QString formatContext(const QJsonObject &context);
// nullopt with *error when the text is malformed ("a=" is an empty value, "a" has no '=').
std::optional<QList<std::pair<QString, QString>>> parseMap(const QString &text, QString *error);
std::optional<QJsonObject> parseContext(const QString &text, QString *error);

} // namespace keyvalue
} // namespace console
