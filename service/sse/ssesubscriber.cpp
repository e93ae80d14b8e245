#include "ssesubscriber.h"

#include "httpconnection.h"

namespace push::sse {

SseSubscriber::SseSubscriber(http::HttpConnection *connection, fanout::StreamKey key,
                             EventCriteria criteria, qint64 bufferLimit,
                             fanout::SubscriberInfo info)
    : Subscriber(std::move(key), std::move(criteria), std::move(info))
    , m_connection(connection)
    , m_bufferLimit(bufferLimit)
{}

bool SseSubscriber::deliver(const fanout::FanoutItem &item, fanout::FrameCache &)
{
    if (!criteria().isEmpty() && !criteria().matches(item.correlationId, item.context))
        return true;
    if (!m_connection->isOpen())
        return true; // already closing: the worker drops it when the socket is gone
    // Bounded: an empty queue takes any one frame (events are bounded by the request
    // size), a non-empty one only what fits under the limit.
    const qint64 queued = m_connection->bytesQueued();
    if (queued > 0 && queued + item.sseFrame.size() > m_bufferLimit)
        return false;
    m_connection->writeStream(item.sseFrame);
    countDelivery();
    return true;
}

void SseSubscriber::keepAlive()
{
    static const QByteArray comment(": keep-alive\n\n");
    if (m_connection->isOpen() && m_connection->bytesQueued() + comment.size() <= m_bufferLimit)
        m_connection->writeStream(comment);
}

void SseSubscriber::close(const QString &reason)
{
    if (m_connection->bytesQueued() == 0) {
        // A comment line: EventSource ignores it, a person reading with curl sees why.
        m_connection->writeStream(": closed: " + reason.toUtf8().left(200) + "\n\n");
        m_connection->close();
    } else {
        m_connection->abort(); // a client that is not reading would hold the close open
    }
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
