#include "hub.h"

#include "fanout/activity.h"
#include "fanout/subscriberregistry.h"

#include <QJsonArray>

#include <QJsonDocument>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcFanout)

namespace push::fanout {

namespace {

FanoutItem makeItem(StreamKey key, quint64 sequence, const StreamEvent &streamEvent,
                    const DomainEvent &event, const Cursor *cursor)
{
    const QJsonObject projected = project(streamEvent, event);
    FanoutItem item;
    item.key = std::move(key);
    item.sequence = sequence;
    item.eventName = event.eventNamespace + QLatin1Char(':') + event.name;
    item.correlationId = projected.value(QLatin1String("correlationId"));
    item.context = projected.value(QLatin1String("context")).toObject();
    if (cursor) {
        item.cursor = cursor->toString();
        item.entry = cursor->entry;
        item.eventId = event.id;
    }
    item.json = QJsonDocument(projected).toJson(QJsonDocument::Compact);
    return item;
}

void addItem(FanoutBatch &batch, const QString &contextTenantId, const Stream &stream,
             const StreamEvent &streamEvent, const DomainEvent &event, const Cursor *cursor)
{
    // The cross-tenant instance is not in any tenant's log: no cursor there.
    batch.items.append(makeItem({contextTenantId, stream.id}, batch.sequence, streamEvent, event,
                                contextTenantId.isEmpty() ? nullptr : cursor));
}

// What the activity feed says of an event: the event (a large payload left out), its
// sequence number and the stream instances that carry it.
QJsonObject describeEvent(const DomainEvent &event, const FanoutBatch &batch)
{
    constexpr qsizetype kMaxPayloadBytes = 16 * 1024;
    QJsonObject json = event.toJson();
    const QJsonValue payload = json.value(QLatin1String("payload"));
    const qsizetype payloadBytes =
        payload.isObject() ? QJsonDocument(payload.toObject()).toJson(QJsonDocument::Compact).size()
        : payload.isArray() ? QJsonDocument(payload.toArray()).toJson(QJsonDocument::Compact).size()
                            : payload.toString().size();
    if (payloadBytes > kMaxPayloadBytes) {
        json.remove(QStringLiteral("payload"));
        json.insert(QStringLiteral("payloadOmitted"), true);
    }
    QJsonArray streams;
    for (const FanoutItem &item : batch.items) {
        streams.append(
            QJsonObject{{QStringLiteral("tenant"),
                         item.key.isCrossTenant() ? QJsonValue() : QJsonValue(item.key.tenantId)},
                        {QStringLiteral("stream"), item.key.streamId}});
    }
    return {{QStringLiteral("event"), json},
            {QStringLiteral("sequence"), qint64(batch.sequence)},
            {QStringLiteral("streams"), streams}};
}

// A tenant administrator's view of it: without the cross-tenant instances it matched.
QJsonObject tenantView(QJsonObject description)
{
    QJsonArray own;
    for (const QJsonValue &stream : description.value(QLatin1String("streams")).toArray()) {
        if (!stream.toObject().value(QLatin1String("tenant")).isNull())
            own.append(stream);
    }
    description.insert(QStringLiteral("streams"), own);
    return description;
}

} // namespace

Hub::Hub(const config::ConfigRegistry &registry)
    : m_registry(registry)
{}

void Hub::setRegistries(QList<SubscriberRegistry *> registries)
{
    m_registries = std::move(registries);
}

FanoutBatch Hub::buildBatch(const config::ConfigSnapshot &snapshot, const DomainEvent &event,
                            quint64 sequence, const std::optional<Cursor> &cursor, Scope scope)
{
    const Cursor *at = cursor ? &*cursor : nullptr;
    FanoutBatch batch;
    batch.sequence = sequence;
    batch.tenantId = tenantIdFromUrn(event.tenantId);
    if (scope != Scope::CrossTenant && snapshot.tenantById(batch.tenantId)) {
        const QMap<QString, Stream> &streams = snapshot.streamsFor(batch.tenantId);
        for (const Stream &stream : streams) {
            if (const StreamEvent *match = stream.match(event, event.tenantId))
                addItem(batch, batch.tenantId, stream, *match, event, at);
        }
    }
    // The cross-tenant context: core streams with no tenant filter, for core users.
    for (const Stream &stream : snapshot.coreStreams()) {
        if (scope == Scope::Tenant)
            break;
        if (const StreamEvent *match = stream.match(event, QString()))
            addItem(batch, QString(), stream, *match, event, nullptr);
    }
    return batch;
}

std::optional<FanoutItem> Hub::itemFor(const config::ConfigSnapshot &snapshot, const StreamKey &key,
                                       const DomainEvent &event, const Cursor &cursor)
{
    const Stream *stream = snapshot.stream(key.tenantId, key.streamId);
    if (!stream || key.isCrossTenant())
        return std::nullopt;
    const StreamEvent *match = stream->match(event, event.tenantId);
    if (!match)
        return std::nullopt;
    return makeItem(key, 0, *match, event, &cursor);
}

Hub::Published Hub::publish(const DomainEvent &event, const std::optional<Cursor> &cursor,
                            Scope scope)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    const quint64 sequence = m_sequence.fetch_add(1, std::memory_order_relaxed) + 1;
    if (scope != Scope::CrossTenant)
        m_events.fetch_add(1, std::memory_order_relaxed);
    auto batch =
        std::make_shared<FanoutBatch>(buildBatch(*snapshot, event, sequence, cursor, scope));
    const int streams = int(batch->items.size());
    // An event split between the log and this instance's queue is reported once, by the
    // log's part (Ingress::fromBroker).
    if (scope != Scope::CrossTenant && m_activity &&
        m_activity->admit(ActivityFeed::Type::EventReceived)) {
        // Reported once every worker has delivered it, with the deliveries it made: all of
        // them for core administrators, the tenant's own streams' for its administrators.
        auto full = std::make_shared<QJsonObject>(describeEvent(event, *batch));
        auto own = std::make_shared<QJsonObject>(tenantView(*full));
        auto report = [feed = m_activity, full, own, tenant = batch->tenantId](quint64 n,
                                                                               quint64 cross) {
            full->insert(QStringLiteral("deliveries"), qint64(n));
            own->insert(QStringLiteral("deliveries"), qint64(n - cross));
            feed->post(ActivityFeed::Type::EventReceived, tenant, *full, *own);
        };
        if (streams > 0 && !m_registries.isEmpty()) {
            batch->tally = std::make_shared<DeliveryTally>();
            batch->tally->done = std::move(report);
        } else {
            report(0, 0);
        }
    }
    qCDebug(lcFanout).noquote() << "event" << sequence << event.eventNamespace + ':' + event.name
                                << "of" << event.tenantId << "matched" << streams << "streams";
    if (streams > 0) {
        FanoutBatchPtr shared = std::move(batch);
        for (SubscriberRegistry *registry : std::as_const(m_registries))
            registry->post(shared);
    }
    return {sequence, streams};
}

} // namespace push::fanout
