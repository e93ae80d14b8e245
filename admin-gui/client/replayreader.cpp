#include "replayreader.h"

#include "client/serviceclient.h"
#include "shared/cursor.h"

#include <QJsonArray>
#include <QUrl>
#include <QUrlQuery>

#include <limits>

namespace console {

ReplayReader::ReplayReader(ServiceClient &client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{}

void ReplayReader::start(const Request &request)
{
    cancel();
    m_request = request;
    m_request.cap = std::max(1, request.cap);
    m_next.clear();
    m_reset.clear();
    m_read = 0;
    m_running = true;
    if (m_request.since.isValid()) {
        readPage(QByteArray()); // the head first: its epoch names the log
        return;
    }
    if (m_request.after.isEmpty()) {
        finish(Outcome::Failed, tr("Give a cursor or a time to replay from"));
        return;
    }
    readPage(m_request.after);
}

void ReplayReader::cancel()
{
    if (!m_running)
        return;
    // Its finished() comes now or later: either way onPage() ignores a reply not current.
    if (ApiReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->abort();
    }
    finish(Outcome::Cancelled, tr("Cancelled after %n item(s)", nullptr, m_read));
}

QByteArray ReplayReader::cursorBefore(const QString &epoch, const QDateTime &time)
{
    const qint64 ms = time.toMSecsSinceEpoch();
    if (ms <= 0)
        return push::Cursor{epoch, {0, 0}}.toString();
    // The last id of the millisecond before. The service keeps sequences as SQLite's
    // signed 64-bit integers: the largest of those, not 2^64 - 1.
    return push::Cursor{epoch, {quint64(ms - 1), quint64(std::numeric_limits<qint64>::max())}}
        .toString();
}

QString ReplayReader::explainReset(const QString &reason)
{
    if (reason == QLatin1String("invalid-cursor"))
        return tr("this is not a cursor of the replay log");
    if (reason == QLatin1String("epoch-changed"))
        return tr("the cursor is of another log (another tenant's, or the log was begun again)");
    if (reason == QLatin1String("cursor-expired"))
        return tr("entries after the cursor have been trimmed (older than the retention, or "
                  "beyond the log's length)");
    return tr("the service cannot resume from there");
}

void ReplayReader::readPage(const QByteArray &after)
{
    QUrlQuery query;
    if (!m_request.tenant.isEmpty())
        query.addQueryItem(QStringLiteral("tenant"), m_request.tenant);
    if (!after.isEmpty()) {
        query.addQueryItem(QStringLiteral("after"), QString::fromUtf8(after));
        query.addQueryItem(QStringLiteral("top"),
                           QString::number(std::min(kPageSize, m_request.cap - m_read)));
    } else {
        query.addQueryItem(QStringLiteral("top"), QStringLiteral("1"));
    }
    if (!m_request.criteria.isEmpty())
        query.addQueryItem(QStringLiteral("criteria"), m_request.criteria);
    const QString path = QStringLiteral("/stream/v1/streams/%1/events")
                             .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_request.stream)));
    m_reply = m_client.get(path, query);
    m_reply->setWhat(tr("Replaying %1").arg(m_request.stream));
    ApiReply *reply = m_reply;
    connect(reply, &ApiReply::finished, this, [this, reply, after] { onPage(reply, after); });
}

void ReplayReader::onPage(ApiReply *reply, const QByteArray &after)
{
    if (reply != m_reply)
        return; // cancelled
    m_reply = nullptr;
    if (reply->aborted()) { // the status bar's Cancel
        finish(Outcome::Cancelled, tr("Cancelled after %n item(s)", nullptr, m_read));
        return;
    }
    if (!reply->ok()) {
        finish(Outcome::Failed, tr("Cannot read the log: %1").arg(reply->error()));
        return;
    }
    const QJsonObject answer = reply->object();
    const QByteArray next = answer.value(QLatin1String("next")).toString().toUtf8();
    const std::optional<push::Cursor> head = push::Cursor::parse(next);
    if (!head) {
        finish(Outcome::Failed, tr("The service answered no cursor to go on from"));
        return;
    }
    m_next = next;
    if (after.isEmpty()) { // the head read of a replay from a time
        readPage(cursorBefore(head->epoch, m_request.since));
        return;
    }
    const QJsonValue reset = answer.value(QLatin1String("reset"));
    if (reset.isString()) {
        m_reset = reset.toString();
        finish(Outcome::Reset, tr("Reset (%1): %2. Nothing after it is replayed; the log now "
                                  "stands at %3.")
                                   .arg(m_reset, explainReset(m_reset), QString::fromUtf8(next)));
        return;
    }
    // A page is at most what the cap leaves (top), so none is cut here.
    QList<QJsonObject> items;
    for (const QJsonValue &value : answer.value(QLatin1String("items")).toArray())
        items.append(value.toObject());
    m_read += int(items.size());
    if (!items.isEmpty())
        emit itemsRead(items);
    if (next == after) {
        finish(Outcome::Done, tr("Replayed %n item(s): the end of the log", nullptr, m_read));
    } else if (m_read >= m_request.cap) {
        finish(
            Outcome::Capped,
            tr("Stopped at %n item(s), the most shown at once: continue from %1", nullptr, m_read)
                .arg(QString::fromUtf8(next)));
    } else {
        readPage(next);
    }
}

void ReplayReader::finish(Outcome outcome, const QString &message)
{
    m_running = false;
    emit finished(outcome, message);
}

} // namespace console
