// console::diffLines / formatDiff (the revision history's diff): equal, empty, inserted,
// removed and replaced lines, repeated lines, and the unified-style text.
#include "client/linediff.h"

#include <QtTest>

using console::DiffLine;
using Kind = console::DiffLine::Kind;

namespace {

// The diff as one string per line, "  x" / "- x" / "+ x", for readable comparisons.
QStringList marks(const QList<DiffLine> &diff)
{
    return console::formatDiff(diff).split(QLatin1Char('\n'), Qt::KeepEmptyParts);
}

// What every diff must satisfy: the Same and Removed lines are `before`, the Same and
// Added lines are `after`, both in order.
void checkSides(const QList<DiffLine> &diff, const QStringList &before, const QStringList &after)
{
    QStringList left;
    QStringList right;
    for (const DiffLine &line : diff) {
        if (line.kind != Kind::Added)
            left.append(line.text);
        if (line.kind != Kind::Removed)
            right.append(line.text);
    }
    QCOMPARE(left, before);
    QCOMPARE(right, after);
}

} // namespace

class TestLineDiff : public QObject
{
    Q_OBJECT

private slots:
    void bothEmpty();
    void equalTexts();
    void fromEmpty();
    void toEmpty();
    void insertedLine();
    void removedLine();
    void replacedLine();
    void repeatedLines();
    void minimalDiff();
    void emptyLinesAreLines();
    void formatMarksEachLine();
};

void TestLineDiff::bothEmpty()
{
    QVERIFY(console::diffLines({}, {}).isEmpty());
    QCOMPARE(console::formatDiff({}), QString());
}

void TestLineDiff::equalTexts()
{
    const QStringList text{"{", "  \"a\": 1,", "  \"b\": 2", "}"};
    const QList<DiffLine> diff = console::diffLines(text, text);
    QCOMPARE(diff.size(), text.size());
    for (const DiffLine &line : diff)
        QCOMPARE(line.kind, Kind::Same);
    checkSides(diff, text, text);
}

void TestLineDiff::fromEmpty()
{
    const QStringList after{"a", "b"};
    const QList<DiffLine> diff = console::diffLines({}, after);
    QCOMPARE(marks(diff), (QStringList{"+ a", "+ b"}));
    checkSides(diff, {}, after);
}

void TestLineDiff::toEmpty()
{
    const QStringList before{"a", "b"};
    const QList<DiffLine> diff = console::diffLines(before, {});
    QCOMPARE(marks(diff), (QStringList{"- a", "- b"}));
    checkSides(diff, before, {});
}

void TestLineDiff::insertedLine()
{
    const QStringList before{"a", "b", "c"};
    const QStringList after{"a", "b", "new", "c"};
    const QList<DiffLine> diff = console::diffLines(before, after);
    QCOMPARE(marks(diff), (QStringList{"  a", "  b", "+ new", "  c"}));
    checkSides(diff, before, after);
}

void TestLineDiff::removedLine()
{
    const QStringList before{"a", "old", "b", "c"};
    const QStringList after{"a", "b", "c"};
    const QList<DiffLine> diff = console::diffLines(before, after);
    QCOMPARE(marks(diff), (QStringList{"  a", "- old", "  b", "  c"}));
    checkSides(diff, before, after);
}

void TestLineDiff::replacedLine()
{
    const QStringList before{"a", "x", "c"};
    const QStringList after{"a", "y", "c"};
    const QList<DiffLine> diff = console::diffLines(before, after);
    QCOMPARE(diff.size(), 4);
    QCOMPARE(diff.first().kind, Kind::Same);
    QCOMPARE(diff.last().kind, Kind::Same);
    checkSides(diff, before, after);
    QStringList middle = marks(diff).mid(1, 2);
    middle.sort();
    QCOMPARE(middle, (QStringList{"+ y", "- x"}));
}

void TestLineDiff::repeatedLines()
{
    // Equal lines in several places: the prefix/suffix shortcut and the LCS must agree.
    const QStringList before{"}", "a", "}", "b", "}"};
    const QStringList after{"}", "b", "}", "a", "}"};
    const QList<DiffLine> diff = console::diffLines(before, after);
    checkSides(diff, before, after);
    qsizetype same = 0;
    for (const DiffLine &line : diff)
        same += line.kind == Kind::Same;
    QCOMPARE(same, 3); // "}", "}", "}" or "}", "a", "}": no common subsequence is longer
}

void TestLineDiff::minimalDiff()
{
    // No change between shared lines is reported: a longest common subsequence.
    const QStringList before{"a", "b", "c", "d", "e", "f"};
    const QStringList after{"b", "c", "x", "e", "f", "g"};
    const QList<DiffLine> diff = console::diffLines(before, after);
    checkSides(diff, before, after);
    qsizetype same = 0;
    for (const DiffLine &line : diff)
        same += line.kind == Kind::Same;
    QCOMPARE(same, 4); // b c e f
    QCOMPARE(diff.size(), before.size() + after.size() - same);
}

void TestLineDiff::emptyLinesAreLines()
{
    const QStringList before{"a", "", "b"};
    const QStringList after{"a", "b", ""};
    const QList<DiffLine> diff = console::diffLines(before, after);
    checkSides(diff, before, after);
    QCOMPARE(diff.size(), 4);
}

void TestLineDiff::formatMarksEachLine()
{
    const QList<DiffLine> diff{
        {Kind::Same, "kept"}, {Kind::Removed, "gone"}, {Kind::Added, "new"}, {Kind::Same, ""}};
    QCOMPARE(console::formatDiff(diff), QStringLiteral("  kept\n- gone\n+ new\n  "));
}

QTEST_GUILESS_MAIN(TestLineDiff)
#include "tst_linediff.moc"
