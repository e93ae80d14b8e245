#include "activity.h"

#include "fanout/subscriberregistry.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QMutexLocker>

namespace push::fanout {

QByteArray activityFrame(const QString &type, const QJsonObject &data)
{
    return "event: " + type.toUtf8() +
           "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

const QStringList &ActivityFeed::typeNames()
{
    static const QStringList names = {QStringLiteral("subscribe"), QStringLiteral("unsubscribe"),
                                      QStringLiteral("event-received"),
                                      QStringLiteral("configuration-changed")};
    return names;
}

bool ActivityFeed::admit(Type type)
{
    if (!active())
        return false;
    if (type == Type::ConfigurationChanged)
        return true;
    static const QElapsedTimer clock = [] {
        QElapsedTimer started;
        started.start();
        return started;
    }();
    const qint64 second = clock.elapsed() / 1000;
    qint64 seen = m_second.load(std::memory_order_relaxed);
    if (seen != second && m_second.compare_exchange_strong(seen, second))
        m_inSecond.store(0, std::memory_order_relaxed);
    if (m_inSecond.fetch_add(1, std::memory_order_relaxed) < m_budget)
        return true;
    m_dropped[int(type)].fetch_add(1, std::memory_order_relaxed);
    return false;
}

void ActivityFeed::listenerAdded(SubscriberRegistry *registry)
{
    QMutexLocker locker(&m_mutex);
    ++m_listening[registry];
    m_listeners.fetch_add(1, std::memory_order_relaxed);
}

void ActivityFeed::listenerRemoved(SubscriberRegistry *registry)
{
    QMutexLocker locker(&m_mutex);
    if (--m_listening[registry] <= 0)
        m_listening.remove(registry);
    m_listeners.fetch_sub(1, std::memory_order_relaxed);
}

void ActivityFeed::post(Type kind, const QString &tenantId, QJsonObject data,
                        QJsonObject tenantView)
{
    if (!active())
        return;
    const QString type = typeName(kind);
    const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    data.insert(QStringLiteral("type"), type);
    data.insert(QStringLiteral("at"), at);
    auto item = std::make_shared<ActivityItem>();
    item->type = kind;
    item->tenantId = tenantId;
    item->frame = activityFrame(type, data);
    if (!tenantView.isEmpty()) {
        tenantView.insert(QStringLiteral("type"), type);
        tenantView.insert(QStringLiteral("at"), at);
        item->tenantFrame = activityFrame(type, tenantView);
    }
    ActivityItemPtr shared = std::move(item);
    QMutexLocker locker(&m_mutex);
    for (auto it = m_listening.cbegin(); it != m_listening.cend(); ++it)
        it.key()->post(shared);
}

} // namespace push::fanout
