#include "replaylog.h"

#include "resume/logdatabase.h"
#include "resume/redislogstore.h"
#include "resume/redistail.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcResume, "push.resume")

namespace push::resume {

namespace {

QString connectionName(const char *role)
{
    static std::atomic<int> next{0};
    return QStringLiteral("replay-log-%1-%2").arg(QLatin1String(role)).arg(++next);
}

constexpr int kRedisTimeoutMs = 5000;

// The store a thread of the log uses: SQLite's file, or a connection to Redis (made on
// first use: a Redis that is down at start is an error of each append, not of the start).
std::unique_ptr<LogStore> openStore(const LogOptions &options, const char *name, QString *error)
{
    if (!options.redisUrl.isEmpty()) {
        RedisAddress address;
        if (!RedisAddress::parse(options.redisUrl, &address, error))
            return nullptr;
        return std::make_unique<RedisLogStore>(address, kRedisTimeoutMs);
    }
    auto db = std::make_unique<LogDatabase>(connectionName(name));
    if (!db->open(options.path, error))
        return nullptr;
    return db;
}

// Starts `thread` with a context object on it and opens `db` there.
QObject *startOn(QThread &thread, const char *name, std::unique_ptr<LogStore> &db,
                 const LogOptions &options, bool *opened, QString *error)
{
    thread.setObjectName(QString::fromLatin1(name));
    auto *context = new QObject;
    context->moveToThread(&thread);
    QObject::connect(&thread, &QThread::finished, context, &QObject::deleteLater);
    thread.start();
    QMetaObject::invokeMethod(
        context,
        [&] {
            db = openStore(options, name, error);
            *opened = db != nullptr;
        },
        Qt::BlockingQueuedConnection);
    return context;
}

void stopOn(QThread &thread, QObject *context, std::unique_ptr<LogStore> &db)
{
    if (!thread.isRunning())
        return;
    // A connection is closed on the thread that opened it.
    QMetaObject::invokeMethod(
        context, [&] { db.reset(); }, Qt::BlockingQueuedConnection);
    thread.quit();
    thread.wait();
}

} // namespace

ReplayLog::ReplayLog(LogOptions options)
    : m_options(std::move(options))
{}

ReplayLog::~ReplayLog()
{
    close();
}

bool ReplayLog::open(QString *error)
{
    bool opened = false;
    m_writerContext = startOn(m_writerThread, "replay-writer", m_writer, m_options, &opened, error);
    if (!opened)
        return false;
    m_readerContext = startOn(m_readerThread, "replay-reader", m_reader, m_options, &opened, error);
    if (!opened)
        return false;
    qint64 entries = 0;
    qint64 bytes = 0;
    QMetaObject::invokeMethod(
        m_readerContext,
        [&] {
            opened = m_reader->totals(&entries, &bytes, error);
            noteOldest(*m_reader);
        },
        Qt::BlockingQueuedConnection);
    m_stats.entries = entries;
    m_stats.bytes = bytes;
    return opened;
}

void ReplayLog::close()
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_closed)
            return;
        m_closed = true;
    }
    if (m_tail)
        m_tail->stop();
    if (m_writerThread.isRunning())
        QMetaObject::invokeMethod(
            m_writerContext, [this] { flush(); }, Qt::BlockingQueuedConnection);
    stopOn(m_writerThread, m_writerContext, m_writer);
    stopOn(m_readerThread, m_readerContext, m_reader);
}

bool ReplayLog::follow(Tenants tenants, Deliver deliver, QString *error)
{
    RedisAddress address;
    if (!RedisAddress::parse(m_options.redisUrl, &address, error))
        return false;
    m_tail = std::make_unique<RedisTail>(address, std::move(tenants), std::move(deliver), m_stats);
    return m_tail->start(error);
}

bool ReplayLog::isReachable() const
{
    return !m_tail || m_tail->isConnected();
}

void ReplayLog::later(int ms, std::function<void()> task)
{
    QMetaObject::invokeMethod(
        m_writerContext,
        [this, ms, task = std::move(task)] { QTimer::singleShot(ms, m_writerContext, task); },
        Qt::QueuedConnection);
}

