#include "ssesubscriber.h"

#include "http/httpconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace push::sse {

SseSubscriber::SseSubscriber(http::HttpConnection *connection, fanout::StreamKey key,
                             EventCriteria criteria, qint64 bufferLimit,
                             fanout::SubscriberInfo info)
    : Subscriber(std::move(key), std::move(criteria), std::move(info))
    , m_connection(connection)
    , m_bufferLimit(bufferLimit)
{}

bool SseSubscriber::writeBounded(http::HttpConnection *connection, const QByteArray &frame,
                                 qint64 limit)
{
    if (!connection->isOpen())
        return false;
    const qint64 queued = connection->bytesQueued();
    if (queued > 0 && queued + frame.size() > limit)
        return false;
    connection->writeStream(frame);
    return true;
}

void SseSubscriber::closeStream(http::HttpConnection *connection, const QString &reason,
                                const QByteArray &notice)
{
    if (connection->bytesQueued() == 0) {
        connection->writeStream(notice + ": closed: " + reason.toUtf8().left(200) + "\n\n");
        connection->close();
    } else {
        connection->abort(); // a client that is not reading would hold the close open
    }
}

QByteArray SseSubscriber::dataOf(const fanout::FanoutItem &item)
{
    if (item.cursor.isEmpty() || !item.json.endsWith('}'))
        return item.json;
    // The JSON gains eventId: the event's own id, else its cursor (what a client dedupes
    // by). Spliced in before the closing brace: the item was serialised once already.
    const QByteArray value =
        QJsonDocument(
            QJsonArray{item.eventId.isEmpty() ? QString::fromLatin1(item.cursor) : item.eventId})
            .toJson(QJsonDocument::Compact)
            .chopped(1)
            .sliced(1);
    QByteArray json = item.json.chopped(1);
    if (json != "{")
        json += ',';
    return json + "\"eventId\":" + value + '}';
}

QByteArray SseSubscriber::eventFrame(const fanout::FanoutItem &item, const QString &)
{
    const QByteArray data = dataOf(item);
    QByteArray frame;
    frame.reserve(data.size() + item.cursor.size() + 32);
    frame += "id: " + (item.cursor.isEmpty() ? QByteArray::number(item.sequence) : item.cursor) +
             "\ndata: ";
    frame += data;
    frame += "\n\n";
    return frame;
}

void SseSubscriber::resumeFrom(std::optional<resume::CatchUp::Context> log,
                               std::optional<QByteArray> cursor)
{
    m_resumeFrames = true;
    if (!log)
        return;
    m_catchUp = std::make_shared<resume::CatchUp>(std::move(*log),
                                                  static_cast<resume::CatchUpTarget *>(this));
    m_catchUp->start(std::move(cursor));
}

bool SseSubscriber::deliver(const fanout::FanoutItem &item, fanout::FrameCache &frames)
{
    const Write written = m_catchUp ? m_catchUp->offer(item, frames) : writeItem(item, &frames);
    return written != Write::Full; // gone: the worker drops it when the socket is gone
}

SseSubscriber::Write SseSubscriber::writeItem(const fanout::FanoutItem &item,
                                              fanout::FrameCache *frames)
{
    if (!criteria().isEmpty() && !criteria().matches(item.correlationId, item.context))
        return Write::Written;
    if (!m_connection->isOpen())
        return Write::Gone;
    const QByteArray frame = frames ? frames->frame(&eventFrame) : eventFrame(item, {});
    if (!writeBounded(m_connection, frame, m_bufferLimit))
        return Write::Full;
    countDelivery();
    return Write::Written;
}

void SseSubscriber::writeReset(const char *reason)
{
    m_connection->writeStream("event: adsp:reset\ndata: {\"reason\":\"" + QByteArray(reason) +
                              "\"}\n\n");
}

void SseSubscriber::writeReady(const QByteArray &cursor, qint64 replayed)
{
    const QByteArray data =
        QJsonDocument(QJsonObject{{QStringLiteral("cursor"), QString::fromLatin1(cursor)},
                                  {QStringLiteral("replayed"), replayed}})
            .toJson(QJsonDocument::Compact);
    m_connection->writeStream("event: adsp:ready\nid: " + cursor + "\ndata: " + data + "\n\n");
}

void SseSubscriber::tokenExpired()
{
    closeStream(m_connection, QStringLiteral("the token expired"),
                "event: adsp:reconnect\ndata: {\"reason\":\"token-expired\"}\n\n");
}

void SseSubscriber::fail(const QString &reason)
{
    closeStream(m_connection, reason);
}

void SseSubscriber::keepAlive()
{
    // ADSP's resumable streams say ": keepalive"; without resume, what this service said.
    static const QByteArray comment(": keep-alive\n\n");
    static const QByteArray resumeComment(": keepalive\n\n");
    writeBounded(m_connection, m_resumeFrames ? resumeComment : comment, m_bufferLimit);
}

void SseSubscriber::close(const QString &reason)
{
    closeStream(m_connection, reason);
}

qint64 SseSubscriber::bytesQueued() const
{
    return m_connection->bytesQueued();
}

QList<std::pair<QByteArray, QByteArray>> SseSubscriber::streamHeaders()
{
    return {{"Content-Type", "text/event-stream"},
            {"Cache-Control", "no-cache"},
            {"Connection", "keep-alive"},
            {"X-Accel-Buffering", "no"}};
}

} // namespace push::sse
