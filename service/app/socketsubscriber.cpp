#include "socketsubscriber.h"

#include <QLoggingCategory>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcSio)

namespace push::app {

SocketSubscriber::SocketSubscriber(socketio::Socket &socket, fanout::StreamKey key,
                                   EventCriteria criteria, fanout::SubscriberInfo info)
    : Subscriber(std::move(key), std::move(criteria), std::move(info))
    , m_socket(socket)
{}

QByteArray SocketSubscriber::eventFrame(const fanout::FanoutItem &item, const QString &nsp)
{
    return socketio::eventFrame(nsp, item.eventName, item.json);
}

QByteArray SocketSubscriber::eventFrameWithOffset(const fanout::FanoutItem &item,
                                                  const QString &nsp)
{
    return socketio::eventFrame(nsp, item.eventName, item.json, item.cursor);
}

void SocketSubscriber::resumeFrom(resume::CatchUp::Context context, const QByteArray &cursor)
{
    m_offsets = true;
    m_home = context.home;
    m_catchUp = std::make_shared<resume::CatchUp>(std::move(context),
                                                  static_cast<resume::CatchUpTarget *>(this));
    m_catchUp->start(cursor);
}

bool SocketSubscriber::deliver(const fanout::FanoutItem &item, fanout::FrameCache &frames)
{
    const Write written = m_catchUp ? m_catchUp->offer(item, frames) : writeItem(item, &frames);
    return written != Write::Full;
}

SocketSubscriber::Write SocketSubscriber::writeItem(const fanout::FanoutItem &item,
                                                    fanout::FrameCache *frames)
{
    if (!criteria().isEmpty() && !criteria().matches(item.correlationId, item.context))
        return Write::Written;
    if (m_closing || !m_socket.session().isOpen())
        return Write::Gone;
    // An item without a cursor (none is expected on a tenant's stream) goes without offset.
    const fanout::FrameCache::Builder build =
        m_offsets && !item.cursor.isEmpty() ? &eventFrameWithOffset : &eventFrame;
    const QByteArray frame =
        frames ? frames->frame(build, m_socket.nsp()) : build(item, m_socket.nsp());
    if (!m_socket.sendFrame(frame))
        return Write::Full;
    countDelivery();
    return Write::Written;
}

void SocketSubscriber::writeReset(const char *reason)
{
    closeLater(
        QStringLiteral("its place in the replay log is lost (%1)").arg(QLatin1String(reason)));
}

void SocketSubscriber::fail(const QString &reason)
{
    closeLater(reason);
}

void SocketSubscriber::closeLater(const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    // The catch-up calls this from inside itself; closing the session destroys this
    // subscriber and its catch-up. While the catch-up lives, so does this subscriber
    // (its only owner beyond such a call).
    std::weak_ptr<resume::CatchUp> alive = m_catchUp;
    QTimer::singleShot(0, m_home, [this, alive, reason] {
        if (const std::shared_ptr<resume::CatchUp> held = alive.lock())
            close(reason);
    });
}

void SocketSubscriber::close(const QString &reason)
{
    qCInfo(lcSio).noquote() << "closing socket" << m_socket.id() << "of session"
                            << m_socket.session().id() << ":" << reason;
    // The whole connection: its buffer is what overflowed (or the service stops).
    m_socket.session().close(reason);
}

void SocketSubscriber::end(const QString &reason)
{
    qCInfo(lcSio).noquote() << "disconnecting socket" << m_socket.id() << "from" << m_socket.nsp()
                            << ":" << reason;
    m_socket.disconnect(); // the namespace only: the client sees "io server disconnect"
}

} // namespace push::app
