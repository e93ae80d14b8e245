// Unit tests of Deduplicator (event ids seen within a window, bounded) and LogThrottle.
#include "shared/deduplicator.h"
#include "shared/logthrottle.h"

#include <QTest>

#include <thread>
#include <vector>

using namespace std::chrono_literals;
using push::Deduplicator;
using push::LogThrottle;

class TestDeduplicator final : public QObject
{
    Q_OBJECT

private slots:
    void repeatWithinWindowIsDuplicate();
    void repeatAfterWindowIsNew();
    void capacityForgetsOldest();
    void threadsAgreeOnOneFirst();
    void throttleCountsHeldLines();
};

void TestDeduplicator::repeatWithinWindowIsDuplicate()
{
    Deduplicator seen(100, 10s);
    const auto t0 = Deduplicator::Clock::now();
    QVERIFY(seen.firstSeen(QStringLiteral("a"), t0));
    QVERIFY(seen.firstSeen(QStringLiteral("b"), t0));
    QVERIFY(!seen.firstSeen(QStringLiteral("a"), t0 + 9s));
    QCOMPARE(seen.size(), 2);
}

void TestDeduplicator::repeatAfterWindowIsNew()
{
    Deduplicator seen(100, 10s);
    const auto t0 = Deduplicator::Clock::now();
    QVERIFY(seen.firstSeen(QStringLiteral("a"), t0));
    QVERIFY(seen.firstSeen(QStringLiteral("a"), t0 + 10s));
    QVERIFY(!seen.firstSeen(QStringLiteral("a"), t0 + 11s));
}

void TestDeduplicator::capacityForgetsOldest()
{
    Deduplicator seen(3, 1h);
    const auto t0 = Deduplicator::Clock::now();
    for (const char *key : {"a", "b", "c", "d"})
        QVERIFY(seen.firstSeen(QString::fromLatin1(key), t0));
    QCOMPARE(seen.size(), 3);
    QVERIFY(seen.firstSeen(QStringLiteral("a"), t0)); // forgotten: the oldest
    QVERIFY(!seen.firstSeen(QStringLiteral("d"), t0));
}

void TestDeduplicator::threadsAgreeOnOneFirst()
{
    Deduplicator seen(100000, 1h);
    std::atomic<int> firsts{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i)
                if (seen.firstSeen(QString::number(i)))
                    ++firsts;
        });
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(firsts.load(), 5000);
}

void TestDeduplicator::throttleCountsHeldLines()
{
    LogThrottle throttle(10s);
    const auto t0 = LogThrottle::Clock::now();
    QCOMPARE(throttle.allow(t0), 0);
    QCOMPARE(throttle.allow(t0 + 1s), -1);
    QCOMPARE(throttle.allow(t0 + 2s), -1);
    QCOMPARE(throttle.allow(t0 + 10s), 2);
    QCOMPARE(LogThrottle::suppressed(2), QStringLiteral("(and 2 more like it)"));
    QVERIFY(LogThrottle::suppressed(0).isEmpty());
}

QTEST_APPLESS_MAIN(TestDeduplicator)
#include "tst_deduplicator.moc"
