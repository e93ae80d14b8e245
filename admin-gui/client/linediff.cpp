#include "linediff.h"

#include <vector>

namespace console {

QList<DiffLine> diffLines(const QStringList &before, const QStringList &after)
{
    // Common prefix and suffix first: revisions mostly differ in a few lines.
    qsizetype start = 0;
    while (start < before.size() && start < after.size() && before.at(start) == after.at(start))
        ++start;
    qsizetype endBefore = before.size();
    qsizetype endAfter = after.size();
    while (endBefore > start && endAfter > start &&
           before.at(endBefore - 1) == after.at(endAfter - 1)) {
        --endBefore;
        --endAfter;
    }
    const qsizetype n = endBefore - start;
    const qsizetype m = endAfter - start;
    std::vector<std::vector<int>> lcs(size_t(n + 1), std::vector<int>(size_t(m + 1), 0));
    for (qsizetype i = n - 1; i >= 0; --i)
        for (qsizetype j = m - 1; j >= 0; --j)
            lcs[size_t(i)][size_t(j)] =
                before.at(start + i) == after.at(start + j)
                    ? lcs[size_t(i + 1)][size_t(j + 1)] + 1
                    : std::max(lcs[size_t(i + 1)][size_t(j)], lcs[size_t(i)][size_t(j + 1)]);
    QList<DiffLine> diff;
    for (qsizetype k = 0; k < start; ++k)
        diff.append({DiffLine::Kind::Same, before.at(k)});
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && before.at(start + i) == after.at(start + j)) {
            diff.append({DiffLine::Kind::Same, before.at(start + i)});
            ++i;
            ++j;
        } else if (j < m &&
                   (i == n || lcs[size_t(i)][size_t(j + 1)] >= lcs[size_t(i + 1)][size_t(j)])) {
            diff.append({DiffLine::Kind::Added, after.at(start + j)});
            ++j;
        } else {
            diff.append({DiffLine::Kind::Removed, before.at(start + i)});
            ++i;
        }
    }
    for (qsizetype k = endBefore; k < before.size(); ++k)
        diff.append({DiffLine::Kind::Same, before.at(k)});
    return diff;
}

QString formatDiff(const QList<DiffLine> &diff)
{
    QStringList lines;
    for (const DiffLine &line : diff) {
        const char *mark = line.kind == DiffLine::Kind::Same      ? "  "
                           : line.kind == DiffLine::Kind::Removed ? "- "
                                                                  : "+ ";
        lines.append(QLatin1String(mark) + line.text);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace console
