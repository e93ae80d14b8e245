#pragma once

#include "shared/tenant.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

class QObject;
class QSqlQuery;

namespace push::config {

// Everything a configuration snapshot is built from, read together.
struct StoreContents
{
    qint64 version = -1; // dataVersion() before the reads: a change during them reloads again
    QList<Tenant> tenants;
    QJsonObject core;
    QHash<QString, QJsonObject> configurations; // by tenant id
};

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
    // With a postgresql:// URL, the PostgreSQL database it names (QPSQL), shared by
    // several instances; otherwise the SQLite file in dataDir.
    bool open(const QString &dataDir, const QString &databaseUrl, QString *error);
    bool isPostgres() const { return m_postgres; }
    // Calls `onChange` (on this thread) when another connection commits a change:
    // PostgreSQL LISTEN/NOTIFY. False where the database cannot notify (SQLite: poll
    // dataVersion()).
    bool watchChanges(QObject *context, std::function<void()> onChange);
    bool isOpen() const;
    // A cheap query that proves the database answers (for /health).
    bool ping() const;
    // Changes whenever another connection commits (SQLite's PRAGMA data_version; on
    // PostgreSQL a count of rows, which only grow).
    qint64 dataVersion() const;

    // On an empty store: tenant `demo` (realm `demo`) with the stream `application-health`.
    bool seedIfEmpty(QString *error);

    // The shared secret `name` (32 random bytes, stored the first time it is asked for,
    // the same for every instance of a shared store and across restarts); empty with
    // *error when the store cannot keep it.
    QByteArray secret(const QString &name, QString *error);

    QList<Tenant> tenants() const;
    // The tenant whose id or name (tenantNameMatches) is `reference`; nullopt with *error
    // when there is none or the tenants cannot be read (the command line's lookup).
    std::optional<Tenant> findTenant(const QString &reference, QString *error) const;
    bool addTenant(const Tenant &tenant, QString *error);

    // The latest revision of a tenant's document; an empty tenantId names the core document.
    std::optional<ConfigurationRevision> configuration(const QString &tenantId) const;
    // Tenants and every document at once, or nothing with *error when any read failed: a
    // store that stops answering half-way must not look like tenants or streams removed.
    std::optional<StoreContents> contents(QString *error) const;
    // Stores `document` as the next revision; returns its number, or -1 with *error.
    qint64 saveConfiguration(const QString &tenantId, const QJsonObject &document,
                             const QString &author, QString *error);
    // Newest first: at most `top` revisions numbered below `before` (0: from the latest).
    QList<ConfigurationRevision> revisions(const QString &tenantId, int top,
                                           qint64 before = 0) const;

    static QJsonObject demoConfiguration();

    // Faults (configstore_faults.cpp). Why the last read (ping, configuration, tenants)
    // failed, empty after one succeeded: a caller tells "no document" from "no database".
    QString readError() const { return m_readError; }
    // Why the last write failed for a reason of the database (disk full, read-only,
    // connection lost), empty once a write succeeds: the store cannot write.
    QString writeError() const { return m_writeError; }
    // Closes and opens the connection again (a PostgreSQL restart) and LISTENs again.
    bool reconnect(QString *error);
    // While writeError() is set: a small committed write; clears it when that succeeds
    // and the disk has room again.
    bool probeWrite();

private:
    bool migrate(QString *error);
    void notifyChange(QSqlQuery &query);

    void noteReadError(const QSqlQuery &query) const;
    void noteWriteError(const QString &error);

    QString m_connectionName;
    bool m_postgres = false;
    QString m_dataDir;
    bool m_listening = false; // watchChanges() subscribed: again after reconnect()
    std::function<void()> m_onChange;
    mutable QString m_readError;
    QString m_writeError;
};

} // namespace push::config
