#pragma once

#include "shared/cursor.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace push::resume {

// One entry of a tenant's replay log: the event as the log keeps it (ADSP's field `e`:
// the event's JSON with the tenant URN, an ISO timestamp, and its `id` when it has one).
struct LogEntry
{
    EntryId id;
    QByteArray event;
};

// What a read of a tenant's log found, in one consistent view of it.
struct LogView
{
    QString epoch;
    EntryId watermark; // the newest entry trimming removed (null: none yet)
    EntryId head;      // the newest entry (null: the log is empty)
    QList<LogEntry> entries;
};

// One append, and what became of it.
struct LogAppend
{
    QString tenantUrn;
    QString eventId; // empty: the event has none, no duplicate check
    QByteArray event;
    std::optional<EntryId> id; // set when appended; nullopt when a duplicate
};

struct TrimCounts
{
    qint64 entries = 0;
    qint64 bytes = 0;
};

// The embedded replay log's SQLite file: one connection, used on one thread. The writer
// and the reader each have one (WAL lets the reader read while the writer writes).
class LogDatabase
{
public:
    explicit LogDatabase(QString connectionName);
    ~LogDatabase();
    LogDatabase(const LogDatabase &) = delete;
    LogDatabase &operator=(const LogDatabase &) = delete;

    bool open(const QString &path, QString *error);

    // Appends every entry of `batch` in one transaction, numbering each after its
    // tenant's newest entry at `nowMs` (Redis's rule: the time, or the same millisecond
    // with the next sequence when the clock has not moved on), then trims each tenant
    // touched to `retentionMs` and `maxLength`. False (nothing written) on failure.
    bool append(QList<LogAppend> &batch, qint64 nowMs, qint64 retentionMs, qint64 maxLength,
                TrimCounts *trimmed, QString *error);
    // The tenant's epoch (created on first use), watermark, head, and up to `limit` entries
    // after `after` (none when `after` is nullopt).
    bool read(const QString &tenantUrn, std::optional<EntryId> after, int limit, LogView *view,
              QString *error);
    // The epoch of a tenant this connection appended to (empty for any other).
    QString epochOf(const QString &urn) const { return m_tenants.value(urn).epoch; }
    // Entries and bytes over every tenant (for the metrics, at start).
    bool totals(qint64 *entries, qint64 *bytes, QString *error);

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
