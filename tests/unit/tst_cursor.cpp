// Unit tests of EntryId and Cursor: the replay log's entry ids and the cursors clients
// resume from (docs/resume.md).
#include "shared/cursor.h"

#include <QTest>

using push::Cursor;
using push::EntryId;

class TestCursor final : public QObject
{
    Q_OBJECT

private slots:
    void entryIdRoundTrips();
    void entryIdRejects_data();
    void entryIdRejects();
    void entryIdsCompareNumerically();
    void cursorSplitsAtLastDot();
    void cursorRejects_data();
    void cursorRejects();
};

void TestCursor::entryIdRoundTrips()
{
    const auto id = EntryId::parse("1764000000123-7");
    QVERIFY(id);
    QCOMPARE(id->ms, 1764000000123ull);
    QCOMPARE(id->seq, 7ull);
    QCOMPARE(id->toString(), QByteArray("1764000000123-7"));
    QCOMPARE(EntryId::parse("0-0")->isNull(), true);
    QCOMPARE(EntryId::parse("18446744073709551615-18446744073709551615")->seq,
             18446744073709551615ull);
}

void TestCursor::entryIdRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    for (const char *bad : {"", "-", "1-", "-1", "1", "1-2-3", "+1-2", "1- 2", " 1-2", "a-1",
                            "1-0x1", "18446744073709551616-0", "1.5-2"})
        QTest::newRow(bad[0] ? bad : "empty") << QByteArray(bad);
}

void TestCursor::entryIdRejects()
{
    QFETCH(QByteArray, text);
    QVERIFY(!EntryId::parse(text));
}

void TestCursor::entryIdsCompareNumerically()
{
    // As numbers, not as strings: "9-0" < "10-0" and "5-9" < "5-10".
    QVERIFY(*EntryId::parse("9-0") < *EntryId::parse("10-0"));
    QVERIFY(*EntryId::parse("5-9") < *EntryId::parse("5-10"));
    QVERIFY(*EntryId::parse("5-10") > *EntryId::parse("4-99"));
    QVERIFY(*EntryId::parse("5-1") == *EntryId::parse("5-1"));
    QVERIFY(*EntryId::parse("5-1") <= *EntryId::parse("5-1"));
    QCOMPARE(EntryId({5, 1}).next(), EntryId({5, 2}));
}

void TestCursor::cursorSplitsAtLastDot()
{
    const auto cursor = Cursor::parse("a1b2c3d4.1764000000123-0");
    QVERIFY(cursor);
    QCOMPARE(cursor->epoch, QStringLiteral("a1b2c3d4"));
    QCOMPARE(cursor->entry, EntryId({1764000000123, 0}));
    QCOMPARE(cursor->toString(), QByteArray("a1b2c3d4.1764000000123-0"));
    // An epoch may itself hold dots: only the last one splits.
    const auto dotted = Cursor::parse("x.y.5-6");
    QVERIFY(dotted);
    QCOMPARE(dotted->epoch, QStringLiteral("x.y"));
    QCOMPARE(dotted->entry, EntryId({5, 6}));
}

void TestCursor::cursorRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    for (const char *bad : {"", ".", "abc", ".1-2", "abc.", "abc.1", "abc.1-", "abc.1-2.",
                            "abc.1-2 ", "abc.-1-2", "12"})
        QTest::newRow(bad[0] ? bad : "empty") << QByteArray(bad);
}

void TestCursor::cursorRejects()
{
    QFETCH(QByteArray, text);
    QVERIFY(!Cursor::parse(text));
}

QTEST_APPLESS_MAIN(TestCursor)
#include "tst_cursor.moc"
