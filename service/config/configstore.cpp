#include "configstore.h"

#include "shared/configuration.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>
#include <QVariant>

#include <algorithm>
#include <limits>

Q_LOGGING_CATEGORY(lcStore, "push.config")

namespace push::config {

namespace {

constexpr int kSchemaVersion = 1;
const QString kService = QStringLiteral("platform:push-service");
const QString kChannel = QStringLiteral("push_service_configuration"); // LISTEN/NOTIFY
constexpr int kMigrationLock = 7243001;

// The core (platform-wide) document is stored under tenant_id '*', which no tenant id
// can be.
QString scope(const QString &tenantId)
{
    return tenantId.isEmpty() ? QStringLiteral("*") : tenantId;
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace

ConfigStore::ConfigStore()
    : m_connectionName(QStringLiteral("push-store-") + QUuid::createUuid().toString(QUuid::Id128))
{}

ConfigStore::~ConfigStore()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool ConfigStore::open(const QString &dataDir, const QString &databaseUrl, QString *error)
{
    if (databaseUrl.isEmpty())
        return open(dataDir, error);
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        *error = QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed; on Debian: "
                                "apt install libqt6sql6-psql");
        return false;
    }
    const QUrl url(databaseUrl);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
    db.setHostName(url.host());
    db.setPort(url.port(5432));
    db.setUserName(url.userName());
    db.setPassword(url.password());
    db.setDatabaseName(url.path().mid(1));
    // libpq keywords from the query: ?sslmode=require&connect_timeout=5
    QStringList options{QStringLiteral("connect_timeout=10")};
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
        options.append(key + QLatin1Char('=') + value);
    db.setConnectOptions(options.join(QLatin1Char(';')));
    m_postgres = true;
    if (!db.open()) {
        *error = QStringLiteral("cannot open %1: %2")
                     .arg(url.toDisplayString(QUrl::RemovePassword), db.lastError().text());
        return false;
    }
    return migrate(error);
}

bool ConfigStore::open(const QString &dataDir, QString *error)
{
    if (!QDir().mkpath(dataDir)) {
        *error = QStringLiteral("cannot create data directory %1").arg(dataDir);
        return false;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("push-service.db")));
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    m_dataDir = dataDir;
    if (!db.open()) {
        *error = QStringLiteral("cannot open %1: %2").arg(db.databaseName(), db.lastError().text());
        return false;
    }
    QSqlQuery pragma(db);
    for (const char *statement :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
        if (!pragma.exec(QString::fromLatin1(statement))) {
            *error = pragma.lastError().text();
            return false;
        }
    }
    return migrate(error);
}

bool ConfigStore::isOpen() const
{
    return QSqlDatabase::database(m_connectionName, false).isOpen();
}

bool ConfigStore::ping() const
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    const bool ok = query.exec(QStringLiteral("SELECT count(*) FROM tenants")) && query.next();
    noteReadError(query);
    return ok;
}

qint64 ConfigStore::dataVersion() const
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    const QString sql = m_postgres
                            ? QStringLiteral("SELECT (SELECT count(*) FROM tenants) * 1000003 +"
                                             " (SELECT count(*) FROM configuration_revisions)")
                            : QStringLiteral("PRAGMA data_version");
    const bool ran = query.exec(sql) && query.next();
    noteReadError(query);
    return ran ? query.value(0).toLongLong() : -1;
}

bool ConfigStore::watchChanges(QObject *context, std::function<void()> onChange)
{
    if (!m_postgres)
        return false;
    QSqlDriver *driver = QSqlDatabase::database(m_connectionName, false).driver();
    if (!driver || !driver->subscribeToNotification(kChannel))
        return false;
    m_listening = true;
    QObject::connect(driver, &QSqlDriver::notification, context,
                     [onChange = std::move(onChange)](const QString &name) {
                         if (name == kChannel)
                             onChange();
                     });
    return true;
}

void ConfigStore::notifyChange(QSqlQuery &query)
{
    // Delivered to every listening instance when the transaction commits.
    if (m_postgres && !query.exec(QStringLiteral("NOTIFY ") + kChannel))
        qCWarning(lcStore) << "cannot notify other instances:" << query.lastError().text();
}

