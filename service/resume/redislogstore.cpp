#include "redislogstore.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <hiredis/hiredis.h>

namespace push::resume {

namespace {

// KEYS: the entries, the watermark, the epoch, and the event's marker when it has an id.
// ARGV: the oldest id kept (entries before it are trimmed), an epoch for a tenant that has
// none yet, the length kept, the entry, the marker's lifetime in seconds.
// Answers {entry id or nil for a duplicate, entries trimmed, the tenant's epoch}.
constexpr char kAppendScript[] = R"lua(
redis.call('SET', KEYS[3], ARGV[2], 'NX')
local epoch = redis.call('GET', KEYS[3])
if #KEYS > 3 and not redis.call('SET', KEYS[4], '1', 'NX', 'EX', ARGV[5]) then
  return {false, 0, epoch}
end
local id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[4])
local trimmed = 0
local expired = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[1], '-', 'COUNT', 1)
if #expired > 0 then
  redis.call('SET', KEYS[2], expired[1][1])
  trimmed = redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
end
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  local dropped = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
  redis.call('SET', KEYS[2], dropped[#dropped][1])
  trimmed = trimmed + redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[3])
end
return {id, trimmed, epoch}
)lua";

const QByteArray &scriptSha()
{
    static const QByteArray sha =
        QCryptographicHash::hash(QByteArray(kAppendScript), QCryptographicHash::Sha1).toHex();
    return sha;
}

QByteArray hashTagged(const char *prefix, const QString &urn)
{
    return QByteArray(prefix) + '{' + urn.toUtf8() + '}';
}

std::optional<EntryId> idOf(const redisReply *reply)
{
    return reply && reply->type == REDIS_REPLY_STRING ? EntryId::parse(textOf(reply))
                                                      : std::nullopt;
}

} // namespace

RedisLogStore::RedisLogStore(RedisAddress address, int timeoutMs)
    : m_client(std::move(address), timeoutMs)
{}

QByteArray RedisLogStore::entriesKey(const QString &urn)
{
    return hashTagged("push:events:", urn);
}

QByteArray RedisLogStore::epochKey(const QString &urn)
{
    return hashTagged("push:epoch:", urn);
}

QByteArray RedisLogStore::watermarkKey(const QString &urn)
{
    return hashTagged("push:trimmed:", urn);
}

QByteArray RedisLogStore::markerKey(const QString &urn, const QString &eventId)
{
    return hashTagged("push:evt:", urn) + ':' + eventId.toUtf8();
}

QByteArray RedisLogStore::newEpoch()
{
    return QByteArray::number(QRandomGenerator::system()->generate(), 16).rightJustified(8, '0');
}

QList<QByteArray> RedisLogStore::appendCommand(const LogAppend &entry, bool bySha,
                                               const QByteArray &minId, const QByteArray &maxLength,
                                               const QByteArray &ttl) const
{
    const bool marked = !entry.eventId.isEmpty();
    QList<QByteArray> command{bySha ? QByteArray("EVALSHA") : QByteArray("EVAL"),
                              bySha ? scriptSha() : QByteArray(kAppendScript),
                              marked ? "4" : "3",
                              entriesKey(entry.tenantUrn),
                              watermarkKey(entry.tenantUrn),
                              epochKey(entry.tenantUrn)};
    if (marked)
        command.append(markerKey(entry.tenantUrn, entry.eventId));
    command << minId << newEpoch() << maxLength << entry.event << ttl;
    return command;
}

