#include "ssesubscriber.h"

#include "http/httpconnection.h"

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

void SseSubscriber::closeStream(http::HttpConnection *connection, const QString &reason)
{
    if (connection->bytesQueued() == 0) {
        connection->writeStream(": closed: " + reason.toUtf8().left(200) + "\n\n");
        connection->close();
    } else {
        connection->abort(); // a client that is not reading would hold the close open
    }
}

QByteArray SseSubscriber::eventFrame(const fanout::FanoutItem &item, const QString &)
{
    QByteArray frame;
    frame.reserve(item.json.size() + 32);
    frame += "id: " + QByteArray::number(item.sequence) + "\ndata: ";
    frame += item.json;
    frame += "\n\n";
    return frame;
}

bool SseSubscriber::deliver(const fanout::FanoutItem &item, fanout::FrameCache &frames)
{
    if (!criteria().isEmpty() && !criteria().matches(item.correlationId, item.context))
        return true;
    if (!m_connection->isOpen())
        return true; // already closing: the worker drops it when the socket is gone
    if (!writeBounded(m_connection, frames.frame(&eventFrame), m_bufferLimit))
        return false;
    countDelivery();
    return true;
}

void SseSubscriber::keepAlive()
{
    static const QByteArray comment(": keep-alive\n\n");
    writeBounded(m_connection, comment, m_bufferLimit);
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
