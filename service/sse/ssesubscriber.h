#pragma once

#include "fanout.h"

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

    // The response head of an event stream.
    static QList<std::pair<QByteArray, QByteArray>> streamHeaders();

private:
    http::HttpConnection *m_connection;
    qint64 m_bufferLimit;
};

} // namespace push::sse