QByteArray ReplayLog::entryFor(const DomainEvent &event)
{
    QJsonObject json = event.toJson();
    if (!event.id.isEmpty())
        json.insert(QStringLiteral("id"), event.id);
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

std::optional<DomainEvent> ReplayLog::eventFrom(const QByteArray &entry, const QString &tenantUrn)
{
    const QJsonDocument document = QJsonDocument::fromJson(entry);
    if (!document.isObject())
        return std::nullopt;
    QString error;
    std::optional<DomainEvent> event = DomainEvent::fromJson(document.object(), &error);
    if (event)
        event->tenantId = tenantUrn;
    return event;
}

bool ReplayLog::append(const DomainEvent &event, bool logged, Committed committed)
{
    Pending pending;
    pending.logged = logged;
    pending.committed = std::move(committed);
    if (logged) {
        pending.entry.tenantUrn = event.tenantId;
        pending.entry.eventId = event.id;
        pending.entry.event = entryFor(event);
    }
    bool first = false;
    {
        QMutexLocker lock(&m_mutex);
        if (m_closed || m_queue.size() >= m_options.maxQueued)
            return false;
        first = m_queue.isEmpty();
        m_queue.append(std::move(pending));
    }
    // One flush for whatever queues until the writer gets to it: that is the batch.
    if (first)
        QMetaObject::invokeMethod(
            m_writerContext, [this] { flush(); }, Qt::QueuedConnection);
    return true;
}

void ReplayLog::flush()
{
    QList<Pending> taken;
    {
        QMutexLocker lock(&m_mutex);
        taken.swap(m_queue);
    }
    if (taken.isEmpty() || !m_writer)
        return;
    QList<LogAppend> batch;
    for (const Pending &pending : std::as_const(taken)) {
        if (pending.logged)
            batch.append(pending.entry);
    }
    QString error;
    TrimCounts trimmed;
    bool ok = true;
    if (!batch.isEmpty()) {
        ok = m_writer->append(batch, QDateTime::currentMSecsSinceEpoch(), m_options.retentionMs,
                              m_options.maxLength, &trimmed, &error);
        ++m_stats.batches;
        if (!ok) {
            ++m_stats.failures;
            qCWarning(lcResume).noquote()
                << "replay log: cannot write" << batch.size() << "events:" << error;
        }
    }
    // The metrics first: a publisher answered after this batch sees them as they now are.
    m_stats.trimmed += quint64(trimmed.entries);
    if (!isShared()) {
        m_stats.entries -= trimmed.entries;
        m_stats.bytes -= trimmed.bytes;
    }
    // Only a trim or a first entry moves the oldest (nothing else removes entries). Redis's
    // is read from it (RedisTail), as other instances trim it too.
    if (!isShared() && ok && !batch.isEmpty() && (trimmed.entries > 0 || m_stats.oldestMs == 0))
        noteOldest(*m_writer);
    qsizetype next = 0;
    for (Pending &pending : taken) {
        Appended result;
        if (pending.logged) {
            const LogAppend &entry = batch.at(next++);
            if (!ok) {
                result.error = QStringLiteral("the replay log cannot write: %1").arg(error);
            } else if (!entry.id) {
                result.duplicate = true;
                ++m_stats.duplicates;
            } else {
                result.cursor = Cursor{m_writer->epochOf(entry.tenantUrn), *entry.id};
                ++m_stats.appended;
                if (!isShared()) { // Redis's totals are read from it (RedisTail)
                    m_stats.entries += 1;
                    m_stats.bytes += entry.event.size();
                }
            }
        }
        pending.committed(result);
    }
}

void ReplayLog::noteOldest(LogStore &store)
{
    qint64 ms = 0;
    QString error;
    if (store.oldestMs(&ms, &error))
        m_stats.oldestMs = ms;
    else
        qCWarning(lcResume).noquote() << "replay log: cannot read the oldest entry:" << error;
}

const char *ReplayLog::resetReason(const QByteArray &cursor, const LogView &view)
{
    const std::optional<Cursor> parsed = Cursor::parse(cursor);
    if (!parsed) {
        ++m_stats.resetInvalid;
        return "invalid-cursor";
    }
    if (parsed->epoch != view.epoch) {
        ++m_stats.resetEpoch;
        return "epoch-changed";
    }
    if (!view.watermark.isNull() && view.watermark > parsed->entry) {
        ++m_stats.resetExpired;
        return "cursor-expired";
    }
    return nullptr; // a cursor past the head is taken as it is, as ADSP does
}

void ReplayLog::read(const QString &tenantUrn, std::optional<EntryId> after, int limit, Done done)
{
    QMetaObject::invokeMethod(
        m_readerContext,
        [this, tenantUrn, after, limit, done = std::move(done)] {
            // Closed: the service is stopping, and closes the reader's connection itself
            // with the reason ("the service is shutting down").
            if (!m_reader)
                return;
            LogView view;
            QString error;
            const bool ok = m_reader->read(tenantUrn, after, limit, &view, &error);
            m_stats.replayed += quint64(view.entries.size());
            done(ok, view, error);
        },
        Qt::QueuedConnection);
}

} // namespace push::resume
