#include "replaylogtiles.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace console {

namespace {
constexpr int kColumns = 3;
} // namespace

ReplayLogTiles::ReplayLogTiles(QWidget *parent)
    : QGroupBox(tr("Replay log"), parent)
    , m_grid(new QGridLayout)
    , m_state(new QLabel)
{
    setObjectName(QStringLiteral("replayLogTiles"));
    m_state->setObjectName(QStringLiteral("replayLogState"));
    m_entries = addTile(tr("Entries"), QStringLiteral("replayLogEntries"));
    m_bytes = addTile(tr("Size"), QStringLiteral("replayLogBytes"));
    m_age = addTile(tr("Oldest entry"), QStringLiteral("replayLogOldestAge"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_grid);
    layout->addWidget(m_state);
    clear();
}

QLabel *ReplayLogTiles::addTile(const QString &title, const QString &objectName)
{
    const int index = m_grid->count() / 2;
    const int row = (index / kColumns) * 2;
    const int column = index % kColumns;
    auto *caption = new QLabel(title);
    caption->setStyleSheet(QStringLiteral("color: palette(mid);"));
    auto *value = new QLabel;
    value->setObjectName(objectName);
    QFont font = value->font();
    font.setPointSizeF(font.pointSizeF() * 1.4);
    font.setBold(true);
    value->setFont(font);
    m_grid->addWidget(caption, row, column);
    m_grid->addWidget(value, row + 1, column);
    return value;
}

void ReplayLogTiles::setTile(QLabel *tile, double value, const QString &text)
{
    tile->setProperty("value", value);
    tile->setText(text);
}

void ReplayLogTiles::clear()
{
    for (QLabel *tile : {m_entries, m_bytes, m_age})
        setTile(tile, 0, QStringLiteral("—"));
    for (QLabel *tile : std::as_const(m_resets))
        setTile(tile, 0, QStringLiteral("—"));
    m_state->clear();
}

void ReplayLogTiles::setSamples(const QList<Sample> &samples)
{
    const auto has = [&samples](const QString &name) {
        return std::any_of(samples.cbegin(), samples.cend(),
                           [&name](const Sample &s) { return s.name == name; });
    };
    if (!has(QStringLiteral("push_resume_log_entries"))) {
        clear();
        m_state->setText(tr("Resume is off on this service: there is no replay log."));
        return;
    }
    m_state->clear();
    const QLocale locale;
    const double entries = sumOf(samples, QStringLiteral("push_resume_log_entries"));
    const double bytes = sumOf(samples, QStringLiteral("push_resume_log_bytes"));
    setTile(m_entries, entries, locale.toString(qint64(entries)));
    setTile(m_bytes, bytes, locale.formattedDataSize(qint64(bytes)));
    if (has(QStringLiteral("push_resume_log_oldest_age_seconds"))) {
        const double age = sumOf(samples, QStringLiteral("push_resume_log_oldest_age_seconds"));
        setTile(m_age, age, entries > 0 ? describeAge(age) : tr("empty"));
    } else {
        setTile(m_age, 0, tr("n/a")); // a service from before the gauge
    }
    for (const Sample &sample : samples) {
        if (sample.name != QLatin1String("push_resume_resets_total"))
            continue;
        const QString reason = sample.labels.value(QStringLiteral("reason"));
        QLabel *&tile = m_resets[reason];
        if (!tile)
            tile =
                addTile(tr("Resets: %1").arg(reason), QStringLiteral("replayLogResets-") + reason);
        setTile(tile, sample.value, locale.toString(qint64(sample.value)));
    }
}

QString ReplayLogTiles::describeAge(double seconds)
{
    const qint64 s = qint64(seconds);
    if (s < 1)
        return tr("< 1 s");
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    if (s < 86400)
        return tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    return tr("%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

} // namespace console
