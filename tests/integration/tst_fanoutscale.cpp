// The foundation's acceptance check: 1,000 concurrent SSE subscribers on one stream each
// receive all of 1,000 events, in order, and the service's memory returns to its
// baseline once they disconnect. Asserts delivery and memory, never time.
#include "support/serviceprocess.h"
#include "support/sseclient.h"

#include <QJsonDocument>
#include <QtTest>

#include <memory>
#include <vector>

class TestFanoutScale final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void thousandSubscribersThousandEvents();

private:
    qint64 health(const char *key) const
    {
        return m_service.get("/health").json().value(QLatin1String(key)).toInteger(-1);
    }
    void round(int subscribers, int events);

    ServiceProcess m_service;
};

void TestFanoutScale::initTestCase()
{
    QVERIFY(m_service.start());
}

void TestFanoutScale::round(int subscriberCount, int eventCount)
{
    struct Tally
    {
        int received = 0;
        int outOfOrder = 0;
        int expectedNext = 0;
    };
    std::vector<std::unique_ptr<SseClient>> clients;
    std::vector<Tally> tallies(static_cast<size_t>(subscriberCount));
    for (int i = 0; i < subscriberCount; ++i) {
        auto client = std::make_unique<SseClient>();
        Tally *tally = &tallies[size_t(i)];
        client->setSink([tally](const SseClient::Event &event) {
            const int n = QJsonDocument::fromJson(event.data)
                              .object()
                              .value(QLatin1String("payload"))
                              .toObject()
                              .value(QLatin1String("n"))
                              .toInt(-1);
            if (n != tally->expectedNext)
                ++tally->outOfOrder;
            tally->expectedNext = n + 1;
            ++tally->received;
        });
        client->open(m_service.port(), "/stream/v1/streams/application-health?tenant=demo");
        clients.push_back(std::move(client));
    }
    QTRY_COMPARE_WITH_TIMEOUT(health("subscribers"), qint64(subscriberCount), 30000);

    for (int n = 0; n < eventCount; ++n) {
        const auto reply = m_service.publish(
            "demo", ServiceProcess::event("status-service", "health-check-started",
                                          {{"n", n}, {"check", "https://example.org/health"}}));
        QCOMPARE(reply.status, 200);
    }
    const auto allReceived = [&] {
        for (const Tally &tally : tallies) {
            if (tally.received < eventCount)
                return false;
        }
        return true;
    };
    QTRY_VERIFY_WITH_TIMEOUT(allReceived(), 120000);
    for (size_t i = 0; i < tallies.size(); ++i) {
        QCOMPARE(tallies[i].received, eventCount);
        QCOMPARE(tallies[i].outOfOrder, 0);
    }
    clients.clear(); // disconnect every one
    QTRY_COMPARE_WITH_TIMEOUT(health("subscribers"), 0, 30000);
    // Just this /health request: every other connection closed, at the latest by the idle
    // sweep (60 s by default). In 2 of ~14 loaded runs one connection stayed open until that
    // sweep (between 30 and 60 s); which one is not known yet (docs/reliability.md).
    // Asked once per try: QTRY_COMPARE asks again after it succeeds, and that second
    // /health can arrive before the server has seen the first one's connection close.
    qint64 connections = -1;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     connections = health("connections");
                     return connections == 1;
                 },
                 90000),
             qPrintable(QStringLiteral("connections: %1").arg(connections)));
}

void TestFanoutScale::thousandSubscribersThousandEvents()
{
    // A small warm-up round first: the baseline is the service having served once
    // (thread arenas, caches), not the service that never did anything.
    round(50, 10);
    const qint64 baseline = m_service.residentKiB();
    QVERIFY(baseline > 0);

    round(1000, 1000);

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    // AddressSanitizer keeps freed memory in its quarantine (256 MB) and its allocator
    // does not hand pages back as glibc's does: resident memory cannot return to the
    // baseline. Under ASan the service's LeakSanitizer check at exit stands in for this.
    // ThreadSanitizer's allocator does not either, and its shadow memory and per-thread
    // clocks grow with what the run touched (scripts/dev.sh test-tsan): nothing to
    // compare there, the test is for the races.
    qInfo() << "resident KiB: baseline" << baseline << "after" << m_service.residentKiB()
            << "(not compared under a sanitizer)";
    return;
#endif
    qint64 after = -1;
    const qint64 allowance = std::max<qint64>(baseline / 10, 4096); // 10 % or 4 MiB
    // Memory is handed back in the service's periodic sweep: give it a few seconds.
    const auto settled = [&] {
        after = m_service.residentKiB();
        return after <= baseline + allowance;
    };
    [[maybe_unused]] const bool inTime = QTest::qWaitFor(settled, 15000);
    QVERIFY2(settled(), qPrintable(QStringLiteral("resident KiB: baseline %1, after %2, allowed %3")
                                       .arg(baseline)
                                       .arg(after)
                                       .arg(baseline + allowance)));
    qInfo() << "resident KiB: baseline" << baseline << "after 1,000 x 1,000 and disconnect"
            << after;
}

QTEST_MAIN(TestFanoutScale)
#include "tst_fanoutscale.moc"