bool ConfigStore::migrate(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery query(db);
    // Names are unique ignoring case: SQLite's NOCASE collation, PostgreSQL's index on lower().
    const QString tenants = m_postgres ? QStringLiteral("CREATE TABLE IF NOT EXISTS tenants ("
                                                        " id TEXT PRIMARY KEY,"
                                                        " name TEXT NOT NULL,"
                                                        " realm TEXT NOT NULL UNIQUE,"
                                                        " created_at TEXT NOT NULL)")
                                       : QStringLiteral("CREATE TABLE IF NOT EXISTS tenants ("
                                                        " id TEXT PRIMARY KEY,"
                                                        " name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
                                                        " realm TEXT NOT NULL UNIQUE,"
                                                        " created_at TEXT NOT NULL)");
    QStringList schema = {
        QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"),
        tenants,
        // tenant_id '*' is the core (platform-wide) document.
        QStringLiteral("CREATE TABLE IF NOT EXISTS configuration_revisions ("
                       " tenant_id TEXT NOT NULL,"
                       " service TEXT NOT NULL,"
                       " revision INTEGER NOT NULL,"
                       " document TEXT NOT NULL,"
                       " author TEXT,"
                       " created_at TEXT NOT NULL,"
                       " PRIMARY KEY (tenant_id, service, revision))"),
        // Keys the instances share (the socket.io recovery key): made once, never changed.
        QStringLiteral("CREATE TABLE IF NOT EXISTS service_secrets ("
                       " name TEXT PRIMARY KEY,"
                       " value TEXT NOT NULL,"
                       " created_at TEXT NOT NULL)"),
    };
    if (m_postgres) {
        // Two instances starting at once must not both create the tables.
        schema.prepend(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kMigrationLock));
        schema.append(QStringLiteral(
            "CREATE UNIQUE INDEX IF NOT EXISTS tenants_name_nocase ON tenants (lower(name))"));
    }
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    for (const QString &statement : schema) {
        if (!query.exec(statement)) {
            *error = QStringLiteral("schema: %1").arg(query.lastError().text());
            db.rollback();
            return false;
        }
    }
    query.exec(QStringLiteral("SELECT version FROM schema_version"));
    if (!query.next()) {
        query.prepare(QStringLiteral("INSERT INTO schema_version (version) VALUES (?)"));
        query.addBindValue(kSchemaVersion);
        if (!query.exec()) {
            *error = query.lastError().text();
            db.rollback();
            return false;
        }
    } else if (query.value(0).toInt() > kSchemaVersion) {
        *error = QStringLiteral("the store's schema version %1 is newer than this program's %2")
                     .arg(query.value(0).toInt())
                     .arg(kSchemaVersion);
        db.rollback();
        return false;
    }
    return db.commit();
}

QJsonObject ConfigStore::demoConfiguration()
{
    const QJsonObject event{{QStringLiteral("namespace"), QStringLiteral("status-service")},
                            {QStringLiteral("name"), QStringLiteral("health-check-started")}};
    const QJsonObject stream{
        {QStringLiteral("id"), QStringLiteral("application-health")},
        {QStringLiteral("name"), QStringLiteral("Application Health")},
        {QStringLiteral("description"),
         QStringLiteral("Includes events indicating application health.")},
        {QStringLiteral("publicSubscribe"), true},
        {QStringLiteral("subscriberRoles"), QJsonArray()},
        {QStringLiteral("events"), QJsonArray{event}},
    };
    return QJsonObject{{QStringLiteral("application-health"), stream}};
}

bool ConfigStore::seedIfEmpty(QString *error)
{
    if (!tenants().isEmpty())
        return true;
    if (!addTenant({QStringLiteral("demo"), QStringLiteral("Demo"), QStringLiteral("demo")}, error))
        return !tenants().isEmpty(); // another instance sharing the database seeded it first
    if (saveConfiguration(QStringLiteral("demo"), demoConfiguration(), QStringLiteral("seed"),
                          error) < 0)
        return false;
    qCInfo(lcStore) << "seeded tenant demo (realm demo) with the public stream application-health";
    return true;
}

QList<Tenant> ConfigStore::tenants() const
{
    QList<Tenant> result;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    const bool ran =
        query.exec(QStringLiteral("SELECT id, name, realm FROM tenants ORDER BY name"));
    noteReadError(query);
    if (!ran)
        return result;
    while (query.next())
        result.append(
            {query.value(0).toString(), query.value(1).toString(), query.value(2).toString()});
    return result;
}

