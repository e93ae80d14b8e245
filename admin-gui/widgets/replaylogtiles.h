#pragma once

#include "client/prometheus.h"

#include <QGroupBox>
#include <QHash>

class QGridLayout;
class QLabel;

namespace console {

// The dashboard's tiles for the service's replay log (docs/resume.md), from /metrics: its
// size (entries, bytes), the age of its oldest entry, and the cursors that could not
// resume, by reason. Each value label carries the number it shows as its "value" property.
class ReplayLogTiles final : public QGroupBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayLogTiles)

public:
    explicit ReplayLogTiles(QWidget *parent = nullptr);

    // Shows what `samples` say (a service with resume off has none of these metrics).
    void setSamples(const QList<Sample> &samples);
    void clear();

    QLabel *entries() const { return m_entries; }
    QLabel *bytes() const { return m_bytes; }
    QLabel *oldestAge() const { return m_age; }
    // The tile of one reset reason ("cursor-expired", ...), or nullptr before it is seen.
    QLabel *resets(const QString &reason) const { return m_resets.value(reason); }

    // "42 s", "5 min 3 s", "3 h 12 min", "2 d 4 h".
    static QString describeAge(double seconds);

private:
    QLabel *addTile(const QString &title, const QString &objectName);
    static void setTile(QLabel *tile, double value, const QString &text);

    QGridLayout *m_grid;
    QLabel *m_state;
    QLabel *m_entries;
    QLabel *m_bytes;
    QLabel *m_age;
    QHash<QString, QLabel *> m_resets;
};

} // namespace console
