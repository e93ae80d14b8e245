#pragma once

#include "config/configsnapshot.h"
#include "fanout/fanout.h"
#include "resume/replaylog.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>

#include <deque>
#include <memory>
#include <optional>

namespace push::resume {

// What a resumable subscriber writes to (an SSE response): items through its criteria,
// and the control events of a resume.
class CatchUpTarget
{
public:
    enum class Write {
        Written, // written, or left out by the subscriber's criteria
        Full,    // does not fit in the connection's buffer now: try again when it drains
        Gone,    // the connection is closing
    };
    virtual ~CatchUpTarget() = default;
    // `frames`: the worker's cache for a live item; null for a replayed one.
    virtual Write writeItem(const fanout::FanoutItem &item, fanout::FrameCache *frames) = 0;
    virtual void writeReset(const char *reason) = 0;
    virtual void writeReady(const QByteArray &cursor, qint64 replayed) = 0;
    // Ends the subscription (the client comes back with its cursor).
    virtual void fail(const QString &reason) = 0;
};

// Brings one subscriber of a tenant's stream from the cursor it came back with to the
// live tail, with nothing lost or doubled at the seam. The subscriber is registered for
// live items first; they wait here while the log is read after the cursor, page by page,
// at the pace the client reads; then the waiting ones newer than the last replayed entry
// follow, and from then on live items pass straight through. Lives on the subscriber's
// I/O thread; `home` is an object there that outlives every subscriber (the registry).
class CatchUp : public std::enable_shared_from_this<CatchUp>
{
public:
    struct Context
    {
        ReplayLog *log = nullptr;
        const config::ConfigRegistry *registry = nullptr;
        QObject *home = nullptr;
        fanout::StreamKey key;
        QString tenantUrn;
    };
    CatchUp(Context context, CatchUpTarget *target);

    // `cursor`: what the client sent (Last-Event-ID or ?after=); nullopt for none.
    void start(std::optional<QByteArray> cursor);
    // A live item for the subscriber: written, or kept until the catch-up is done.
    CatchUpTarget::Write offer(const fanout::FanoutItem &item, fanout::FrameCache &frames);

    static constexpr int kPageSize = 200;
    static constexpr int kMaxWaiting = 10000; // live items kept while replaying
    static constexpr int kStallMs = 60000;    // a client that reads nothing this long

private:
    struct Page
    {
        bool ok = false;
        QString error;
        LogView view; // the entries are dropped once converted
        QList<fanout::FanoutItem> items;
        std::optional<EntryId> last; // the newest entry read, carried or not
        int read = 0;
    };
    void requestPage(std::optional<EntryId> after);
    void onPage(Page page);
    bool decide(const LogView &view);
    void writeQueued();
    // Live from here; adsp:ready names the position (or `readyAt`, the head, when newer).
    void finish(std::optional<EntryId> readyAt = std::nullopt);
    void waitForDrain();

    Context m_context;
    CatchUpTarget *m_target;
    std::optional<QByteArray> m_cursorText;
    bool m_started = false; // the first page has been decided on
    bool m_live = false;
    bool m_more = false;        // the last page was full: read on
    bool m_waitingLost = false; // live items were dropped while replaying: read again
    bool m_drainScheduled = false;
    EntryId m_position;
    std::optional<EntryId> m_readThrough;  // the newest entry of the page being written
    std::optional<EntryId> m_firstWaiting; // the first live item's entry
    QString m_epoch;
    qint64 m_replayed = 0;
    std::deque<fanout::FanoutItem> m_queue;   // to write, in order
    std::deque<fanout::FanoutItem> m_waiting; // live items that came during the replay
    QElapsedTimer m_lastProgress;
};

} // namespace push::resume
