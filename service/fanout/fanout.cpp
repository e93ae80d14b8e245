#include "fanout.h"

#include "siopacket.h"

#include <QDateTime>

#include <atomic>

namespace push::fanout {

thread_local quint64 Subscriber::t_deliveries = 0;

namespace {
std::atomic<quint64> g_nextSubscriberId{0};
} // namespace

Subscriber::Subscriber(StreamKey key, EventCriteria criteria, SubscriberInfo info)
    : m_key(std::move(key))
    , m_criteria(std::move(criteria))
    , m_info(std::move(info))
    , m_id(g_nextSubscriberId.fetch_add(1, std::memory_order_relaxed) + 1)
{}

SubscriberInfo SubscriberInfo::now(const User *user, const QHostAddress &peer)
{
    SubscriberInfo info;
    if (user)
        info.user = std::make_shared<const User>(*user);
    info.peer = peer;
    info.since = QDateTime::currentMSecsSinceEpoch();
    return info;
}

QJsonObject Subscriber::toJson() const
{
    const QString tenant = tenantOfKey(m_key);
    QJsonObject json{
        {QStringLiteral("id"), QString::number(m_id)},
        {QStringLiteral("tenant"), tenant.isEmpty() ? QJsonValue() : QJsonValue(tenant)},
        {QStringLiteral("stream"), streamOfKey(m_key)},
        {QStringLiteral("transport"), QLatin1String(transport())},
        {QStringLiteral("remoteAddress"), m_info.peer.toString()},
        {QStringLiteral("connectedSince"),
         QDateTime::fromMSecsSinceEpoch(m_info.since).toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("delivered"), qint64(m_delivered)},
        {QStringLiteral("bytesQueued"), bytesQueued()},
        {QStringLiteral("criteria"), m_criteria.isEmpty() ? QJsonValue() : m_criteria.toJson()},
    };
    if (const User *user = m_info.user.get()) {
        QJsonObject who{{QStringLiteral("id"), user->id}, {QStringLiteral("isCore"), user->isCore}};
        if (!user->name.isEmpty())
            who.insert(QStringLiteral("name"), user->name);
        json.insert(QStringLiteral("user"), who);
    } else {
        json.insert(QStringLiteral("user"), QJsonValue());
    }
    return json;
}

QString tenantOfKey(const StreamKey &key)
{
    return key.section(QChar(0x1f), 0, 0);
}

QString streamOfKey(const StreamKey &key)
{
    return key.section(QChar(0x1f), 1);
}

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
