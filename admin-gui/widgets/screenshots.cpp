#include "screenshots.h"

#include "client/session.h"
#include "widgets/dashboardview.h"
#include "widgets/documentview.h"
#include "widgets/eventsview.h"
#include "widgets/mainwindow.h"
#include "widgets/replaypanel.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDir>
#include <QEventLoop>
#include <QLabel>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeWidget>

#include <cstdio>

namespace console {

namespace {

// The Events view's Replay page after a replay of `orders` from an hour ago.
bool replayScreenshot(MainWindow &window, const QString &file)
{
    window.tabs()->setCurrentIndex(MainWindow::EventsTab);
    ReplayPanel *panel = window.events()->replay();
    window.events()->pages()->setCurrentWidget(panel);
    panel->streamCombo()->setCurrentText(QStringLiteral("orders"));
    panel->timeEdit()->setDateTime(QDateTime::currentDateTime().addSecs(-3600));
    QEventLoop loop;
    QObject::connect(panel->reader(), &ReplayReader::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    panel->replay();
    if (panel->reader()->running())
        loop.exec();
    if (panel->table()->model()->rowCount() > 0)
        panel->table()->selectRow(panel->table()->model()->rowCount() - 1);
    for (int i = 0; i < 10; ++i)
        QApplication::processEvents();
    std::fprintf(stderr, "screenshot %s\n", qPrintable(file));
    return window.grab().save(file);
}

} // namespace

void takeScreenshots(MainWindow &window, const QString &directory)
{
    QDir().mkpath(directory);
    window.dashboard()->setInterval(1000); // a few points on the charts before the picture
    auto *ticks = new QTimer(&window);
    ticks->setInterval(500);
    auto waited = std::make_shared<int>(0);
    QObject::connect(ticks, &QTimer::timeout, &window, [&window, directory, ticks, waited] {
        // Ready when connected and the streams have entries; give the feed and the charts
        // a few seconds more. Give up after a minute.
        ++*waited;
        const bool ready = window.session() && window.streams()->tree()->topLevelItemCount() > 0;
        if ((!ready || *waited < 24) && *waited < 120) {
            if (*waited % 10 == 0)
                std::fprintf(stderr, "waiting: %s\n", qPrintable(window.statusLabel()->text()));
            return;
        }
        ticks->stop();
        window.resize(1280, 800);
        const QList<std::pair<int, const char *>> views{
            {MainWindow::DashboardTab, "dashboard"},
            {MainWindow::StreamsTab, "streams"},
            {MainWindow::WebhooksTab, "webhooks"},
            {MainWindow::SubscriptionsTab, "subscriptions"},
            {MainWindow::EventsTab, "events"}};
        int saved = 0;
        for (const auto &[tab, name] : views) {
            window.tabs()->setCurrentIndex(tab);
            if (tab == MainWindow::StreamsTab || tab == MainWindow::WebhooksTab) {
                DocumentView *view =
                    tab == MainWindow::StreamsTab ? window.streams() : window.webhooks();
                QTreeWidgetItem *group = view->tree()->topLevelItem(0);
                if (group && group->childCount() > 0)
                    view->tree()->setCurrentItem(group->child(group->childCount() - 1));
            }
            if (tab == MainWindow::EventsTab && window.events()->table()->model()->rowCount() > 0)
                window.events()->table()->selectRow(window.events()->table()->model()->rowCount() -
                                                    1);
            for (int i = 0; i < 10; ++i)
                QApplication::processEvents();
            const QString file =
                QDir(directory).filePath(QStringLiteral("%1.png").arg(QLatin1String(name)));
            if (window.grab().save(file))
                ++saved;
            std::fprintf(stderr, "screenshot %s\n", qPrintable(file));
        }
        saved += replayScreenshot(window, QDir(directory).filePath(QStringLiteral("replay.png")));
        QApplication::exit(saved == int(views.size()) + 1 ? 0 : 1);
    });
    ticks->start();
}

} // namespace console
