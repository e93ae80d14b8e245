// The console's replay helpers without a service: the cursor a time becomes (entries of
// that millisecond after it, those of the millisecond before not), what each reset reason
// says, and how the dashboard writes the replay log's age.
#include "client/replayreader.h"
#include "shared/cursor.h"
#include "widgets/replaylogtiles.h"

#include <QtTest>

using console::ReplayLogTiles;
using console::ReplayReader;

class TestReplayReader : public QObject
{
    Q_OBJECT

private slots:
    void cursorBeforeATime_data();
    void cursorBeforeATime();
    void cursorBeforeTheEpochOfTime();
    void resetReasonsAreExplained();
    void ages_data();
    void ages();
};

void TestReplayReader::cursorBeforeATime_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::newRow("now") << qint64(1764966000123);
    QTest::newRow("the first millisecond") << qint64(1);
}

void TestReplayReader::cursorBeforeATime()
{
    QFETCH(qint64, ms);
    const QByteArray text =
        ReplayReader::cursorBefore(QStringLiteral("3fa2c01b"), QDateTime::fromMSecsSinceEpoch(ms));
    const std::optional<push::Cursor> cursor = push::Cursor::parse(text);
    QVERIFY2(cursor, text.constData());
    QCOMPARE(cursor->epoch, QStringLiteral("3fa2c01b"));
    // Every entry of that millisecond comes after it, every one of the millisecond before
    // (as the service numbers them: sequences up to SQLite's largest integer) does not.
    const push::EntryId first{quint64(ms), 0};
    const push::EntryId before{quint64(ms - 1), 0};
    const push::EntryId lastBefore{quint64(ms - 1), quint64(std::numeric_limits<qint64>::max())};
    QVERIFY(first > cursor->entry);
    QVERIFY(before < cursor->entry);
    QVERIFY(lastBefore <= cursor->entry);
    QVERIFY(cursor->entry.seq <= quint64(std::numeric_limits<qint64>::max()));
}

void TestReplayReader::cursorBeforeTheEpochOfTime()
{
    QCOMPARE(ReplayReader::cursorBefore(QStringLiteral("e"), QDateTime::fromMSecsSinceEpoch(0)),
             QByteArray("e.0-0"));
}

void TestReplayReader::resetReasonsAreExplained()
{
    QVERIFY(ReplayReader::explainReset(QStringLiteral("cursor-expired")).contains(u"trimmed"));
    QVERIFY(ReplayReader::explainReset(QStringLiteral("epoch-changed")).contains(u"another log"));
    QVERIFY(ReplayReader::explainReset(QStringLiteral("invalid-cursor")).contains(u"not a cursor"));
    QVERIFY(!ReplayReader::explainReset(QStringLiteral("something-new")).isEmpty());
}

void TestReplayReader::ages_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("fresh") << 0.4 << QStringLiteral("< 1 s");
    QTest::newRow("seconds") << 42.9 << QStringLiteral("42 s");
    QTest::newRow("minutes") << 303.0 << QStringLiteral("5 min 3 s");
    QTest::newRow("hours") << 3.0 * 3600 + 12 * 60 + 5 << QStringLiteral("3 h 12 min");
    QTest::newRow("days") << 2.0 * 86400 + 4 * 3600 + 59 << QStringLiteral("2 d 4 h");
}

void TestReplayReader::ages()
{
    QFETCH(double, seconds);
    QFETCH(QString, text);
    QCOMPARE(ReplayLogTiles::describeAge(seconds), text);
}

QTEST_GUILESS_MAIN(TestReplayReader)
#include "tst_replayreader.moc"
