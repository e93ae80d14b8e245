#include "activity.h"

#include "httpconnection.h"
#include "ioworker.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QTimer>

namespace push::fanout {

QByteArray activityFrame(const QString &type, const QJsonObject &data)
{
    return "event: " + type.toUtf8() +
           "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

QString ActivityFeed::typeName(Type type)
{
    switch (type) {
    case Type::Subscribe:
        return QStringLiteral("subscribe");
    case Type::Unsubscribe:
        return QStringLiteral("unsubscribe");
    case Type::EventReceived:
        return QStringLiteral("event-received");
    case Type::ConfigurationChanged:
        break;
    }
    return QStringLiteral("configuration-changed");
}

void ActivityFeed::setWorkers(QList<IoWorker *> workers)
{
    QMutexLocker locker(&m_mutex);
    m_workers = std::move(workers);
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

void ActivityFeed::listenerAdded(IoWorker *worker)
{
    QMutexLocker locker(&m_mutex);
    ++m_listening[worker];
    m_listeners.fetch_add(1, std::memory_order_relaxed);
}

void ActivityFeed::listenerRemoved(IoWorker *worker)
{
    QMutexLocker locker(&m_mutex);
    if (--m_listening[worker] <= 0)
        m_listening.remove(worker);
    m_listeners.fetch_sub(1, std::memory_order_relaxed);
}

void ActivityFeed::post(const QString &type, const QString &tenantId, QJsonObject data,
                        QJsonObject tenantView)
{
    if (!active())
        return;
    const QString at = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    data.insert(QStringLiteral("type"), type);
    data.insert(QStringLiteral("at"), at);
    auto batch = std::make_shared<FanoutBatch>();
    FanoutItem item;
    item.key = kActivityKey;
    item.eventName = type;
    item.sseFrame = activityFrame(type, data);
    if (!tenantView.isEmpty()) {
        tenantView.insert(QStringLiteral("type"), type);
        tenantView.insert(QStringLiteral("at"), at);
        item.json = activityFrame(type, tenantView); // what tenant administrators get
    }
    item.context.insert(QStringLiteral("tenant"), tenantId);
    batch->items.append(std::move(item));
    FanoutBatchPtr shared = std::move(batch);
    QMutexLocker locker(&m_mutex);
    for (IoWorker *worker : std::as_const(m_workers)) {
        if (m_listening.contains(worker))
            worker->post(shared);
    }
}

ActivityListener::ActivityListener(http::HttpConnection *connection, ActivityFeed &feed,
                                   Options options, SubscriberInfo info)
    : Subscriber(kActivityKey, {}, std::move(info))
    , m_connection(connection)
    , m_feed(feed)
    , m_worker(IoWorker::current())
    , m_options(std::move(options))
    , m_tokens(2.0 * std::max(1, m_options.perSecond))
    , m_timer(std::make_unique<QTimer>())
{
    m_clock.start();
    for (int type = 0; type < ActivityFeed::kTypeCount; ++type)
        m_feedDropped[type] = m_feed.dropped(ActivityFeed::Type(type));
    m_timer->setInterval(1000);
    QObject::connect(m_timer.get(), &QTimer::timeout, m_timer.get(), [this] { reportDropped(); });
    m_timer->start();
    m_feed.listenerAdded(m_worker);
}

ActivityListener::~ActivityListener()
{
    m_feed.listenerRemoved(m_worker);
}

bool ActivityListener::write(const QByteArray &frame)
{
    if (!m_connection->isOpen())
        return false;
    const qint64 queued = m_connection->bytesQueued();
    if (queued > 0 && queued + frame.size() > m_options.bufferLimit)
        return false;
    m_connection->writeStream(frame);
    return true;
}

bool ActivityListener::deliver(const FanoutItem &item, FrameCache &)
{
    if (!m_options.tenantId.isEmpty() &&
        item.context.value(QLatin1String("tenant")).toString() != m_options.tenantId)
        return true;
    if (!m_options.types.isEmpty() && !m_options.types.contains(item.eventName))
        return true;
    // A token bucket: perSecond sustained, twice that in a burst.
    const qint64 now = m_clock.elapsed();
    const double rate = std::max(1, m_options.perSecond);
    m_tokens = std::min(2.0 * rate, m_tokens + double(now - m_refilledAt) * rate / 1000.0);
    m_refilledAt = now;
    const QByteArray &frame =
        !m_options.tenantId.isEmpty() && !item.json.isEmpty() ? item.json : item.sseFrame;
    if (m_tokens < 1.0 || !write(frame)) {
        // Over the rate, or the console is not reading fast enough: counted, reported.
        static const QStringList names = {
            ActivityFeed::typeName(ActivityFeed::Type::Subscribe),
            ActivityFeed::typeName(ActivityFeed::Type::Unsubscribe),
            ActivityFeed::typeName(ActivityFeed::Type::EventReceived),
            ActivityFeed::typeName(ActivityFeed::Type::ConfigurationChanged)};
        const qsizetype type = names.indexOf(item.eventName);
        ++m_dropped[type < 0 ? int(ActivityFeed::Type::EventReceived) : int(type)];
        ++m_droppedTotal;
        return true;
    }
    m_tokens -= 1.0;
    return true;
}

void ActivityListener::reportDropped()
{
    // This listener's drops, and the feed-wide bound's since the last report (which this
    // listener did not see either; a tenant's listener cannot tell whose they were).
    quint64 count = 0;
    QJsonObject byType;
    quint64 feedNow[ActivityFeed::kTypeCount];
    for (int type = 0; type < ActivityFeed::kTypeCount; ++type) {
        feedNow[type] = m_feed.dropped(ActivityFeed::Type(type));
        const quint64 n = m_dropped[type] + (feedNow[type] - m_feedDropped[type]);
        if (n > 0)
            byType.insert(ActivityFeed::typeName(ActivityFeed::Type(type)), qint64(n));
        count += n;
    }
    if (count == 0)
        return;
    if (write(activityFrame(QStringLiteral("dropped"),
                            {{QStringLiteral("type"), QStringLiteral("dropped")},
                             {QStringLiteral("count"), qint64(count)},
                             {QStringLiteral("types"), byType},
                             {QStringLiteral("perSecond"), m_options.perSecond}}))) {
        for (int type = 0; type < ActivityFeed::kTypeCount; ++type) {
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
    if (m_connection->bytesQueued() == 0) {
        m_connection->writeStream(": closed: " + reason.toUtf8().left(200) + "\n\n");
        m_connection->close();
    } else {
        m_connection->abort();
    }
}

qint64 ActivityListener::bytesQueued() const
{
    return m_connection->bytesQueued();
}

} // namespace push::fanout
