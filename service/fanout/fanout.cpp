#include "fanout.h"

#include <QDateTime>

#include <atomic>

namespace push::fanout {

thread_local quint64 Subscriber::t_deliveries = 0;

namespace {
std::atomic<quint64> g_nextSubscriberId{0};
} // namespace

Endpoint::Endpoint(SubscriberInfo info)
    : m_info(std::move(info))
    , m_id(g_nextSubscriberId.fetch_add(1, std::memory_order_relaxed) + 1)
{}

Subscriber::Subscriber(StreamKey key, EventCriteria criteria, SubscriberInfo info)
    : Endpoint(std::move(info))
    , m_key(std::move(key))
    , m_criteria(std::move(criteria))
{}

QString StreamKey::toString() const
{
    return (tenantId.isEmpty() ? QStringLiteral("*") : tenantId) + QLatin1Char('/') + streamId;
}

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
    QJsonObject json{
        {QStringLiteral("id"), QString::number(id())},
        {QStringLiteral("tenant"),
         m_key.isCrossTenant() ? QJsonValue() : QJsonValue(m_key.tenantId)},
        {QStringLiteral("stream"), m_key.streamId},
        {QStringLiteral("transport"), QLatin1String(transport())},
        {QStringLiteral("remoteAddress"), info().peer.toString()},
        {QStringLiteral("connectedSince"),
         QDateTime::fromMSecsSinceEpoch(info().since).toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("delivered"), qint64(m_delivered)},
        {QStringLiteral("bytesQueued"), bytesQueued()},
        {QStringLiteral("criteria"), m_criteria.isEmpty() ? QJsonValue() : m_criteria.toJson()},
    };
    if (const User *user = info().user.get()) {
        QJsonObject who{{QStringLiteral("id"), user->id}, {QStringLiteral("isCore"), user->isCore}};
        if (!user->name.isEmpty())
            who.insert(QStringLiteral("name"), user->name);
        json.insert(QStringLiteral("user"), who);
    } else {
        json.insert(QStringLiteral("user"), QJsonValue());
    }
    return json;
}

quint64 Subscriber::takeThreadDeliveries()
{
    const quint64 n = t_deliveries;
    t_deliveries = 0;
    return n;
}

const QByteArray &FrameCache::frame(Builder build, const QString &variant)
{
    for (const Entry &entry : m_frames) {
        if (entry.build == build && entry.variant == variant)
            return entry.frame;
    }
    m_frames.push_back({build, variant, build(m_item, variant)});
    return m_frames.back().frame;
}

} // namespace push::fanout
