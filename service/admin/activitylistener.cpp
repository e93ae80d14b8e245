#include "activitylistener.h"

#include "http/httpconnection.h"
#include "sse/ssesubscriber.h"

#include <QTimer>

namespace push::admin {

ActivityListener::ActivityListener(http::HttpConnection *connection,
                                   const fanout::ActivityFeed &feed, Options options,
                                   fanout::SubscriberInfo info)
    : fanout::ActivitySink(std::move(info))
    , m_connection(connection)
    , m_feed(feed)
    , m_options(std::move(options))
    , m_tokens(2.0 * std::max(1, m_options.perSecond))
    , m_timer(std::make_unique<QTimer>())
{
    m_clock.start();
    for (int type = 0; type < fanout::ActivityFeed::kTypeCount; ++type)
        m_feedDropped[type] = m_feed.dropped(fanout::ActivityFeed::Type(type));
    m_timer->setInterval(1000);
    QObject::connect(m_timer.get(), &QTimer::timeout, m_timer.get(), [this] { reportDropped(); });
    m_timer->start();
}

bool ActivityListener::write(const QByteArray &frame)
{
    return sse::SseSubscriber::writeBounded(m_connection, frame, m_options.bufferLimit);
}

void ActivityListener::deliver(const fanout::ActivityItem &item)
{
    if (!m_options.tenantId.isEmpty() && item.tenantId != m_options.tenantId)
        return;
    if (!m_options.types.isEmpty() &&
        !m_options.types.contains(fanout::ActivityFeed::typeName(item.type)))
        return;
    // A token bucket: perSecond sustained, twice that in a burst.
    const qint64 now = m_clock.elapsed();
    const double rate = std::max(1, m_options.perSecond);
    m_tokens = std::min(2.0 * rate, m_tokens + double(now - m_refilledAt) * rate / 1000.0);
    m_refilledAt = now;
    const QByteArray &frame = !m_options.tenantId.isEmpty() && !item.tenantFrame.isEmpty()
                                  ? item.tenantFrame
                                  : item.frame;
    if (m_tokens < 1.0 || !write(frame)) {
        // Over the rate, or the console is not reading fast enough: counted, reported.
        ++m_dropped[int(item.type)];
        ++m_droppedTotal;
        return;
    }
    m_tokens -= 1.0;
}

void ActivityListener::reportDropped()
{
    // This listener's drops, and the feed-wide bound's since the last report (which this
    // listener did not see either; a tenant's listener cannot tell whose they were).
    quint64 count = 0;
    QJsonObject byType;
    quint64 feedNow[fanout::ActivityFeed::kTypeCount];
    for (int type = 0; type < fanout::ActivityFeed::kTypeCount; ++type) {
        feedNow[type] = m_feed.dropped(fanout::ActivityFeed::Type(type));
        const quint64 n = m_dropped[type] + (feedNow[type] - m_feedDropped[type]);
        if (n > 0)
            byType.insert(fanout::ActivityFeed::typeName(fanout::ActivityFeed::Type(type)),
                          qint64(n));
        count += n;
    }
    if (count == 0)
        return;
    if (write(fanout::activityFrame(QStringLiteral("dropped"),
                                    {{QStringLiteral("type"), QStringLiteral("dropped")},
                                     {QStringLiteral("count"), qint64(count)},
                                     {QStringLiteral("types"), byType},
                                     {QStringLiteral("perSecond"), m_options.perSecond}}))) {
        for (int type = 0; type < fanout::ActivityFeed::kTypeCount; ++type) {
            m_dropped[type] = 0;
            m_feedDropped[type] = feedNow[type];
        }
    }
}

void ActivityListener::keepAlive()
{
    write(QByteArrayLiteral(": keep-alive\n\n"));
}

void ActivityListener::close(const QString &reason)
{
    sse::SseSubscriber::closeStream(m_connection, reason);
}

qint64 ActivityListener::bytesQueued() const
{
    return m_connection->bytesQueued();
}

} // namespace push::admin
