#include "redistail.h"

#include "resume/redislogstore.h"
#include "resume/replaylog.h"
#include "shared/logthrottle.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QSet>

#include <hiredis/hiredis.h>

Q_DECLARE_LOGGING_CATEGORY(lcResume)

namespace push::resume {

namespace {

constexpr int kBlockMs = 500;    // XREAD BLOCK: new tenants are followed within this
constexpr int kCount = 500;      // entries per read
constexpr int kRefreshMs = 2000; // epochs and sizes
constexpr int kTimeoutMs = 5000; // every other command

// The earlier of `oldestMs` (0: none yet) and the time of the entry an XRANGE … COUNT 1
// answered (none: an empty log), for push_resume_log_oldest_age_seconds.
qint64 earliest(qint64 oldestMs, const redisReply *first)
{
    const QList<LogEntry> entries = RedisLogStore::entriesOf(first);
    if (entries.isEmpty())
        return oldestMs;
    const qint64 ms = qint64(entries.first().id.ms);
    return oldestMs == 0 ? ms : std::min(oldestMs, ms);
}

} // namespace

RedisTail::RedisTail(RedisAddress address, Tenants tenants, Deliver deliver, LogStats &stats)
    : m_client(std::move(address), kTimeoutMs)
    , m_tenants(std::move(tenants))
    , m_deliver(std::move(deliver))
    , m_stats(stats)
{}

RedisTail::~RedisTail()
{
    stop();
}

bool RedisTail::start(QString *error)
{
    const bool ok = follow(m_tenants(), error);
    m_connected = ok;
    m_thread = std::thread([this] { run(); });
    return ok;
}

void RedisTail::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wakeup.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

bool RedisTail::sleepFor(int ms)
{
    std::unique_lock lock(m_mutex);
    m_wakeup.wait_for(lock, std::chrono::milliseconds(ms), [this] { return m_stopping.load(); });
    return !m_stopping;
}

// Tenants not followed yet begin at their log's head (the entries before it were
// delivered by whoever appended them, or are the past a resuming client reads).
bool RedisTail::follow(const QStringList &tenants, QString *error)
{
    // Tenants removed from the configuration are no longer followed.
    const QSet<QString> wanted(tenants.cbegin(), tenants.cend());
    for (auto it = m_follow.begin(); it != m_follow.end();)
        it = wanted.contains(it.key()) ? std::next(it) : m_follow.erase(it);
    QStringList added;
    QList<QList<QByteArray>> commands;
    for (const QString &urn : tenants) {
        if (m_follow.contains(urn))
            continue;
        added.append(urn);
        commands.append({"SET", RedisLogStore::epochKey(urn), RedisLogStore::newEpoch(), "NX"});
        commands.append({"GET", RedisLogStore::epochKey(urn)});
        commands.append({"XREVRANGE", RedisLogStore::entriesKey(urn), "+", "-", "COUNT", "1"});
    }
    if (added.isEmpty())
        return true;
    const std::vector<RedisReplyPtr> replies = m_client.pipeline(commands, error);
    if (replies.empty())
        return false;
    for (qsizetype i = 0; i < added.size(); ++i) {
        const QList<LogEntry> head = RedisLogStore::entriesOf(replies[size_t(3 * i + 2)].get());
        Follow state;
        state.key = RedisLogStore::entriesKey(added[i]);
        state.epoch = QString::fromUtf8(textOf(replies[size_t(3 * i + 1)].get()));
        state.last = head.isEmpty() ? EntryId{} : head.first().id;
        m_follow.insert(added[i], state);
    }
    return true;
}

bool RedisTail::readOnce(QString *error)
{
    if (m_follow.isEmpty()) {
        sleepFor(kBlockMs);
        return true;
    }
    QList<QByteArray> command{
        "XREAD",  "COUNT", QByteArray::number(kCount), "BLOCK", QByteArray::number(kBlockMs),
        "STREAMS"};
    QStringList order;
    for (auto it = m_follow.cbegin(); it != m_follow.cend(); ++it) {
        command.append(it->key);
        order.append(it.key());
    }
    for (const QString &urn : std::as_const(order))
        command.append(m_follow.value(urn).last.toString());
    const RedisReplyPtr reply = m_client.command(command, error);
    if (!reply)
        return false;
    if (isError(reply.get())) {
        *error =
            QStringLiteral("Redis refused XREAD: %1").arg(QString::fromUtf8(textOf(reply.get())));
        m_client.drop();
        return false;
    }
    QHash<QByteArray, QString> byKey;
    for (const QString &urn : std::as_const(order))
        byKey.insert(m_follow.value(urn).key, urn);
    for (size_t i = 0; const redisReply *stream = elementOf(reply.get(), i); ++i) {
        const QString urn = byKey.value(textOf(elementOf(stream, 0)));
        auto state = m_follow.find(urn);
        if (state == m_follow.end())
            continue;
        for (const LogEntry &entry : RedisLogStore::entriesOf(elementOf(stream, 1))) {
            state->last = entry.id;
            if (std::optional<DomainEvent> event = ReplayLog::eventFrom(entry.event, urn)) {
                m_deliver(*event, Cursor{state->epoch, entry.id});
            } else {
                static LogThrottle throttle;
                if (const int held = throttle.allow(); held >= 0)
                    qCWarning(lcResume).noquote()
                        << "replay log: skipped an entry that is not an event:" << urn
                        << entry.id.toString() << LogThrottle::suppressed(held);
            }
        }
    }
    return true;
}

bool RedisTail::refresh(QString *error)
{
    // The epoch is set here too if it is missing (a Redis that came back empty): the
    // writer's next append then keeps it, and the cursors delivered carry it.
    QList<QList<QByteArray>> commands;
    const QStringList urns = m_follow.keys();
    for (const QString &urn : urns) {
        commands.append({"SET", RedisLogStore::epochKey(urn), RedisLogStore::newEpoch(), "NX"});
        commands.append({"GET", RedisLogStore::epochKey(urn)});
        commands.append({"XLEN", RedisLogStore::entriesKey(urn)});
        commands.append({"MEMORY", "USAGE", RedisLogStore::entriesKey(urn)});
        commands.append({"XRANGE", RedisLogStore::entriesKey(urn), "-", "+", "COUNT", "1"});
    }
    const std::vector<RedisReplyPtr> replies = m_client.pipeline(commands, error);
    if (replies.empty() && !commands.isEmpty())
        return false;
    qint64 entries = 0;
    qint64 bytes = 0;
    qint64 oldestMs = 0;
    for (qsizetype i = 0; i < urns.size(); ++i) {
        const redisReply *epoch = replies[size_t(5 * i + 1)].get();
        const redisReply *length = replies[size_t(5 * i + 2)].get();
        const redisReply *memory = replies[size_t(5 * i + 3)].get();
        if (length && length->type == REDIS_REPLY_INTEGER)
            entries += length->integer;
        if (memory && memory->type == REDIS_REPLY_INTEGER)
            bytes += memory->integer;
        oldestMs = earliest(oldestMs, replies[size_t(5 * i + 4)].get());
        // The log was wiped (or its epoch changed): it began again, from its first entry.
        Follow &state = m_follow[urns[i]];
        const QString now = QString::fromUtf8(textOf(epoch));
        if (epoch && epoch->type == REDIS_REPLY_STRING && now != state.epoch) {
            qCInfo(lcResume).noquote() << "replay log of" << urns[i] << "began again: epoch"
                                       << state.epoch << "is now" << now;
            state.epoch = now;
            state.last = EntryId{};
        }
    }
    m_stats.entries = entries;
    m_stats.bytes = bytes;
    m_stats.oldestMs = oldestMs;
    return true;
}

void RedisTail::run()
{
    m_client.setTimeout(kBlockMs + kTimeoutMs);
    int backoffMs = 250;
    while (!m_stopping) {
        QString error;
        bool ok = follow(m_tenants(), &error);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (ok && now - m_refreshedAt >= kRefreshMs) {
            ok = refresh(&error);
            m_refreshedAt = now;
        }
        ok = ok && readOnce(&error);
        m_connected = ok;
        if (ok) {
            backoffMs = 250;
            continue;
        }
        m_refreshedAt = 0; // a Redis that comes back may have lost the log: look first
        static LogThrottle throttle;
        if (const int held = throttle.allow(); held >= 0)
            qCWarning(lcResume).noquote()
                << "replay log: cannot follow Redis:" << error << "- retrying in" << backoffMs
                << "ms" << LogThrottle::suppressed(held);
        if (!sleepFor(backoffMs))
            break;
        backoffMs = std::min(backoffMs * 2, 2000);
    }
}

} // namespace push::resume
