#pragma once

#include "resume/logstore.h"
#include "shared/cursor.h"
#include "shared/domainevent.h"

#include <QMutex>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace push::resume {

class RedisTail;

struct LogOptions
{
    QString path;                            // the SQLite file (when redisUrl is empty)
    QString redisUrl;                        // redis://…: the log in Redis, ADSP's layout
    qint64 retentionMs = 24LL * 3600 * 1000; // entries older are trimmed
    qint64 maxLength = 100000;               // entries per tenant
    int maxQueued = 20000;                   // appends waiting; beyond, refused (503)
};

// What the log has done since start, for /metrics.
struct LogStats
{
    std::atomic<qint64> entries{0}; // in the log now (every tenant)
    std::atomic<qint64> bytes{0};   // their events' bytes
    std::atomic<quint64> appended{0};
    std::atomic<quint64> duplicates{0};
    std::atomic<quint64> trimmed{0};
    std::atomic<quint64> batches{0};
    std::atomic<quint64> failures{0}; // batches that could not be written
    std::atomic<quint64> resetInvalid{0};
    std::atomic<quint64> resetEpoch{0};
    std::atomic<quint64> resetExpired{0};
    std::atomic<quint64> replayed{0}; // entries read for catching up or polling
    std::atomic<qint64> oldestMs{0};  // the oldest entry's time, any tenant (0: empty)
};

// What became of one append.
struct Appended
{
    std::optional<Cursor> cursor; // set when the event went into the log
    bool duplicate = false;       // its id is in the log already
    QString error;                // it could not be written (nothing was)
};

// The replay log: per tenant, the events some stream of the tenant carries, in an SQLite
// file of their own in the data directory (the embedded default) or in Redis, shared by
// several instances. Appends are queued to a writer thread that writes whatever has
// queued at once (one transaction; one round trip); reads run on a reader thread with a
// connection of its own. With Redis, a third thread follows the log (RedisTail) and
// delivers from it. docs/resume.md.
class ReplayLog
{
public:
    explicit ReplayLog(LogOptions options);
    ~ReplayLog();
    ReplayLog(const ReplayLog &) = delete;
    ReplayLog &operator=(const ReplayLog &) = delete;

    bool open(QString *error);
    // Several instances share the log (Redis): each delivers what follow() reads from it,
    // not what it appended itself.
    bool isShared() const { return !m_options.redisUrl.isEmpty(); }
    using Tenants = std::function<QStringList()>;
    using Deliver = std::function<void(const DomainEvent &event, const Cursor &cursor)>;
    // A shared log: delivers every entry appended from now on, by any instance, to
    // `deliver` (on a thread of its own), for the tenants `tenants` names. False with
    // *error when the log cannot be reached now (it keeps trying).
    bool follow(Tenants tenants, Deliver deliver, QString *error);
    // A shared log: is the thread that follows it connected? (Always, for the embedded one.)
    bool isReachable() const;
    // Runs `task` on the writer thread after `ms` (an append to retry).
    void later(int ms, std::function<void()> task);
    // Finishes the appends queued, then stops both threads (nothing is called after).
    void close();

    using Committed = std::function<void(const Appended &)>;
    // Queues `event` (its tenantId the tenant's URN). `logged` false: not written, but
    // `committed` still runs in turn, so that every event leaves in the order it came.
    // `committed` runs on the writer thread once the batch holding the event is committed
    // (or has failed). Returns false, and calls nothing, when the queue is full.
    bool append(const DomainEvent &event, bool logged, Committed committed);

    using Done = std::function<void(bool ok, const LogView &view, const QString &error)>;
    // Reads the tenant's epoch, watermark, head and up to `limit` entries after `after`;
    // `done` runs on the reader thread.
    void read(const QString &tenantUrn, std::optional<EntryId> after, int limit, Done done);

    // Why a client's cursor cannot resume against `view` (and counts it): "invalid-cursor",
    // "epoch-changed" (another life of the log), "cursor-expired" (entries after it were
    // trimmed); nullptr when it can.
    const char *resetReason(const QByteArray &cursor, const LogView &view);

    LogStats &stats() { return m_stats; }
    const LogOptions &options() const { return m_options; }

    // The event as the log keeps it, and back (the tenant given by the log).
    static QByteArray entryFor(const DomainEvent &event);
    static std::optional<DomainEvent> eventFrom(const QByteArray &entry, const QString &tenantUrn);

private:
    struct Pending
    {
        LogAppend entry;
        bool logged = false;
        Committed committed;
    };
    void flush();
    // Reads the oldest entry's time over every tenant into m_stats.oldestMs (embedded log).
    void noteOldest(LogStore &store);

    LogOptions m_options;
    LogStats m_stats;
    QThread m_writerThread;
    QThread m_readerThread;
    QObject *m_writerContext = nullptr; // live on their threads
    QObject *m_readerContext = nullptr;
    std::unique_ptr<LogStore> m_writer; // used on the writer thread only
    std::unique_ptr<LogStore> m_reader; // on the reader thread only
    std::unique_ptr<RedisTail> m_tail;
    QMutex m_mutex;
    QList<Pending> m_queue; // guarded by m_mutex
    bool m_closed = false;  // guarded by m_mutex
};

} // namespace push::resume
