// The console's side of the replay log (docs/resume.md), the real push-console
// (offscreen) against a real push-service: the Events view replays a stream from a cursor
// and from a time, stops at its cap and reads on, can be cancelled, and shows a reset with
// its reason; the dashboard's replay log tiles show what /metrics says.
#include "consolehelpers.h"

#include "client/prometheus.h"
#include "client/replaymodel.h"
#include "client/replayreader.h"
#include "support/serviceprocess.h"
#include "widgets/dashboardview.h"
#include "widgets/eventsview.h"
#include "widgets/mainwindow.h"
#include "widgets/replaylogtiles.h"
#include "widgets/replaypanel.h"

#include <QComboBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace console;

// Every test function stands on its own: init() gives it a new main window over a settings
// file of its own, and the streams and events it replays are its own (stream ids no other
// function uses). The service keeps 20 entries per tenant, so that a trim is quick to see.
class TestReplay final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void replayFromACursorShowsWhatCameAfterIt();
    void replayFromATimeIncludesThatMillisecond();
    void capStopsTheReplayAndContinueReadsOn();
    void cancelStopsTheReplay();
    void resetIsShownWithItsReason_data();
    void resetIsShownWithItsReason();
    void trimmedStartIsAResetNotALaterStart();
    void dashboardTilesShowTheMetrics();

private:
    struct Published
    {
        QString cursor;
        qint64 ms = 0; // when the log appended it
    };
    // Publishes order-service:<stream> {id: n} to demo; its cursor and time.
    Published publish(const QString &stream, int n) const;
    // The Events view's Replay page, connected, with `stream` chosen once it is listed.
    ReplayPanel *openReplay(const QString &stream);
    // Presses Replay (or Continue) and waits for the run to end.
    static bool run(QPushButton *button, ReplayPanel *panel);
    static QStringList cursorsShown(const ReplayPanel *panel);
    static QList<int> idsShown(const ReplayPanel *panel);

    ServiceProcess m_service;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

void TestReplay::initTestCase()
{
    m_service.setEnv(QStringLiteral("PUSH_RESUME_MAX_LENGTH"), QStringLiteral("20"));
    QVERIFY(m_service.start());
}

void TestReplay::cleanupTestCase()
{
    m_service.stop();
}

void TestReplay::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("console.ini")),
                                             QSettings::IniFormat);
    m_window = std::make_unique<MainWindow>(*m_settings);
    m_window->show();
}

void TestReplay::cleanup()
{
    m_window.reset();
    m_settings.reset();
    m_dir.reset();
}

TestReplay::Published TestReplay::publish(const QString &stream, int n) const
{
    const ServiceProcess::Reply reply = m_service.publish(
        QStringLiteral("demo"),
        ServiceProcess::event(QStringLiteral("order-service"), stream, {{QStringLiteral("id"), n}},
                              QStringLiteral("%1-%2").arg(stream).arg(n)));
    const QString cursor = reply.json().value(QLatin1String("cursor")).toString();
    const QString entry = cursor.section(QLatin1Char('.'), -1);
    return {cursor, entry.section(QLatin1Char('-'), 0, 0).toLongLong()};
}

ReplayPanel *TestReplay::openReplay(const QString &stream)
{
    if (!consoletest::connectWindow(*m_window, m_service))
        return nullptr;
    m_window->tabs()->setCurrentIndex(MainWindow::EventsTab);
    ReplayPanel *panel = m_window->events()->replay();
    m_window->events()->pages()->setCurrentWidget(panel);
    // The stream list is read from the service when the session is ready.
    if (!QTest::qWaitFor([&] { return panel->streamCombo()->findText(stream) >= 0; }, 10000))
        return nullptr;
    panel->streamCombo()->setCurrentText(stream);
    return panel;
}

bool TestReplay::run(QPushButton *button, ReplayPanel *panel)
{
    if (!button->isEnabled())
        return false;
    QTest::mouseClick(button, Qt::LeftButton);
    return QTest::qWaitFor([&] { return !panel->reader()->running(); }, 10000);
}

