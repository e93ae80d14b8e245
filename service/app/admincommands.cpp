#include "admincommands.h"

#include "app/settings.h"
#include "config/configstore.h"
#include "shared/configuration.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QTextStream>

#include <optional>

namespace push::app {

namespace {

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString &message)
{
    err() << "push-service: " << message << Qt::endl;
    return 1;
}

// The tenant id named by --tenant (id, name or kebab name), or "" for --core.
bool resolveScope(const QCommandLineParser &parser, const config::ConfigStore &store,
                  QString *tenantId, QString *error)
{
    if (parser.isSet(QStringLiteral("core"))) {
        tenantId->clear();
        return true;
    }
    const QString reference = parser.value(QStringLiteral("tenant"));
    if (reference.isEmpty()) {
        *error = QStringLiteral("name a tenant with --tenant NAME, or --core");
        return false;
    }
    const std::optional<Tenant> tenant = store.findTenant(reference, error);
    if (tenant)
        *tenantId = tenant->id;
    return tenant.has_value();
}

// The JSON object in `path`, or nullopt with *error saying what is wrong with the file.
std::optional<QJsonObject> readDocument(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(printableKey(path));
        return std::nullopt;
    }
    // Pretty-printed JSON may be a few times its compact size; beyond that it cannot
    // fit the bound, and is refused before it is parsed.
    if (file.size() > 8 * kMaxConfigurationBytes) {
        *error = QStringLiteral("%1 is %2 bytes; a configuration is at most %3 bytes as "
                                "compact JSON; nothing was changed")
                     .arg(printableKey(path))
                     .arg(file.size())
                     .arg(kMaxConfigurationBytes);
        return std::nullopt;
    }
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1 is not valid JSON: %2 at offset %3")
                     .arg(printableKey(path), parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("%1 holds a JSON %2, not an object of streams keyed by id")
                     .arg(printableKey(path),
                          document.isArray() ? QStringLiteral("array") : QStringLiteral("value"));
        return std::nullopt;
    }
    return document.object();
}

void addAdminOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Administers the embedded store.\n"
        "  tenant list\n"
        "  tenant add --name NAME [--id ID] [--realm REALM]\n"
        "  config get (--tenant NAME | --core)\n"
        "  config set (--tenant NAME | --core) FILE.json   (validated; a new revision)"));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("data-dir"), QStringLiteral("Directory of the embedded store."),
         QStringLiteral("DIR")},
        {QStringLiteral("database-url"),
         QStringLiteral("PostgreSQL store instead (default: $PUSH_DATABASE_URL)."),
         QStringLiteral("URL")},
        {QStringLiteral("tenant"), QStringLiteral("Tenant id or name."), QStringLiteral("NAME")},
        {QStringLiteral("core"), QStringLiteral("The core (platform-wide) document.")},
        {QStringLiteral("name"), QStringLiteral("Tenant display name."), QStringLiteral("NAME")},
        {QStringLiteral("id"), QStringLiteral("Tenant id (default: the kebab name)."),
         QStringLiteral("ID")},
        {QStringLiteral("realm"), QStringLiteral("Keycloak realm (default: the id)."),
         QStringLiteral("REALM")},
    });
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("tenant or config"));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("list, add, get, set"));
}

int listTenants(const config::ConfigStore &store)
{
    const QList<Tenant> tenants = store.tenants();
    if (!store.readError().isEmpty())
        return fail(QStringLiteral("cannot read the tenants: %1").arg(store.readError()));
    for (const Tenant &tenant : tenants)
        out() << tenant.id << '\t' << tenant.name << '\t' << tenant.realm << Qt::endl;
    return 0;
}

int addTenant(const QCommandLineParser &parser, config::ConfigStore &store)
{
    Tenant tenant;
    tenant.name = parser.value(QStringLiteral("name"));
    if (tenant.name.isEmpty())
        return fail(QStringLiteral("--name is required"));
    tenant.id = parser.isSet(QStringLiteral("id")) ? parser.value(QStringLiteral("id"))
                                                   : toKebab(tenant.name);
    tenant.realm =
        parser.isSet(QStringLiteral("realm")) ? parser.value(QStringLiteral("realm")) : tenant.id;
    QString error;
    if (!store.addTenant(tenant, &error))
        return fail(error);
    out() << "added tenant " << tenant.id << " (" << tenant.urn() << ")" << Qt::endl;
    return 0;
}

int getConfiguration(const QCommandLineParser &parser, const config::ConfigStore &store)
{
    QString tenantId;
    QString error;
    if (!resolveScope(parser, store, &tenantId, &error))
        return fail(error);
    const auto revision = store.configuration(tenantId);
    if (!store.readError().isEmpty()) // not "no document yet"
        return fail(QStringLiteral("cannot read the configuration: %1").arg(store.readError()));
    out() << QJsonDocument(revision ? revision->document : QJsonObject()).toJson();
    return 0;
}

int setConfiguration(const QCommandLineParser &parser, config::ConfigStore &store)
{
    QString tenantId;
    QString error;
    if (!resolveScope(parser, store, &tenantId, &error))
        return fail(error);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() < 3)
        return fail(QStringLiteral("config set needs a JSON file"));
    const std::optional<QJsonObject> document = readDocument(positional.at(2), &error);
    if (!document)
        return fail(error);
    const QList<ValidationError> problems = validateConfiguration(*document);
    for (const ValidationError &problem : problems)
        err() << problem.message << Qt::endl;
    if (!problems.isEmpty())
        return fail(QStringLiteral("the configuration is not valid; nothing was changed"));
    const qint64 revision =
        store.saveConfiguration(tenantId, *document, QStringLiteral("cli"), &error);
    if (revision < 0)
        return fail(error);
    out() << "saved revision " << revision << Qt::endl;
    return 0;
}

} // namespace

int runAdminCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    addAdminOptions(parser);
    parser.process(arguments);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() < 2)
        return fail(QStringLiteral("usage: push-service (tenant|config) ACTION ...; see --help"));

    QString dataDir = parser.value(QStringLiteral("data-dir"));
    if (dataDir.isEmpty())
        dataDir = QString::fromLocal8Bit(qgetenv("PUSH_DATA_DIR"));
    if (dataDir.isEmpty())
        dataDir = Settings::defaultDataDir();
    config::ConfigStore store;
    QString error;
    if (!store.open(dataDir, Settings::databaseUrlOption(parser), &error) ||
        !store.seedIfEmpty(&error))
        return fail(error);

    const QString command = positional.at(0);
    const QString action = positional.at(1);
    if (command == QLatin1String("tenant") && action == QLatin1String("list"))
        return listTenants(store);
    if (command == QLatin1String("tenant") && action == QLatin1String("add"))
        return addTenant(parser, store);
    if (command == QLatin1String("config") && action == QLatin1String("get"))
        return getConfiguration(parser, store);
    if (command == QLatin1String("config") && action == QLatin1String("set"))
        return setConfiguration(parser, store);
    return fail(QStringLiteral("unknown command '%1 %2'; see --help").arg(command, action));
}

} // namespace push::app
