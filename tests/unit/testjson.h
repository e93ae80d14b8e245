#pragma once

// What the unit tests share: their JSON fixtures are written as text.
#include <QJsonDocument>
#include <QJsonObject>

namespace push::test {

// The object a JSON text holds; a fixture that does not parse ends the test run.
inline QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(error.errorString()));
    return document.object();
}

} // namespace push::test
