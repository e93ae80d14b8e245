#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace console {

// A line diff (longest common subsequence) of two texts, for the revision history.
struct DiffLine
{
    enum class Kind { Same, Removed, Added };
    Kind kind;
    QString text;
};

QList<DiffLine> diffLines(const QStringList &before, const QStringList &after);
// Unified-style text: "  same", "- removed", "+ added".
QString formatDiff(const QList<DiffLine> &diff);

} // namespace console
