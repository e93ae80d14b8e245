#include "prometheus.h"

namespace console {

QList<Sample> parsePrometheus(const QByteArray &text)
{
    QList<Sample> samples;
    for (const QByteArray &raw : text.split('\n')) {
        const QByteArray line = raw.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        Sample sample;
        qsizetype pos = 0;
        while (pos < line.size() && line.at(pos) != '{' && line.at(pos) != ' ')
            ++pos;
        sample.name = QString::fromUtf8(line.left(pos));
        if (pos < line.size() && line.at(pos) == '{') {
            ++pos;
            while (pos < line.size() && line.at(pos) != '}') {
                const qsizetype eq = line.indexOf('=', pos);
                if (eq < 0 || eq + 1 >= line.size() || line.at(eq + 1) != '"')
                    break;
                const QString label = QString::fromUtf8(line.mid(pos, eq - pos).trimmed());
                QByteArray value;
                qsizetype i = eq + 2;
                for (; i < line.size() && line.at(i) != '"'; ++i) {
                    if (line.at(i) == '\\' && i + 1 < line.size()) {
                        ++i;
                        value += line.at(i) == 'n' ? '\n' : line.at(i);
                    } else {
                        value += line.at(i);
                    }
                }
                sample.labels.insert(label, QString::fromUtf8(value));
                pos = i + 1;
                if (pos < line.size() && line.at(pos) == ',')
                    ++pos;
            }
            ++pos; // '}'
        }
        bool ok = false;
        const QByteArray number = line.mid(pos).trimmed().split(' ').value(0);
        sample.value = number == "+Inf" ? qInf() : number.toDouble(&ok);
        if (ok || number == "+Inf")
            samples.append(sample);
    }
    return samples;
}

double sumOf(const QList<Sample> &samples, const QString &name,
             const QHash<QString, QString> &match)
{
    double sum = 0;
    for (const Sample &sample : samples) {
        if (sample.name != name)
            continue;
        bool matches = true;
        for (auto it = match.cbegin(); it != match.cend() && matches; ++it)
            matches = sample.labels.value(it.key()) == it.value();
        if (matches)
            sum += sample.value;
    }
    return sum;
}

} // namespace console
