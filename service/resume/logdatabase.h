#pragma once

#include "resume/logstore.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace push::resume {

// The embedded replay log's SQLite file: one connection, used on one thread. The writer
// and the reader each have one (WAL lets the reader read while the writer writes).
class LogDatabase final : public LogStore
{
public:
    explicit LogDatabase(QString connectionName);
    ~LogDatabase();
    LogDatabase(const LogDatabase &) = delete;
    LogDatabase &operator=(const LogDatabase &) = delete;

    bool open(const QString &path, QString *error);

    // In one transaction, numbered after the tenant's newest entry at `nowMs` (Redis's
    // rule: the time, or the same millisecond with the next sequence when the clock has
    // not moved on). False: nothing was written.
    bool append(QList<LogAppend> &batch, qint64 nowMs, qint64 retentionMs, qint64 maxLength,
                TrimCounts *trimmed, QString *error) override;
    bool read(const QString &tenantUrn, std::optional<EntryId> after, int limit, LogView *view,
              QString *error) override;
    QString epochOf(const QString &urn) const override { return m_tenants.value(urn).epoch; }
    bool totals(qint64 *entries, qint64 *bytes, QString *error) override;
    // One index seek per tenant.
    bool oldestMs(qint64 *ms, QString *error) override;

private:
    struct Tenant
    {
        QString epoch;
        EntryId last;   // the newest id handed out
        EntryId oldest; // null: empty
        EntryId watermark;
        qint64 count = 0;
    };
    Tenant *tenant(const QString &urn, QString *error);
    QString ensureEpoch(const QString &urn, QString *error);
    bool trim(const QString &urn, Tenant &state, qint64 nowMs, qint64 retentionMs, qint64 maxLength,
              TrimCounts *trimmed, QString *error);
    bool trimThrough(const QString &urn, Tenant &state, EntryId through, TrimCounts *trimmed,
                     QString *error);

    QString m_connectionName;
    QHash<QString, Tenant> m_tenants; // the writer's view of the tenants it appended to
};

} // namespace push::resume
