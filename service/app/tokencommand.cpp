#include "tokencommand.h"

#include "app/settings.h"
#include "auth/devissuer.h"
#include "config/configstore.h"
#include "shared/access.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace push::app {

int runTokenCommand(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints an access token of the development issuer (trusted by a service whose\n"
        "development issuer is on). A plain role goes to realm_access.roles; a qualified\n"
        "one, <client>:<role> (split at the last colon), to resource_access[<client>].roles.\n"
        "Example: push-service token --tenant demo --roles "
        "urn:ads:platform:push-service:stream-listener,urn:ads:platform:event-service:event-"
        "sender"));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("data-dir"), QStringLiteral("The service's data directory."),
         QStringLiteral("DIR")},
        {QStringLiteral("database-url"),
         QStringLiteral("PostgreSQL store instead (default: $PUSH_DATABASE_URL)."),
         QStringLiteral("URL")},
        {QStringLiteral("tenant"), QStringLiteral("A user of this tenant (id or name)."),
         QStringLiteral("NAME")},
        {QStringLiteral("core"), QStringLiteral("A core (platform) user.")},
        {QStringLiteral("sub"), QStringLiteral("Subject (default: dev-user)."),
         QStringLiteral("ID")},
        {QStringLiteral("name"), QStringLiteral("Display name."), QStringLiteral("NAME")},
        {QStringLiteral("email"), QStringLiteral("E-mail address."), QStringLiteral("EMAIL")},
        {QStringLiteral("roles"), QStringLiteral("Comma-separated roles."), QStringLiteral("LIST")},
        {QStringLiteral("ttl"), QStringLiteral("Lifetime in seconds (default 3600)."),
         QStringLiteral("SECONDS")},
    });
    parser.process(arguments);

    QString dataDir = parser.value(QStringLiteral("data-dir"));
    if (dataDir.isEmpty())
        dataDir = QString::fromLocal8Bit(qgetenv("PUSH_DATA_DIR"));
    if (dataDir.isEmpty())
        dataDir = Settings::defaultDataDir();
    const bool core = parser.isSet(QStringLiteral("core"));
    const QString tenantName = parser.value(QStringLiteral("tenant"));
    if (core == !tenantName.isEmpty()) {
        err << "push-service token: name a tenant with --tenant NAME, or --core" << Qt::endl;
        return 1;
    }
    auth::DevIssuer::TokenRequest request;
    request.realm = QLatin1String(kCoreRealm);
    if (!core) {
        config::ConfigStore store;
        QString error;
        if (!store.open(dataDir, Settings::databaseUrlOption(parser), &error) ||
            !store.seedIfEmpty(&error)) {
            err << "push-service token: " << error << Qt::endl;
            return 1;
        }
        request.realm.clear();
        for (const Tenant &tenant : store.tenants()) {
            if (tenant.id == tenantName || tenantNameMatches(tenantName, tenant.name))
                request.realm = tenant.realm;
        }
        if (request.realm.isEmpty()) {
            err << "push-service token: tenant '" << tenantName << "' not found" << Qt::endl;
            return 1;
        }
    }
    request.subject = parser.isSet(QStringLiteral("sub")) ? parser.value(QStringLiteral("sub"))
                                                          : QStringLiteral("dev-user");
    request.name = parser.value(QStringLiteral("name"));
    request.email = parser.value(QStringLiteral("email"));
    request.roles =
        parser.value(QStringLiteral("roles")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (QString &role : request.roles)
        role = role.trimmed();
    bool ok = true;
    request.ttlSeconds =
        parser.isSet(QStringLiteral("ttl")) ? parser.value(QStringLiteral("ttl")).toInt(&ok) : 3600;
    if (!ok || request.ttlSeconds <= 0) {
        err << "push-service token: --ttl must be a positive number of seconds" << Qt::endl;
        return 1;
    }
    auth::DevIssuer issuer;
    QString error;
    if (!issuer.open(dataDir, &error)) {
        err << "push-service token: " << error << Qt::endl;
        return 1;
    }
    out << issuer.mint(request) << Qt::endl;
    return 0;
}

} // namespace push::app
