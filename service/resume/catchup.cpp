#include "catchup.h"

#include "fanout/hub.h"

#include <QTimer>

#include <limits>

namespace push::resume {

namespace {

// The greatest entry id before `id`: reading after it starts with `id`.
EntryId before(EntryId id)
{
    if (id.seq > 0)
        return {id.ms, id.seq - 1};
    if (id.ms > 0)
        return {id.ms - 1, std::numeric_limits<quint64>::max()};
    return {};
}

} // namespace

CatchUp::CatchUp(Context context, CatchUpTarget *target)
    : m_context(std::move(context))
    , m_target(target)
{}

void CatchUp::start(std::optional<QByteArray> cursor)
{
    m_cursorText = std::move(cursor);
    std::optional<EntryId> after;
    if (m_cursorText)
        if (const std::optional<Cursor> parsed = Cursor::parse(*m_cursorText))
            after = parsed->entry;
    requestPage(after);
}

void CatchUp::requestPage(std::optional<EntryId> after)
{
    // Read and made into this stream's items on the reader thread; written here.
    std::weak_ptr<CatchUp> weak = weak_from_this();
    m_context.log->read(
        m_context.tenantUrn, after, kPageSize,
        [weak, context = m_context](bool ok, const LogView &view, const QString &error) {
            Page page;
            page.ok = ok;
            page.error = error;
            page.view.epoch = view.epoch;
            page.view.head = view.head;
            page.view.watermark = view.watermark;
            const config::SnapshotPtr snapshot = context.registry->current();
            for (const LogEntry &entry : view.entries) {
                page.last = entry.id;
                ++page.read;
                const std::optional<DomainEvent> event =
                    ReplayLog::eventFrom(entry.event, context.tenantUrn);
                if (!event)
                    continue;
                if (std::optional<fanout::FanoutItem> item = fanout::Hub::itemFor(
                        *snapshot, context.key, *event, Cursor{view.epoch, entry.id}))
                    page.items.append(std::move(*item));
            }
            QMetaObject::invokeMethod(
                context.home,
                [weak, page = std::move(page)]() mutable {
                    if (const std::shared_ptr<CatchUp> self = weak.lock())
                        self->onPage(std::move(page));
                },
                Qt::QueuedConnection);
        });
}

bool CatchUp::decide(const LogView &view)
{
    m_epoch = view.epoch;
    m_position = view.head;
    if (!m_cursorText)
        return false; // a new subscriber: from the head on
    if (const char *reason = m_context.log->resetReason(*m_cursorText, view)) {
        m_target->writeReset(reason);
        return false;
    }
    m_position = Cursor::parse(*m_cursorText)->entry;
    return true;
}

void CatchUp::onPage(Page page)
{
    if (!page.ok) {
        m_target->fail(QStringLiteral("the replay log cannot be read: %1").arg(page.error));
        return;
    }
    if (!m_started) {
        m_started = true;
        if (!decide(page.view)) {
            // From the head on. Nothing was replayed, so every live item that came since
            // the subscriber was registered is new to it, even one older than the head
            // read here (committed before the read, delivered to this thread after it).
            m_position = {};
            if (m_waitingLost && m_firstWaiting) {
                // Some were dropped: read them from the log, from the first one on.
                m_waitingLost = false;
                m_position = before(*m_firstWaiting);
                requestPage(m_position);
                return;
            }
            finish(page.view.head);
            return;
        }
    }
    for (fanout::FanoutItem &item : page.items)
        m_queue.push_back(std::move(item));
    m_more = page.read == kPageSize;
    m_readThrough = page.last;
    m_lastProgress.start();
    writeQueued();
}

void CatchUp::writeQueued()
{
    while (!m_queue.empty()) {
        const fanout::FanoutItem &item = m_queue.front();
        if (!item.entry.isNull() && item.entry <= m_position) {
            m_queue.pop_front(); // replayed already: the seam between replay and live
            continue;
        }
        switch (m_target->writeItem(item, nullptr)) {
        case CatchUpTarget::Write::Gone:
            return;
        case CatchUpTarget::Write::Full:
            waitForDrain();
            return;
        case CatchUpTarget::Write::Written:
            break;
        }
        if (!item.entry.isNull())
            m_position = item.entry;
        if (!m_live)
            ++m_replayed;
        m_lastProgress.start();
        m_queue.pop_front();
    }
    if (m_live)
        return;
    // Past the entries this stream does not carry, too.
    if (m_readThrough && *m_readThrough > m_position)
        m_position = *m_readThrough;
    m_readThrough.reset();
    if (m_more || m_waitingLost) {
        m_waitingLost = false;
        requestPage(m_position);
        return;
    }
    finish();
}

void CatchUp::finish(std::optional<EntryId> readyAt)
{
    m_live = true;
    m_target->writeReady(
        Cursor{m_epoch, std::max(m_position, readyAt.value_or(EntryId{}))}.toString(), m_replayed);
    for (fanout::FanoutItem &item : m_waiting) {
        if (item.entry.isNull() || item.entry > m_position)
            m_queue.push_back(std::move(item));
    }
    m_waiting.clear();
    writeQueued();
}

void CatchUp::waitForDrain()
{
    if (m_drainScheduled)
        return;
    if (m_lastProgress.isValid() && m_lastProgress.elapsed() > kStallMs) {
        m_target->fail(QStringLiteral("the client read nothing for %1 s").arg(kStallMs / 1000));
        return;
    }
    m_drainScheduled = true;
    std::weak_ptr<CatchUp> weak = weak_from_this();
    QTimer::singleShot(20, m_context.home, [weak] {
        if (const std::shared_ptr<CatchUp> self = weak.lock()) {
            self->m_drainScheduled = false;
            self->writeQueued();
        }
    });
}

CatchUpTarget::Write CatchUp::offer(const fanout::FanoutItem &item, fanout::FrameCache &frames)
{
    if (!m_live) {
        if (!m_firstWaiting && !item.entry.isNull())
            m_firstWaiting = item.entry;
        if (m_waiting.size() >= size_t(kMaxWaiting)) {
            // Too many to keep: they are in the log, read them from there.
            m_waiting.clear();
            m_waitingLost = true;
        }
        m_waiting.push_back(item);
        return CatchUpTarget::Write::Written;
    }
    if (!m_queue.empty()) {
        if (m_queue.size() >= size_t(kMaxWaiting))
            return CatchUpTarget::Write::Full;
        m_queue.push_back(item);
        return CatchUpTarget::Write::Written;
    }
    if (!item.entry.isNull() && item.entry <= m_position)
        return CatchUpTarget::Write::Written;
    const CatchUpTarget::Write result = m_target->writeItem(item, &frames);
    if (result == CatchUpTarget::Write::Written && !item.entry.isNull())
        m_position = item.entry;
    return result;
}

} // namespace push::resume
