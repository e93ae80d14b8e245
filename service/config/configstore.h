#pragma once

#include "tenant.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace push::config {

struct ConfigurationRevision
{
    qint64 revision = 0;
    QJsonObject document;
    QString author;
    QDateTime createdAt;
};

// Tenants and the platform:push-service configuration documents, per tenant and core,
// in SQLite (Qt SQL) in the data directory. Every change is a numbered revision written
// in a transaction; the database runs in WAL mode so a crash never leaves half a change.
// Not thread-safe: one store per thread (Qt SQL connections are per thread).
class ConfigStore
{
public:
    ConfigStore();
    ~ConfigStore();
    ConfigStore(const ConfigStore &) = delete;
    ConfigStore &operator=(const ConfigStore &) = delete;

    // Opens (creating if needed) <dataDir>/push-service.db. False with *error on failure.
    bool open(const QString &dataDir, QString *error);
    bool isOpen() const;
    // A cheap query that proves the database answers (for /health).
    bool ping() const;
    // SQLite's PRAGMA data_version: changes whenever another connection commits.
    qint64 dataVersion() const;

    // On an empty store: tenant `demo` (realm `demo`) with the stream `application-health`.
    bool seedIfEmpty(QString *error);

    QList<Tenant> tenants() const;
    bool addTenant(const Tenant &tenant, QString *error);

    // The latest revision of a tenant's document; an empty tenantId names the core document.
    std::optional<ConfigurationRevision> configuration(const QString &tenantId) const;
    QHash<QString, QJsonObject> tenantConfigurations() const;
    // Stores `document` as the next revision; returns its number, or -1 with *error.
    qint64 saveConfiguration(const QString &tenantId, const QJsonObject &document,
                             const QString &author, QString *error);
    QList<ConfigurationRevision> revisions(const QString &tenantId) const;

    static QJsonObject demoConfiguration();

private:
    bool migrate(QString *error);

    QString m_connectionName;
};

} // namespace push::config
