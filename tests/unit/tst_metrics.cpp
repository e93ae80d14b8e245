// metrics::Registry from several threads at once, as the I/O workers use it: subscribers
// come and go on one thread while another renders GET /metrics. Under scripts/dev.sh
// test-tsan this is the check that render()'s snapshot shares nothing with the registry
// after the lock is released (any report fails the run); everywhere it checks the
// counts.
#include "metrics/metrics.h"

#include <QTest>
#include <QThread>

#include <atomic>

using push::metrics::Registry;

class TestMetrics : public QObject
{
    Q_OBJECT

private slots:
    void renderWhileSubscribersChange();
};

void TestMetrics::renderWhileSubscribersChange()
{
    // The two threads take turns through a relaxed atomic, which orders nothing for
    // ThreadSanitizer: whatever orders render()'s reads before the next change must be
    // the registry's own locking. Each render() ends before the change that follows it,
    // which is when a snapshot still sharing the registry's hash would be written under.
    Registry registry;
    constexpr int kRounds = 200;
    std::atomic<int> turn{0}; // 0: render, 1: change
    QThread *changer = QThread::create([&registry, &turn] {
        for (int i = 0; i < kRounds; ++i) {
            while (turn.load(std::memory_order_relaxed) != 1)
                QThread::yieldCurrentThread();
            const QString tenant = QStringLiteral("t%1").arg(i % 7);
            registry.subscriberChanged("socketio", tenant, 1);
            registry.authFailure(QStringLiteral("expired"));
            turn.store(0, std::memory_order_relaxed);
        }
    });
    changer->start();
    for (int i = 0; i < kRounds; ++i) {
        while (turn.load(std::memory_order_relaxed) != 0)
            QThread::yieldCurrentThread();
        QVERIFY(registry.render().contains("# TYPE push_subscriptions gauge"));
        turn.store(1, std::memory_order_relaxed);
    }
    QVERIFY(changer->wait());
    delete changer;

    const QByteArray text = registry.render();
    QVERIFY(text.contains("push_subscriptions{transport=\"socketio\",tenant=\"t3\"} 29\n"));
    QVERIFY(text.contains("push_auth_failures_total{reason=\"expired\"} 200\n"));
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
