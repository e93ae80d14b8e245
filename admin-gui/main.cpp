// push-console: parses the command line and shows the main window.
#include "widgets/mainwindow.h"
#include "widgets/screenshots.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

#include <memory>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("QtPushService"));
    QApplication::setApplicationName(QStringLiteral("push-console"));
    QApplication::setApplicationVersion(QStringLiteral(PUSH_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The admin console of Qt Push Service."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("settings"), QStringLiteral("Settings file (INI) instead of the user's."),
         QStringLiteral("FILE")},
        {QStringLiteral("connect"),
         QStringLiteral("Connect to this saved connection (name or id)."), QStringLiteral("NAME")},
        {QStringLiteral("screenshots"),
         QStringLiteral("Save a PNG of each view into DIR once connected, then quit."),
         QStringLiteral("DIR")},
    });
    parser.process(app);

    std::unique_ptr<QSettings> settings =
        parser.isSet(QStringLiteral("settings"))
            ? std::make_unique<QSettings>(parser.value(QStringLiteral("settings")),
                                          QSettings::IniFormat)
            : std::make_unique<QSettings>();
    console::MainWindow window(*settings);
    window.show();
    const QString target = parser.isSet(QStringLiteral("connect"))
                               ? parser.value(QStringLiteral("connect"))
                               : console::ConnectionStore::lastUsed(*settings);
    if (!target.isEmpty())
        window.connectTo(target);
    else if (window.connections().isEmpty())
        window.addConnection(); // the first start: a connection dialog, filled for localhost
    if (parser.isSet(QStringLiteral("screenshots")))
        console::takeScreenshots(window, parser.value(QStringLiteral("screenshots")));
    return app.exec();
}