bool RedisLogStore::append(QList<LogAppend> &batch, qint64 nowMs, qint64 retentionMs,
                           qint64 maxLength, TrimCounts *trimmed, QString *error)
{
    const QByteArray minId = QByteArray::number(std::max<qint64>(0, nowMs - retentionMs)) + "-0";
    const QByteArray length = QByteArray::number(maxLength);
    const QByteArray ttl = QByteArray::number((retentionMs + 999) / 1000);
    QList<QList<QByteArray>> commands;
    for (const LogAppend &entry : std::as_const(batch))
        commands.append(appendCommand(entry, true, minId, length, ttl));
    std::vector<RedisReplyPtr> replies = m_client.pipeline(commands, error);
    if (replies.empty())
        return false;
    for (qsizetype i = 0; i < batch.size(); ++i) {
        RedisReplyPtr &reply = replies[size_t(i)];
        // The script is not in this server's cache (a restart, SCRIPT FLUSH): this one
        // did nothing, so it is sent again in full.
        if (isError(reply.get()) && textOf(reply.get()).startsWith("NOSCRIPT")) {
            reply = m_client.command(appendCommand(batch[i], false, minId, length, ttl), error);
            if (!reply)
                return false;
        }
        if (isError(reply.get()) || elementOf(reply.get(), 2) == nullptr) {
            *error = QStringLiteral("Redis refused an append: %1")
                         .arg(QString::fromUtf8(textOf(reply.get())));
            return false;
        }
        batch[i].id = idOf(elementOf(reply.get(), 0));
        if (const redisReply *count = elementOf(reply.get(), 1); count->type == REDIS_REPLY_INTEGER)
            trimmed->entries += count->integer;
        m_epochs.insert(batch[i].tenantUrn, QString::fromUtf8(textOf(elementOf(reply.get(), 2))));
    }
    return true;
}

QList<LogEntry> RedisLogStore::entriesOf(const redisReply *reply)
{
    QList<LogEntry> entries;
    for (size_t i = 0; const redisReply *item = elementOf(reply, i); ++i) {
        const std::optional<EntryId> id = idOf(elementOf(item, 0));
        const redisReply *fields = elementOf(item, 1);
        if (!id)
            continue;
        for (size_t f = 0; elementOf(fields, f + 1); f += 2) {
            if (textOf(elementOf(fields, f)) == "e") {
                entries.append({*id, textOf(elementOf(fields, f + 1))});
                break;
            }
        }
    }
    return entries;
}

bool RedisLogStore::read(const QString &tenantUrn, std::optional<EntryId> after, int limit,
                         LogView *view, QString *error)
{
    const QByteArray entries = entriesKey(tenantUrn);
    // One transaction: the epoch, the watermark, the head and the entries agree.
    QList<QList<QByteArray>> commands{
        {"MULTI"},
        {"SET", epochKey(tenantUrn), newEpoch(), "NX"},
        {"GET", epochKey(tenantUrn)},
        {"GET", watermarkKey(tenantUrn)},
        {"XREVRANGE", entries, "+", "-", "COUNT", "1"},
    };
    if (after)
        commands.append(
            {"XRANGE", entries, '(' + after->toString(), "+", "COUNT", QByteArray::number(limit)});
    commands.append({"EXEC"});
    const bool reused = m_client.isConnected();
    std::vector<RedisReplyPtr> replies = m_client.pipeline(commands, error);
    // A connection Redis closed (it restarted) fails the first command sent on it: a read
    // is tried once more, on a new one.
    if (replies.empty() && reused)
        replies = m_client.pipeline(commands, error);
    if (replies.empty())
        return false;
    const redisReply *results = replies.back().get();
    if (!results || results->type != REDIS_REPLY_ARRAY ||
        results->elements != size_t(commands.size() - 2)) {
        *error = QStringLiteral("Redis refused a read: %1").arg(QString::fromUtf8(textOf(results)));
        return false;
    }
    for (size_t i = 0; i < results->elements; ++i) {
        if (isError(results->element[i])) {
            *error = QStringLiteral("Redis refused a read: %1")
                         .arg(QString::fromUtf8(textOf(results->element[i])));
            return false;
        }
    }
    view->epoch = QString::fromUtf8(textOf(results->element[1]));
    view->watermark = EntryId::parse(textOf(results->element[2])).value_or(EntryId{});
    const QList<LogEntry> newest = entriesOf(results->element[3]);
    // An emptied log's head is its watermark (as ADSP reads it).
    view->head = newest.isEmpty() ? view->watermark : newest.first().id;
    view->entries = after ? entriesOf(results->element[4]) : QList<LogEntry>();
    return true;
}

bool RedisLogStore::totals(qint64 *entries, qint64 *bytes, QString *)
{
    *entries = 0;
    *bytes = 0;
    return true;
}

bool RedisLogStore::oldestMs(qint64 *ms, QString *)
{
    *ms = 0;
    return true;
}

} // namespace push::resume
