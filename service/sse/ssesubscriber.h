#pragma once

#include "fanout/fanout.h"

namespace push::http {
class HttpConnection;
}

namespace push::sse {

// A Server-Sent Events response as a subscriber: frames are written as they come, as
// long as the connection's queue stays under its bound.
class SseSubscriber final : public fanout::Subscriber
{
public:
    SseSubscriber(http::HttpConnection *connection, fanout::StreamKey key, EventCriteria criteria,
                  qint64 bufferLimit, fanout::SubscriberInfo info = {});

    bool deliver(const fanout::FanoutItem &item, fanout::FrameCache &frames) override;
    void keepAlive() override;
    const char *transport() const override { return "sse"; }
    void close(const QString &reason) override;
    qint64 bytesQueued() const override;

    // "id: <sequence>\ndata: <json>\n\n": an item as an event stream carries it.
    static QByteArray eventFrame(const fanout::FanoutItem &item, const QString &variant);
    // The response head of an event stream.
    static QList<std::pair<QByteArray, QByteArray>> streamHeaders();
    // Writes `frame` to an event stream when it fits under `limit` (an empty queue takes
    // any one frame: frames are bounded by the request size); false when it does not, or
    // the connection is closing. Shared by every event stream (the admin feed too).
    static bool writeBounded(http::HttpConnection *connection, const QByteArray &frame,
                             qint64 limit);
    // Ends an event stream with a comment saying why (": closed: <reason>"; EventSource
    // ignores it, curl shows it); a client that is not reading is reset instead.
    static void closeStream(http::HttpConnection *connection, const QString &reason);

private:
    http::HttpConnection *m_connection;
    qint64 m_bufferLimit;
};

} // namespace push::sse
