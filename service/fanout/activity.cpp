#include "activity.h"

#include "httpconnection.h"
#include "ioworker.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QTimer>

namespace push::fanout {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

QByteArray activityFrame(const QString &type, const QJsonObject &data)
{
    return "event: " + type.toUtf8() +
           "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

void ActivityFeed::setWorkers(QList<IoWorker *> workers)
{
    QMutexLocker locker(&m_mutex);
    m_workers = std::move(workers);
}

void ActivityFeed::post(const QString &type, const QString &tenantId, QJsonObject data)
{
    if (!active())
        return;
    data.insert(QStringLiteral("type"), type);
    data.insert(QStringLiteral("at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    auto batch = std::make_shared<FanoutBatch>();
    FanoutItem item;
    item.key = kActivityKey;
    item.eventName = type;
    item.sseFrame = activityFrame(type, data);
    item.context.insert(QStringLiteral("tenant"), tenantId);
    batch->items.append(std::move(item));
    FanoutBatchPtr shared = std::move(batch);
    QMutexLocker locker(&m_mutex);
    for (IoWorker *worker : std::as_const(m_workers))
        worker->post(shared);
}

ActivityListener::ActivityListener(http::HttpConnection *connection, ActivityFeed &feed,
                                   Options options, SubscriberInfo info)
    : Subscriber(kActivityKey, {}, std::move(info))
    , m_connection(connection)
    , m_feed(feed)
    , m_options(std::move(options))
    , m_tokens(2.0 * std::max(1, m_options.perSecond))
    , m_refilledAt(nowMs())
    , m_timer(std::make_unique<QTimer>())
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(1000);
    QObject::connect(m_timer.get(), &QTimer::timeout, m_timer.get(), [this] { reportDropped(); });
    m_feed.listenerAdded();
}

ActivityListener::~ActivityListener()
{
    m_feed.listenerRemoved();
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
    const qint64 now = nowMs();
    const double rate = std::max(1, m_options.perSecond);
    m_tokens = std::min(2.0 * rate, m_tokens + double(now - m_refilledAt) * rate / 1000.0);
    m_refilledAt = now;
    if (m_tokens < 1.0 || !write(item.sseFrame)) {
        // Over the rate, or the console is not reading fast enough: counted, reported.
        ++m_dropped;
        ++m_droppedTotal;
        if (!m_timer->isActive())
            m_timer->start();
        return true;
    }
    m_tokens -= 1.0;
    return true;
}

void ActivityListener::reportDropped()
{
    if (m_dropped == 0)
        return;
    if (write(activityFrame(QStringLiteral("dropped"),
                            {{QStringLiteral("type"), QStringLiteral("dropped")},
                             {QStringLiteral("count"), qint64(m_dropped)},
                             {QStringLiteral("total"), qint64(m_droppedTotal)},
                             {QStringLiteral("perSecond"), m_options.perSecond}})))
        m_dropped = 0;
    else
        m_timer->start(); // try again in a second
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
