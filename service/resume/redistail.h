#pragma once

#include "resume/redisclient.h"
#include "shared/cursor.h"
#include "shared/domainevent.h"

#include <QHash>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace push::resume {

struct LogStats;

// Every instance on one Redis delivers its tenants' events from the log, not from what
// it appended itself: a thread follows each tenant's entries (XREAD BLOCK over all of
// them) and hands each one, with its cursor, to `deliver`, in the log's order. So every
// instance delivers the same events with the same cursors, whichever instance appended
// them. docs/resume.md, "Several instances".
class RedisTail
{
public:
    using Tenants = std::function<QStringList()>; // the tenant URNs to follow, now
    using Deliver = std::function<void(const DomainEvent &event, const Cursor &cursor)>;

    RedisTail(RedisAddress address, Tenants tenants, Deliver deliver, LogStats &stats);
    ~RedisTail();
    RedisTail(const RedisTail &) = delete;
    RedisTail &operator=(const RedisTail &) = delete;

    // Finds where each tenant's log ends now (so that nothing appended from here on is
    // missed), then follows on a thread of its own. False with *error when Redis cannot
    // be reached; the thread runs anyway and keeps trying.
    bool start(QString *error);
    void stop();

    bool isConnected() const { return m_connected.load(std::memory_order_relaxed); }

private:
    struct Follow
    {
        QByteArray key;
        QString epoch;
        EntryId last; // the newest entry delivered (or the head when following began)
    };
    void run();
    bool follow(const QStringList &tenants, QString *error);
    bool readOnce(QString *error);
    bool refresh(QString *error); // epochs (a wiped log begins again), sizes for /metrics
    bool sleepFor(int ms);        // false when stopping

    RedisClient m_client;
    Tenants m_tenants;
    Deliver m_deliver;
    LogStats &m_stats;
    QHash<QString, Follow> m_follow; // by tenant URN; the thread's own
    qint64 m_refreshedAt = 0;
    std::thread m_thread;
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_connected{false};
    std::mutex m_mutex;
    std::condition_variable m_wakeup;
};

} // namespace push::resume