std::optional<Tenant> ConfigStore::findTenant(const QString &reference, QString *error) const
{
    const QList<Tenant> all = tenants();
    if (!m_readError.isEmpty()) {
        *error = QStringLiteral("cannot read the tenants: %1").arg(m_readError);
        return std::nullopt;
    }
    for (const Tenant &tenant : all) {
        if (tenant.id == reference || tenantNameMatches(reference, tenant.name))
            return tenant;
    }
    *error = QStringLiteral("tenant '%1' not found").arg(reference);
    return std::nullopt;
}

QByteArray ConfigStore::secret(const QString &name, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery query(db);
    // The first instance to ask stores its random value; everyone reads the one stored.
    QByteArray random(32, '\0');
    for (char &c : random)
        c = char(QRandomGenerator::system()->bounded(256));
    query.prepare(QStringLiteral("INSERT INTO service_secrets (name, value, created_at)"
                                 " VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING"));
    query.addBindValue(name);
    query.addBindValue(QString::fromLatin1(random.toHex()));
    query.addBindValue(now());
    if (!query.exec()) {
        *error = QStringLiteral("cannot store the %1 key: %2").arg(name, query.lastError().text());
        return {};
    }
    query.prepare(QStringLiteral("SELECT value FROM service_secrets WHERE name = ?"));
    query.addBindValue(name);
    if (!query.exec() || !query.next()) {
        *error = QStringLiteral("cannot read the %1 key: %2").arg(name, query.lastError().text());
        return {};
    }
    return QByteArray::fromHex(query.value(0).toString().toLatin1());
}

bool ConfigStore::addTenant(const Tenant &tenant, QString *error)
{
    // Anchored with \A and \z: PCRE's "$" also matches before a final newline.
    static const QRegularExpression idPattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_-]{1,64}")));
    if (!idPattern.match(tenant.id).hasMatch()) {
        *error = QStringLiteral("tenant id '%1' must be 1-64 letters, digits, '-' or '_'")
                     .arg(tenant.id);
        return false;
    }
    if (tenant.name.trimmed().isEmpty() || tenant.realm.trimmed().isEmpty()) {
        *error = QStringLiteral("tenant name and realm are required");
        return false;
    }
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(
        QStringLiteral("INSERT INTO tenants (id, name, realm, created_at) VALUES (?, ?, ?, ?)"));
    query.addBindValue(tenant.id);
    query.addBindValue(tenant.name.trimmed());
    query.addBindValue(tenant.realm.trimmed());
    query.addBindValue(now());
    if (!query.exec()) {
        *error =
            QStringLiteral("cannot add tenant %1: %2").arg(tenant.id, query.lastError().text());
        return false;
    }
    notifyChange(query);
    return true;
}

std::optional<ConfigurationRevision> ConfigStore::configuration(const QString &tenantId) const
{
    // Newest first; a revision beyond the bounds every way in applies (written by something
    // that did not check them: another instance's older version, a hand-made row) is
    // skipped with a warning, and the newest one within them stays in force.
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(QStringLiteral("SELECT revision, document, author, created_at"
                                 " FROM configuration_revisions WHERE tenant_id = ? AND service = ?"
                                 " AND revision < ? ORDER BY revision DESC LIMIT 1"));
    // Revisions are INTEGER columns: the bound must fit one (PostgreSQL refuses a larger
    // parameter).
    for (qint64 before = std::numeric_limits<qint32>::max();;) {
        query.bindValue(0, scope(tenantId));
        query.bindValue(1, kService);
        query.bindValue(2, before);
        const bool ran = query.exec();
        noteReadError(query);
        if (!ran || !query.next())
            break;
        before = query.value(0).toLongLong();
        const QByteArray stored = query.value(1).toByteArray();
        const QJsonObject document = stored.size() > kMaxConfigurationBytes
                                         ? QJsonObject()
                                         : QJsonDocument::fromJson(stored).object();
        const QString problem = stored.size() > kMaxConfigurationBytes
                                    ? QStringLiteral("it is %1 bytes").arg(stored.size())
                                    : configurationLimitError(document, stored.size());
        if (problem.isEmpty())
            return ConfigurationRevision{
                before, document, query.value(2).toString(),
                QDateTime::fromString(query.value(3).toString(), Qt::ISODateWithMs)};
        qCWarning(lcStore).noquote()
            << "revision" << before << "of"
            << (tenantId.isEmpty() ? QStringLiteral("core") : tenantId)
            << "exceeds the configuration bounds and is skipped:" << problem;
    }
    return std::nullopt;
}

