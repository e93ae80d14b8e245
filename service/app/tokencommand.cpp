#include "tokencommand.h"

#include "app/settings.h"
#include "auth/devissuer.h"
#include "config/configstore.h"
#include "shared/access.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace push::app {

namespace {

void addTokenOptions(QCommandLineParser &parser)
{
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
}

// The realm of the tenant named `tenantName` (id or name) in the store; empty with *error.
QString tenantRealm(const QCommandLineParser &parser, const QString &dataDir,
                    const QString &tenantName, QString *error)
{
    config::ConfigStore store;
    if (!store.open(dataDir, Settings::databaseUrlOption(parser), error) ||
        !store.seedIfEmpty(error))
        return QString();
    const std::optional<Tenant> tenant = store.findTenant(tenantName, error);
    return tenant ? tenant->realm : QString();
}

} // namespace

int runTokenCommand(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto fail = [&err](const QString &message) {
        err << "push-service token: " << message << Qt::endl;
        return 1;
    };
    QCommandLineParser parser;
    addTokenOptions(parser);
    parser.process(arguments);

    QString dataDir = parser.value(QStringLiteral("data-dir"));
    if (dataDir.isEmpty())
        dataDir = QString::fromLocal8Bit(qgetenv("PUSH_DATA_DIR"));
    if (dataDir.isEmpty())
        dataDir = Settings::defaultDataDir();
    const bool core = parser.isSet(QStringLiteral("core"));
    const QString tenantName = parser.value(QStringLiteral("tenant"));
    if (core == !tenantName.isEmpty())
        return fail(QStringLiteral("name a tenant with --tenant NAME, or --core"));
    auth::DevIssuer::TokenRequest request;
    QString error;
    request.realm = core ? QString(QLatin1String(kCoreRealm))
                         : tenantRealm(parser, dataDir, tenantName, &error);
    if (request.realm.isEmpty())
        return fail(error);
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
    if (!ok || request.ttlSeconds <= 0)
        return fail(QStringLiteral("--ttl must be a positive number of seconds"));
    auth::DevIssuer issuer;
    if (!issuer.open(dataDir, &error))
        return fail(error);
    out << issuer.mint(request) << Qt::endl;
    return 0;
}

} // namespace push::app
