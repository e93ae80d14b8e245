#include "fanout.h"

#include "siopacket.h"

namespace push::fanout {

thread_local quint64 Subscriber::t_deliveries = 0;

quint64 Subscriber::takeThreadDeliveries()
{
    const quint64 n = t_deliveries;
    t_deliveries = 0;
    return n;
}

StreamKey streamKey(const QString &tenantId, const QString &streamId)
{
    return tenantId + QChar(0x1f) + streamId;
}

const QByteArray &FrameCache::socketIoFrame(const QString &nsp)
{
    // Nearly always every socket of a stream instance uses one namespace spelling.
    if (!m_lastFrame.isNull() && nsp == m_lastNamespace)
        return m_lastFrame;
    if (m_lastFrame.isNull()) {
        m_lastNamespace = nsp;
        m_lastFrame = socketio::eventFrame(nsp, m_item.eventName, m_item.json);
        return m_lastFrame;
    }
    auto it = m_others.find(nsp);
    if (it == m_others.end())
        it = m_others.insert(nsp, socketio::eventFrame(nsp, m_item.eventName, m_item.json));
    return it.value();
}

} // namespace push::fanout
