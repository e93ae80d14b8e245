// ConfigStore's faults: a lost database connection found again (PostgreSQL restarted),
// and a store that answers but cannot write (SQLite on a full disk).
#include "config/configstore.h"

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStorageInfo>

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace push::config {

namespace {

const QString kChannel = QStringLiteral("push_service_configuration"); // as in configstore.cpp
constexpr qint64 kRoomToWrite = 1024 * 1024; // free bytes before a full disk counts as freed

// Qt's message, or what it means when the driver gives none (a connection gone).
QString describe(const QSqlError &error, const QSqlDatabase &db)
{
    QString text = error.text().trimmed();
    if (text.isEmpty())
        text = db.isOpen() ? QStringLiteral("the database did not answer")
                           : QStringLiteral("the database connection is closed");
    return text;
}

} // namespace

void ConfigStore::noteReadError(const QSqlQuery &query) const
{
    m_readError = query.isActive() ? QString()
                                   : describe(query.lastError(),
                                              QSqlDatabase::database(m_connectionName, false));
}

void ConfigStore::noteWriteError(const QString &error)
{
    if (error.isEmpty()) {
        m_writeError.clear();
        return;
    }
    m_writeError = error.trimmed().isEmpty()
                       ? describe(QSqlError(), QSqlDatabase::database(m_connectionName, false))
                       : error;
}

bool ConfigStore::reconnect(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (db.isOpen())
        db.close(); // also drops the LISTEN of the old session
    if (!db.open()) {
        *error = describe(db.lastError(), db);
        m_readError = *error;
        return false;
    }
    if (!m_postgres) {
        QSqlQuery pragma(db);
        for (const char *statement :
             {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"})
            pragma.exec(QString::fromLatin1(statement));
    }
    if (m_listening && !db.driver()->subscribeToNotification(kChannel)) {
        *error = QStringLiteral("connected, but cannot LISTEN %1: %2")
                     .arg(kChannel, describe(db.driver()->lastError(), db));
        db.close();
        return false;
    }
    m_readError.clear();
    return true;
}

bool ConfigStore::probeWrite()
{
    if (m_writeError.isEmpty())
        return true;
    if (!m_dataDir.isEmpty()) {
        // SQLite may reuse room already in its WAL file: a probe that fits there proves
        // nothing about the next save. Wait until the file system has room again.
        QStorageInfo disk(m_dataDir);
        if (disk.isValid() && disk.bytesAvailable() < kRoomToWrite)
            return false;
    }
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery query(db);
    if (!db.transaction()) {
        noteWriteError(describe(db.lastError(), db));
        return false;
    }
    if (!query.exec(QStringLiteral("UPDATE schema_version SET version = version")) ||
        !db.commit()) {
        const QString error =
            describe(query.lastError().isValid() ? query.lastError() : db.lastError(), db);
        db.rollback();
        noteWriteError(error);
        return false;
    }
    qCInfo(lcStore) << "the store can write again";
    m_writeError.clear();
    return true;
}

} // namespace push::config
