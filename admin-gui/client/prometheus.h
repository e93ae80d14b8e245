#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

namespace console {

// The samples of a Prometheus text exposition (what GET /metrics serves), for the
// dashboard: each line "name{label="value",...} number".
struct Sample
{
    QString name;
    QHash<QString, QString> labels;
    double value = 0;
};

QList<Sample> parsePrometheus(const QByteArray &text);
// The sum of every sample of `name` whose labels include `match`.
double sumOf(const QList<Sample> &samples, const QString &name,
             const QHash<QString, QString> &match = {});

} // namespace console
