#include "hub.h"

#include "ioworker.h"

#include <QJsonDocument>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcFanout)

namespace push::fanout {

namespace {

void addItem(FanoutBatch &batch, const QString &contextTenantId, const Stream &stream,
             const StreamEvent &streamEvent, const DomainEvent &event)
{
    const QJsonObject projected = project(streamEvent, event);
    FanoutItem item;
    item.key = streamKey(contextTenantId, stream.id);
    item.eventName = event.eventNamespace + QLatin1Char(':') + event.name;
    item.json = QJsonDocument(projected).toJson(QJsonDocument::Compact);
    item.sseFrame.reserve(item.json.size() + 32);
    item.sseFrame += "id: " + QByteArray::number(batch.sequence) + "\ndata: ";
    item.sseFrame += item.json;
    item.sseFrame += "\n\n";
    item.correlationId = projected.value(QLatin1String("correlationId"));
    item.context = projected.value(QLatin1String("context")).toObject();
    batch.items.append(std::move(item));
}

} // namespace

Hub::Hub(const config::ConfigRegistry &registry)
    : m_registry(registry)
{}

void Hub::setWorkers(QList<IoWorker *> workers)
{
    m_workers = std::move(workers);
}

FanoutBatch Hub::buildBatch(const config::ConfigSnapshot &snapshot, const DomainEvent &event,
                            quint64 sequence)
{
    FanoutBatch batch;
    batch.sequence = sequence;
    batch.tenantId = tenantIdFromUrn(event.tenantId);
    if (snapshot.tenantById(batch.tenantId)) {
        const QMap<QString, Stream> &streams = snapshot.streamsFor(batch.tenantId);
        for (const Stream &stream : streams) {
            if (const StreamEvent *match = stream.match(event, event.tenantId))
                addItem(batch, batch.tenantId, stream, *match, event);
        }
    }
    // The cross-tenant context: core streams with no tenant filter, for core users.
    for (const Stream &stream : snapshot.coreStreams()) {
        if (const StreamEvent *match = stream.match(event, QString()))
            addItem(batch, QString(), stream, *match, event);
    }
    return batch;
}

Hub::Published Hub::publish(const DomainEvent &event)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    const quint64 sequence = m_sequence.fetch_add(1, std::memory_order_relaxed) + 1;
    auto batch = std::make_shared<FanoutBatch>(buildBatch(*snapshot, event, sequence));
    const int streams = int(batch->items.size());
    qCDebug(lcFanout).noquote() << "event" << sequence << event.eventNamespace + ':' + event.name
                                << "of" << event.tenantId << "matched" << streams << "streams";
    if (streams > 0) {
        FanoutBatchPtr shared = std::move(batch);
        for (IoWorker *worker : std::as_const(m_workers))
            worker->post(shared);
    }
    return {sequence, streams};
}

} // namespace push::fanout
