#pragma once

#include "fanout/fanout.h"
#include "resume/catchup.h"
#include "socketio/socketioserver.h"

#include <memory>

namespace push::app {

// A socket.io socket as a fan-out subscriber. With connection state recovery (a tenant's
// stream, resume on: docs/resume.md, "socket.io") it first catches up from a cursor in
// the log, and every event carries its cursor as the last argument, the offset the
// client sends back when it reconnects.
class SocketSubscriber final : public fanout::Subscriber, private resume::CatchUpTarget
{
public:
    SocketSubscriber(socketio::Socket &socket, fanout::StreamKey key, EventCriteria criteria,
                     fanout::SubscriberInfo info);

    // Offsets on, and the catch-up from `cursor` (the session's start or the client's
    // offset) to the live tail. Called once, after the subscriber is registered.
    void resumeFrom(resume::CatchUp::Context context, const QByteArray &cursor);

    bool deliver(const fanout::FanoutItem &item, fanout::FrameCache &frames) override;
    void keepAlive() override {} // Engine.IO's heartbeat keeps the connection alive
    const char *transport() const override { return "socketio"; }
    void close(const QString &reason) override;
    void end(const QString &reason) override;
    qint64 bytesQueued() const override { return m_socket.session().bytesQueued(); }

    // "42<nsp,>[\"<namespace>:<name>\",<json>]": an item as a socket on `nsp` gets it;
    // with its cursor as one more argument for a recoverable session.
    static QByteArray eventFrame(const fanout::FanoutItem &item, const QString &nsp);
    static QByteArray eventFrameWithOffset(const fanout::FanoutItem &item, const QString &nsp);

private:
    Write writeItem(const fanout::FanoutItem &item, fanout::FrameCache *frames) override;
    // A cursor that cannot resume after all (trimmed since the CONNECT was answered), or a
    // log that cannot be read: the session closes, and the client, coming back with its
    // offset, is told it was not recovered.
    void writeReset(const char *reason) override;
    void writeReady(const QByteArray &, qint64) override {} // socket.io has no such packet
    void fail(const QString &reason) override;
    // Closes the session from the event loop: never under the catch-up's feet.
    void closeLater(const QString &reason);

    socketio::Socket &m_socket;
    bool m_offsets = false;
    bool m_closing = false;
    QObject *m_home = nullptr;
    std::shared_ptr<resume::CatchUp> m_catchUp;
};

} // namespace push::app
