#include "app/admincommands.h"
#include "app/pushservice.h"
#include "app/settings.h"
#include "app/shutdownsignals.h"
#include "app/systemd.h"
#include "app/tokencommand.h"
#include "platform/platform.h"
#include "platform/winservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

namespace {

// The service itself, until SIGTERM (or on Windows a console event or the service's stop).
int runDaemon(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Push gateway: domain events to Server-Sent Events and socket.io.\n"
                       "Administration: push-service tenant|config|token --help"));
    parser.addHelpOption();
    parser.addVersionOption();
    push::app::Settings::addOptions(parser);
    parser.process(arguments);

    push::app::Settings settings;
    QString error;
    if (!push::app::Settings::resolve(parser, &settings, &error)) {
        qCritical().noquote() << error;
        return 2;
    }
    QLoggingCategory::setFilterRules(push::app::Settings::loggingRules(settings.logLevel));

    push::app::PushService service(settings);
    if (!service.start(&error)) {
        qCritical().noquote() << "cannot start:" << error;
        return 1;
    }
    push::app::installShutdownSignals([&service] {
        push::app::systemd::notifyStopping();
        push::platform::reportServiceStopping();
        service.stop();
        QCoreApplication::quit();
    });
    // systemctl reload: the log level changes live; the rest is named for a restart.
    push::app::installReloadSignal([&parser, &settings] {
        push::app::systemd::notifyReloading();
        push::app::Settings fresh;
        QString why;
        if (!push::app::Settings::resolve(parser, &fresh, &why)) {
            qWarning().noquote() << "reload: settings not applied:" << why;
        } else {
            const QStringList changed = settings.changedKeys(fresh);
            if (changed.contains(QLatin1String("service/logLevel"))) {
                settings.logLevel = fresh.logLevel;
                QLoggingCategory::setFilterRules(
                    push::app::Settings::loggingRules(settings.logLevel));
            }
            qInfo().noquote() << "reload: settings re-read;"
                              << (changed.contains(QLatin1String("service/logLevel"))
                                      ? QStringLiteral("log level now %1").arg(settings.logLevel)
                                      : QStringLiteral("log level unchanged"));
            for (const QString &key : changed)
                if (key != QLatin1String("service/logLevel"))
                    qWarning().noquote() << "reload:" << key << "changed: takes effect at restart";
        }
        push::app::systemd::notifyReady(QStringLiteral("serving (settings reloaded)"));
    });
    push::app::systemd::notifyReady(
        QStringLiteral("serving on %1:%2").arg(settings.bind.toString()).arg(service.port()));
    push::platform::reportServiceRunning();
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    push::platform::useStandardStreams();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("push-service"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PUSH_VERSION));
    // Under systemd, lines carry their syslog priority so that journalctl -p works.
    qSetMessagePattern(push::app::systemd::messagePattern(push::app::systemd::stderrIsJournal()));

    const QStringList arguments = app.arguments();
    const QString command = arguments.value(1);
    if (command == QLatin1String("tenant") || command == QLatin1String("config"))
        return push::app::runAdminCommand(arguments);
    if (command == QLatin1String("token"))
        return push::app::runTokenCommand(arguments);
    if (command == QLatin1String("service")) // Windows only (winservice.h)
        return push::platform::runServiceCommand(arguments, runDaemon);
    return runDaemon(arguments);
}
