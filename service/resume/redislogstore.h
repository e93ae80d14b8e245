#pragma once

#include "resume/logstore.h"
#include "resume/redisclient.h"

#include <QHash>

namespace push::resume {

// The replay log in Redis, in ADSP's layout, so that either service reads what the other
// wrote (docs/resume.md, "Several instances"). Per tenant URN:
//   push:events:{<urn>}        a stream; each entry has one field, `e`, the event's JSON
//   push:epoch:{<urn>}         8 hex digits, set once (SET NX)
//   push:trimmed:{<urn>}       the id of the newest entry trimming removed (the watermark)
//   push:evt:{<urn>}:<id>      a marker set NX before an event with an id is appended,
//                              expiring with the retention: a redelivery is appended once
// Each append is one script (atomic on the server): the epoch, the marker, XADD, then the
// trims by age (XTRIM MINID) and by length (XTRIM MAXLEN), each recording the watermark.
// A batch's scripts go in one round trip. Used on one thread.
class RedisLogStore final : public LogStore
{
public:
    RedisLogStore(RedisAddress address, int timeoutMs);

    bool append(QList<LogAppend> &batch, qint64 nowMs, qint64 retentionMs, qint64 maxLength,
                TrimCounts *trimmed, QString *error) override;
    bool read(const QString &tenantUrn, std::optional<EntryId> after, int limit, LogView *view,
              QString *error) override;
    QString epochOf(const QString &urn) const override { return m_epochs.value(urn); }
    // Redis keeps the totals: this store does not count them (RedisTail does).
    bool totals(qint64 *entries, qint64 *bytes, QString *error) override;
    // Nor the oldest entry (RedisTail reads it with the totals).
    bool oldestMs(qint64 *ms, QString *error) override;

    static QByteArray entriesKey(const QString &urn);
    static QByteArray epochKey(const QString &urn);
    static QByteArray watermarkKey(const QString &urn);
    static QByteArray markerKey(const QString &urn, const QString &eventId);
    static QByteArray newEpoch();
    // The entries of a stream reply ([[id, [field, value, ...]], ...]) with their `e`.
    static QList<LogEntry> entriesOf(const redisReply *reply);

private:
    QList<QByteArray> appendCommand(const LogAppend &entry, bool bySha, const QByteArray &minId,
                                    const QByteArray &maxLength, const QByteArray &ttl) const;

    RedisClient m_client;
    QHash<QString, QString> m_epochs; // tenants appended to
};

} // namespace push::resume
