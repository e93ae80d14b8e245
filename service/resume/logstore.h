#pragma once

#include "shared/cursor.h"

#include <QByteArray>
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

// Where a replay log keeps its entries: the embedded SQLite file (LogDatabase) or Redis
// in ADSP's layout (RedisLogStore). One object is used on one thread: the log's writer and
// its reader each have their own.
class LogStore
{
public:
    virtual ~LogStore() = default;

    // Appends every entry of `batch` (setting each one's id, or leaving it nullopt for a
    // duplicate), numbering each as Redis Streams does at `nowMs`, then trims each tenant
    // touched to `retentionMs` and `maxLength`, recording the watermark. False when the
    // batch could not be written (then nothing of it was, or only entries a retry finds
    // as duplicates).
    virtual bool append(QList<LogAppend> &batch, qint64 nowMs, qint64 retentionMs, qint64 maxLength,
                        TrimCounts *trimmed, QString *error) = 0;
    // The tenant's epoch (created on first use), watermark, head, and up to `limit` entries
    // after `after` (none when `after` is nullopt).
    virtual bool read(const QString &tenantUrn, std::optional<EntryId> after, int limit,
                      LogView *view, QString *error) = 0;
    // The epoch of a tenant this store appended to (empty for any other).
    virtual QString epochOf(const QString &urn) const = 0;
    // Entries and bytes over every tenant (for the metrics).
    virtual bool totals(qint64 *entries, qint64 *bytes, QString *error) = 0;
    // The time (ms) of the oldest entry over every tenant, 0 when the log is empty (for
    // push_resume_log_oldest_age_seconds).
    virtual bool oldestMs(qint64 *ms, QString *error) = 0;
};

} // namespace push::resume
