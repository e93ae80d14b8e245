#include "admincommands.h"
#include "pushservice.h"
#include "settings.h"
#include "shutdownsignals.h"
#include "tokencommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("push-service"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PUSH_VERSION));
    qSetMessagePattern(QStringLiteral(
        "%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}"
        "%{if-warning}warn%{endif}%{if-critical}error%{endif}%{if-fatal}fatal%{endif} "
        "%{category}: %{message}"));

    const QStringList arguments = app.arguments();
    if (arguments.size() > 1 &&
        (arguments.at(1) == QLatin1String("tenant") || arguments.at(1) == QLatin1String("config")))
        return push::core::runAdminCommand(arguments);
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("token"))
        return push::core::runTokenCommand(arguments);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Push gateway: domain events to Server-Sent Events and socket.io.\n"
                       "Administration: push-service tenant|config|token --help"));
    parser.addHelpOption();
    parser.addVersionOption();
    push::core::Settings::addOptions(parser);
    parser.process(app);

    push::core::Settings settings;
    QString error;
    if (!push::core::Settings::resolve(parser, &settings, &error)) {
        qCritical().noquote() << error;
        return 2;
    }
    QLoggingCategory::setFilterRules(push::core::Settings::loggingRules(settings.logLevel));

    push::core::PushService service(settings);
    if (!service.start(&error)) {
        qCritical().noquote() << "cannot start:" << error;
        return 1;
    }
    push::core::installShutdownSignals([&service] {
        service.stop();
        QCoreApplication::quit();
    });
    return app.exec();
}