std::optional<StoreContents> ConfigStore::contents(QString *error) const
{
    // Each read clears the error of the one before when it succeeds: check after each.
    const auto failed = [this, error] {
        if (m_readError.isEmpty())
            return false;
        *error = m_readError;
        return true;
    };
    StoreContents contents;
    contents.version = dataVersion();
    if (failed())
        return std::nullopt;
    contents.tenants = tenants();
    if (failed())
        return std::nullopt;
    if (auto core = configuration(QString()))
        contents.core = core->document;
    if (failed())
        return std::nullopt;
    for (const Tenant &tenant : std::as_const(contents.tenants)) {
        auto revision = configuration(tenant.id);
        if (failed())
            return std::nullopt;
        if (revision)
            contents.configurations.insert(tenant.id, revision->document);
    }
    return contents;
}

qint64 ConfigStore::saveConfiguration(const QString &tenantId, const QJsonObject &document,
                                      const QString &author, QString *error)
{
    const QList<ValidationError> problems = validateConfiguration(document);
    if (!problems.isEmpty()) {
        *error = problems.first().message;
        return -1;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction()) {
        *error = db.lastError().text();
        noteWriteError(*error);
        return -1;
    }
    QSqlQuery query(db);
    if (m_postgres) {
        // Instances saving the same tenant's document take turns for the next number.
        query.prepare(QStringLiteral("SELECT pg_advisory_xact_lock(hashtext(?))"));
        query.addBindValue(scope(tenantId));
        if (!query.exec()) {
            *error = query.lastError().text();
            db.rollback();
            return -1;
        }
    }
    query.prepare(QStringLiteral("SELECT COALESCE(MAX(revision), 0) FROM configuration_revisions"
                                 " WHERE tenant_id = ? AND service = ?"));
    query.addBindValue(scope(tenantId));
    query.addBindValue(kService);
    if (!query.exec() || !query.next()) {
        *error = query.lastError().text();
        db.rollback();
        return -1;
    }
    const qint64 revision = query.value(0).toLongLong() + 1;
    query.prepare(QStringLiteral("INSERT INTO configuration_revisions"
                                 " (tenant_id, service, revision, document, author, created_at)"
                                 " VALUES (?, ?, ?, ?, ?, ?)"));
    query.addBindValue(scope(tenantId));
    query.addBindValue(kService);
    query.addBindValue(revision);
    query.addBindValue(QString::fromUtf8(QJsonDocument(document).toJson(QJsonDocument::Compact)));
    query.addBindValue(author);
    query.addBindValue(now());
    if (!query.exec()) {
        *error = query.lastError().text();
        db.rollback();
        noteWriteError(*error);
        return -1;
    }
    notifyChange(query);
    if (!db.commit()) {
        *error = db.lastError().text();
        db.rollback();
        noteWriteError(*error);
        return -1;
    }
    noteWriteError(QString());
    return revision;
}

QList<ConfigurationRevision> ConfigStore::revisions(const QString &tenantId, int top,
                                                    qint64 before) const
{
    QList<ConfigurationRevision> result;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT revision, document, author, created_at"
                                 " FROM configuration_revisions WHERE tenant_id = ? AND service = ?"
                                 " AND revision < ? ORDER BY revision DESC LIMIT ?"));
    query.addBindValue(scope(tenantId));
    query.addBindValue(kService);
    constexpr qint64 kNoBound = std::numeric_limits<qint32>::max(); // revision is INTEGER
    query.addBindValue(before > 0 ? std::min(before, kNoBound) : kNoBound);
    query.addBindValue(top);
    if (!query.exec())
        return result;
    while (query.next())
        result.append({query.value(0).toLongLong(),
                       QJsonDocument::fromJson(query.value(1).toByteArray()).object(),
                       query.value(2).toString(),
                       QDateTime::fromString(query.value(3).toString(), Qt::ISODateWithMs)});
    return result;
}

} // namespace push::config
