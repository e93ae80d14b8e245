#pragma once

#include "fanout/fanout.h"
#include "resume/catchup.h"

#include <memory>
#include <optional>

namespace push::http {
class HttpConnection;
}

namespace push::sse {

// A Server-Sent Events response as a subscriber: frames are written as they come, as
// long as the connection's queue stays under its bound. A resumable one (docs/resume.md)
// first catches up from the client's cursor, and says so with named control events.
class SseSubscriber final : public fanout::Subscriber, private resume::CatchUpTarget
{
public:
    SseSubscriber(http::HttpConnection *connection, fanout::StreamKey key, EventCriteria criteria,
                  qint64 bufferLimit, fanout::SubscriberInfo info = {});

    // Resume frames (": keepalive"); and, given a log, the catch-up from `cursor` (nullopt:
    // none sent) before the live tail. Called once, after the subscriber is registered.
    void resumeFrom(std::optional<resume::CatchUp::Context> log, std::optional<QByteArray> cursor);

    bool deliver(const fanout::FanoutItem &item, fanout::FrameCache &frames) override;
    void keepAlive() override;
    const char *transport() const override { return "sse"; }
    void close(const QString &reason) override;
    bool endsWithToken() const override { return m_resumeFrames; }
    // "event: adsp:reconnect" with {"reason": "token-expired"}, then the response ends.
    void tokenExpired() override;
    qint64 bytesQueued() const override;

    // "id: <cursor>\ndata: <json>\n\n" (the sequence where the item has no cursor): an
    // item as an event stream carries it.
    static QByteArray eventFrame(const fanout::FanoutItem &item, const QString &variant);
    // The item's JSON as SSE carries it: with `eventId` when the item has a cursor.
    static QByteArray dataOf(const fanout::FanoutItem &item);
    // The response head of an event stream.
    static QList<std::pair<QByteArray, QByteArray>> streamHeaders();
    // Writes `frame` to an event stream when it fits under `limit` (an empty queue takes
    // any one frame: frames are bounded by the request size); false when it does not, or
    // the connection is closing. Shared by every event stream (the admin feed too).
    static bool writeBounded(http::HttpConnection *connection, const QByteArray &frame,
                             qint64 limit);
    // Ends an event stream with `notice` (an event, or nothing) and a comment saying why
    // (": closed: <reason>"; EventSource ignores it, curl shows it); a client that is not
    // reading (what was written before is still queued) is reset instead. Both are
    // written in one go: on a QTcpSocket (Windows) a write stays queued until the event
    // loop sends it, so a queue looked at after the notice would never be empty.
    static void closeStream(http::HttpConnection *connection, const QString &reason,
                            const QByteArray &notice = {});

private:
    Write writeItem(const fanout::FanoutItem &item, fanout::FrameCache *frames) override;
    void writeReset(const char *reason) override;
    void writeReady(const QByteArray &cursor, qint64 replayed) override;
    void fail(const QString &reason) override;

    http::HttpConnection *m_connection;
    qint64 m_bufferLimit;
    bool m_resumeFrames = false;
    std::shared_ptr<resume::CatchUp> m_catchUp; // while resuming, and after
};

} // namespace push::sse