QStringList TestReplay::cursorsShown(const ReplayPanel *panel)
{
    QStringList cursors;
    const ReplayModel *model = panel->model();
    for (int row = 0; row < model->rowCount(); ++row)
        cursors.append(model->data(model->index(row, ReplayModel::Cursor)).toString());
    return cursors;
}

QList<int> TestReplay::idsShown(const ReplayPanel *panel)
{
    QList<int> ids;
    for (int row = 0; row < panel->model()->rowCount(); ++row)
        ids.append(panel->model()
                       ->at(row)
                       .value(QLatin1String("payload"))
                       .toObject()
                       .value(QLatin1String("id"))
                       .toInt());
    return ids;
}

void TestReplay::replayFromACursorShowsWhatCameAfterIt()
{
    const QString stream = QStringLiteral("replay-cursor");
    QVERIFY(consoletest::addStream(m_service, stream, QStringLiteral("Replay from a cursor")));
    QVERIFY(consoletest::addStream(m_service, stream + QStringLiteral("-other"),
                                   QStringLiteral("Beside it")));
    const Published a = publish(stream, 1);
    publish(stream + QStringLiteral("-other"), 2); // in the log, not of this stream
    const Published c = publish(stream, 3);
    const Published d = publish(stream, 4);
    ReplayPanel *panel = openReplay(stream);
    QVERIFY(panel);
    panel->fromCursorButton()->setChecked(true);
    panel->cursorEdit()->setText(a.cursor);
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(cursorsShown(panel), QStringList({c.cursor, d.cursor}));
    QCOMPARE(idsShown(panel), QList<int>({3, 4}));
    QVERIFY2(panel->statusLabel()->text().startsWith(QLatin1String("Replayed 2 item")),
             qPrintable(panel->statusLabel()->text()));
    // Each row says when the log appended it, from its cursor.
    const ReplayModel *model = panel->model();
    QCOMPARE(
        model->data(model->index(0, ReplayModel::Appended)).toString(),
        QDateTime::fromMSecsSinceEpoch(c.ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    QCOMPARE(model->data(model->index(1, ReplayModel::Event)).toString(),
             QStringLiteral("order-service:replay-cursor"));
}

void TestReplay::replayFromATimeIncludesThatMillisecond()
{
    const QString stream = QStringLiteral("replay-time");
    QVERIFY(consoletest::addStream(m_service, stream, QStringLiteral("Replay from a time")));
    const Published a = publish(stream, 1);
    // The next entry in a later millisecond than a (the log numbers by the same clock).
    QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > a.ms);
    const Published b = publish(stream, 2);
    const Published c = publish(stream, 3);
    QVERIFY(b.ms > a.ms);
    ReplayPanel *panel = openReplay(stream);
    QVERIFY(panel);
    panel->timeEdit()->setDateTime(QDateTime::fromMSecsSinceEpoch(b.ms));
    QVERIFY(panel->fromTimeButton()->isChecked()); // choosing a time chose "From time"
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(cursorsShown(panel), QStringList({b.cursor, c.cursor}));
    // From a's millisecond: a as well.
    panel->timeEdit()->setDateTime(QDateTime::fromMSecsSinceEpoch(a.ms));
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(cursorsShown(panel), QStringList({a.cursor, b.cursor, c.cursor}));
    QCOMPARE(panel->reader()->resetReason(), QString());
}

void TestReplay::capStopsTheReplayAndContinueReadsOn()
{
    const QString stream = QStringLiteral("replay-cap");
    QVERIFY(consoletest::addStream(m_service, stream, QStringLiteral("Replay with a cap")));
    QList<Published> published;
    for (int n = 1; n <= 5; ++n)
        published.append(publish(stream, n));
    ReplayPanel *panel = openReplay(stream);
    QVERIFY(panel);
    panel->cursorEdit()->setText(published.first().cursor);
    panel->fromCursorButton()->setChecked(true);
    panel->capSpin()->setValue(3);
    QVERIFY(!panel->continueButton()->isEnabled());
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(idsShown(panel), QList<int>({2, 3, 4}));
    QVERIFY2(panel->statusLabel()->text().contains(published.at(3).cursor),
             qPrintable(panel->statusLabel()->text())); // where it stopped
    QVERIFY(panel->continueButton()->isEnabled());
    QVERIFY(run(panel->continueButton(), panel));
    QCOMPARE(idsShown(panel), QList<int>({2, 3, 4, 5})); // below what was shown
    QVERIFY(!panel->continueButton()->isEnabled());      // the end of the log
}

void TestReplay::cancelStopsTheReplay()
{
    const QString stream = QStringLiteral("replay-cancel");
    QVERIFY(consoletest::addStream(m_service, stream, QStringLiteral("Replay cancelled")));
    const Published a = publish(stream, 1);
    const Published b = publish(stream, 2);
    ReplayPanel *panel = openReplay(stream);
    QVERIFY(panel);
    panel->cursorEdit()->setText(a.cursor);
    panel->fromCursorButton()->setChecked(true);
    QTest::mouseClick(panel->replayButton(), Qt::LeftButton);
    QVERIFY(panel->reader()->running()); // its first page is not answered yet
    QVERIFY(panel->cancelButton()->isEnabled());
    QTest::mouseClick(panel->cancelButton(), Qt::LeftButton);
    QVERIFY(!panel->reader()->running());
    QVERIFY(panel->statusLabel()->text().startsWith(QLatin1String("Cancelled")));
    QVERIFY(panel->replayButton()->isEnabled());
    // The status bar's Cancel (every call in flight) stops it as well.
    QTest::mouseClick(panel->replayButton(), Qt::LeftButton);
    QVERIFY(panel->reader()->running());
    auto *cancelCalls = m_window->findChild<QPushButton *>(QStringLiteral("cancelCalls"));
    QVERIFY(cancelCalls);
    cancelCalls->click();
    QVERIFY(!panel->reader()->running());
    QVERIFY(panel->statusLabel()->text().startsWith(QLatin1String("Cancelled")));
    // The cancelled pages never show: a run after them shows its own items, once.
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(cursorsShown(panel), QStringList({b.cursor}));
}

void TestReplay::resetIsShownWithItsReason_data()
{
    QTest::addColumn<QString>("cursor");
    QTest::addColumn<QString>("reason");
    QTest::newRow("not a cursor") << QStringLiteral("not-a-cursor")
                                  << QStringLiteral("invalid-cursor");
    QTest::newRow("another log") << QStringLiteral("00000000.1-0")
                                 << QStringLiteral("epoch-changed");
}

void TestReplay::resetIsShownWithItsReason()
{
    QFETCH(QString, cursor);
    QFETCH(QString, reason);
    const QString stream = QStringLiteral("replay-reset");
    QVERIFY(consoletest::addStream(m_service, stream, QStringLiteral("Replay reset")));
    publish(stream, 1); // something the head could be read on from
    ReplayPanel *panel = openReplay(stream);
    QVERIFY(panel);
    panel->cursorEdit()->setText(cursor);
    panel->fromCursorButton()->setChecked(true);
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(panel->reader()->resetReason(), reason);
    QVERIFY2(panel->statusLabel()->text().startsWith(QStringLiteral("Reset (%1)").arg(reason)),
             qPrintable(panel->statusLabel()->text()));
    QVERIFY(panel->statusLabel()->styleSheet().contains(QLatin1String("color")));
    QCOMPARE(panel->model()->rowCount(), 0); // not read on from the head
    QVERIFY(!panel->continueButton()->isEnabled());
}

void TestReplay::trimmedStartIsAResetNotALaterStart()
{
    const QString stream = QStringLiteral("replay-trimmed");
    QVERIFY(consoletest::addStream(m_service, stream, QStringLiteral("Replay trimmed")));
    const QDateTime before = QDateTime::currentDateTime();
    QList<Published> published;
    for (int n = 1; n <= 22; ++n) // the log keeps 20: the first two are trimmed
        published.append(publish(stream, n));
    ReplayPanel *panel = openReplay(stream);
    QVERIFY(panel);
    // From a time before the first: its entries are gone, and the console says so.
    panel->timeEdit()->setDateTime(before);
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(panel->reader()->resetReason(), QStringLiteral("cursor-expired"));
    QVERIFY2(panel->statusLabel()->text().contains(QLatin1String("trimmed")),
             qPrintable(panel->statusLabel()->text()));
    QCOMPARE(panel->model()->rowCount(), 0);
    // From the first one's cursor alike: the second, after it, is gone.
    panel->cursorEdit()->setText(published.first().cursor);
    panel->fromCursorButton()->setChecked(true);
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(panel->reader()->resetReason(), QStringLiteral("cursor-expired"));
    QCOMPARE(panel->model()->rowCount(), 0);
    // From the second's (the newest trimmed): nothing after it is lost, the 20 follow.
    panel->cursorEdit()->setText(published.at(1).cursor);
    QVERIFY(run(panel->replayButton(), panel));
    QCOMPARE(panel->reader()->resetReason(), QString());
    QCOMPARE(panel->model()->rowCount(), 20);
    QCOMPARE(idsShown(panel).first(), 3);
    QCOMPARE(idsShown(panel).last(), 22);
}

void TestReplay::dashboardTilesShowTheMetrics()
{
    const QString stream = QStringLiteral("replay-dashboard");
    QVERIFY(consoletest::addStream(m_service, stream, QStringLiteral("Replay dashboard")));
    publish(stream, 1);
    // A reset of each reason the console can cause, so that their tiles are not all 0.
    QCOMPARE(
        m_service
            .get(QStringLiteral("/stream/v1/streams/%1/events?tenant=demo&after=nope").arg(stream))
            .json()
            .value(QLatin1String("reset"))
            .toString(),
        QStringLiteral("invalid-cursor"));
    QVERIFY(consoletest::connectWindow(*m_window, m_service));
    DashboardView *dashboard = m_window->dashboard();
    dashboard->setInterval(3600 * 1000); // samples only when told to
    m_window->tabs()->setCurrentIndex(MainWindow::DashboardTab);
    QTRY_VERIFY(dashboard->samples() >= 1); // the one made on connecting
    const int samples = dashboard->samples();
    // Nothing is published meanwhile: only the age moves, and it is bracketed by two scrapes.
    const QList<Sample> before = parsePrometheus(m_service.get(QStringLiteral("/metrics")).body);
    dashboard->sample();
    QTRY_COMPARE(dashboard->samples(), samples + 1);
    const QList<Sample> after = parsePrometheus(m_service.get(QStringLiteral("/metrics")).body);
    const ReplayLogTiles *tiles = dashboard->replayLog();
    const double entries = sumOf(after, QStringLiteral("push_resume_log_entries"));
    QVERIFY(entries >= 1);
    QCOMPARE(sumOf(before, QStringLiteral("push_resume_log_entries")), entries);
    QCOMPARE(tiles->entries()->property("value").toDouble(), entries);
    QCOMPARE(tiles->entries()->text(), QLocale().toString(qint64(entries)));
    const double bytes = sumOf(after, QStringLiteral("push_resume_log_bytes"));
    QCOMPARE(tiles->bytes()->property("value").toDouble(), bytes);
    QCOMPARE(tiles->bytes()->text(), QLocale().formattedDataSize(qint64(bytes)));
    const QString age = QStringLiteral("push_resume_log_oldest_age_seconds");
    const double shownAge = tiles->oldestAge()->property("value").toDouble();
    QVERIFY2(sumOf(before, age) <= shownAge && shownAge <= sumOf(after, age),
             qPrintable(QStringLiteral("%1 <= %2 <= %3")
                            .arg(sumOf(before, age))
                            .arg(shownAge)
                            .arg(sumOf(after, age))));
    QCOMPARE(tiles->oldestAge()->text(), ReplayLogTiles::describeAge(shownAge));
    for (const QString &reason : {QStringLiteral("invalid-cursor"), QStringLiteral("epoch-changed"),
                                  QStringLiteral("cursor-expired")}) {
        const QHash<QString, QString> labels{{QStringLiteral("reason"), reason}};
        const double resets = sumOf(after, QStringLiteral("push_resume_resets_total"), labels);
        QVERIFY2(tiles->resets(reason), qPrintable(reason));
        QCOMPARE(tiles->resets(reason)->property("value").toDouble(), resets);
    }
    QVERIFY(tiles->resets(QStringLiteral("invalid-cursor"))->property("value").toDouble() >= 1);
}

QTEST_MAIN(TestReplay)
#include "tst_replay.moc"
