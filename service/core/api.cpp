#include "api.h"

#include "configuration.h"
#include "hub.h"
#include "ioworker.h"
#include "ssesubscriber.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSse, "push.sse")
Q_LOGGING_CATEGORY(lcIngest, "push.ingest")

namespace push::core {

using http::ApiError;
using http::HttpCall;
using http::HttpResponse;

namespace {

HttpResponse jsonResponse(const QJsonObject &object, int status = 200)
{
    return HttpResponse::json(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString describe(const QString &tenantId, const QString &streamId)
{
    return (tenantId.isEmpty() ? QStringLiteral("(cross-tenant)") : tenantId) + QLatin1Char('/') +
           streamId;
}

} // namespace

Api::Api(const Settings &settings, const config::ConfigRegistry &registry, fanout::Hub &hub,
         const ServiceStatus &status)
    : m_settings(settings)
    , m_registry(registry)
    , m_hub(hub)
    , m_status(status)
{}

void Api::registerRoutes(http::Router &router)
{
    router.route("GET", QStringLiteral("/"), [this](HttpCall &c) { root(c); });
    router.route("GET", QStringLiteral("/health"), [this](HttpCall &c) { health(c); });
    router.route("GET", QStringLiteral("/swagger/docs/v1"), [this](HttpCall &c) { openApi(c); });
    router.route("GET", QStringLiteral("/stream/v1/streams"),
                 [this](HttpCall &c) { listStreams(c); });
    router.route("GET", QStringLiteral("/stream/v1/streams/<arg>"),
                 [this](HttpCall &c) { subscribe(c); });
    router.route("POST", QStringLiteral("/event/v1/events"),
                 [this](HttpCall &c) { publishEvent(c); });
}

QString Api::baseUrl(const http::HttpRequest &request) const
{
    if (!m_settings.publicUrl.isEmpty())
        return m_settings.publicUrl.endsWith(QLatin1Char('/')) ? m_settings.publicUrl.chopped(1)
                                                               : m_settings.publicUrl;
    const QByteArray host = request.header("host");
    return QStringLiteral("http://") + (host.isEmpty()
                                            ? QStringLiteral("localhost:%1").arg(m_settings.port)
                                            : QString::fromLatin1(host));
}

void Api::root(HttpCall &call)
{
    const QString base = baseUrl(call.request);
    auto link = [](const QString &href) { return QJsonObject{{QStringLiteral("href"), href}}; };
    call.reply(jsonResponse({
        {QStringLiteral("name"), QStringLiteral("Push service")},
        {QStringLiteral("description"),
         QStringLiteral("Push service provides a push mode gateway to domain events, over "
                        "Server-Sent Events and socket.io.")},
        {QStringLiteral("_links"),
         QJsonObject{{QStringLiteral("self"), link(base + QStringLiteral("/"))},
                     {QStringLiteral("health"), link(base + QStringLiteral("/health"))},
                     {QStringLiteral("api"), link(base + QStringLiteral("/stream/v1"))},
                     {QStringLiteral("docs"), link(base + QStringLiteral("/swagger/docs/v1"))}}},
    }));
}

void Api::health(HttpCall &call)
{
    qint64 connections = 0;
    qint64 subscribers = 0;
    for (const fanout::IoWorker *worker : m_status.workers) {
        connections += worker->connectionCount();
        subscribers += worker->subscriberCount();
    }
    const bool store = m_status.storeHealthy.load();
    call.reply(jsonResponse(
        {
            {QStringLiteral("status"), store ? QStringLiteral("ok") : QStringLiteral("error")},
            {QStringLiteral("store"), store ? QStringLiteral("ok") : QStringLiteral("unavailable")},
            {QStringLiteral("connections"), connections},
            {QStringLiteral("subscribers"), subscribers},
            {QStringLiteral("eventsPublished"), qint64(m_hub.eventsPublished())},
            {QStringLiteral("workers"), int(m_status.workers.size())},
        },
        store ? 200 : 503));
}

void Api::openApi(HttpCall &call)
{
    QFile file(QStringLiteral(":/push/openapi.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        call.fail(ApiError::Internal,
                  QStringLiteral("the OpenAPI document is missing from the build"));
        return;
    }
    call.reply(HttpResponse::json(200, file.readAll()));
}

void Api::listStreams(HttpCall &call)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    const QString reference = call.request.queryValue(QStringLiteral("tenant"));
    if (reference.isEmpty()) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("tenant is required: name it with ?tenant=<tenant id or name>"));
        return;
    }
    const Tenant *tenant = snapshot->findTenant(reference);
    if (!tenant) {
        call.fail(ApiError::NotFound, QStringLiteral("tenant '%1' not found").arg(reference));
        return;
    }
    QJsonObject result;
    for (const Stream &stream : snapshot->streamsFor(tenant->id)) {
        // Without credentials only public streams may be subscribed to.
        if (stream.publicSubscribe)
            result.insert(stream.id, stream.toJson());
    }
    call.reply(jsonResponse(result));
}

void Api::subscribe(HttpCall &call)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    const QString streamId = call.args.value(0);
    const QString reference = call.request.queryValue(QStringLiteral("tenant"));
    if (reference.isEmpty()) {
        call.fail(ApiError::BadRequest, QStringLiteral("tenant is required: name it with "
                                                       "?tenant=<tenant-name-in-kebab-case>"));
        return;
    }
    const Tenant *tenant = snapshot->findTenant(reference);
    if (!tenant) {
        call.fail(ApiError::NotFound, QStringLiteral("tenant '%1' not found").arg(reference));
        return;
    }
    const Stream *stream = snapshot->stream(tenant->id, streamId);
    if (!stream) {
        call.fail(
            ApiError::NotFound,
            QStringLiteral("stream '%1' not found for tenant %2").arg(streamId, tenant->name));
        return;
    }
    if (!stream->publicSubscribe) {
        call.fail(ApiError::Unauthorized,
                  QStringLiteral("stream '%1' is not public: a token is required").arg(streamId));
        return;
    }
    EventCriteria criteria;
    const QString criteriaText = call.request.queryValue(QStringLiteral("criteria"));
    if (!criteriaText.isEmpty()) {
        QString error;
        auto parsed = EventCriteria::fromJsonText(criteriaText.toUtf8(), &error);
        if (!parsed) {
            call.fail(ApiError::BadRequest, QStringLiteral("criteria: %1").arg(error));
            return;
        }
        criteria = *parsed;
    }
    fanout::IoWorker *worker = fanout::IoWorker::current();
    Q_ASSERT(worker);
    call.connection->startStream(200, sse::SseSubscriber::streamHeaders());
    worker->addSubscriber(call.connection,
                          std::make_unique<sse::SseSubscriber>(
                              call.connection, fanout::streamKey(tenant->id, stream->id), criteria,
                              worker->settings().subscriberBufferBytes));
    qCInfo(lcSse).noquote() << "subscriber from" << call.request.peer.toString() << "on"
                            << describe(tenant->id, stream->id)
                            << QStringLiteral("(worker %1)").arg(worker->index());
}

void Api::publishEvent(HttpCall &call)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(call.request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("request body is not valid JSON: %1 at offset %2")
                      .arg(parseError.errorString())
                      .arg(parseError.offset));
        return;
    }
    if (!document.isObject()) {
        call.fail(ApiError::BadRequest, QStringLiteral("request body must be a JSON object"));
        return;
    }
    const QJsonObject body = document.object();
    QString error;
    std::optional<DomainEvent> event = DomainEvent::fromJson(body, &error);
    if (!event) {
        qCInfo(lcIngest).noquote()
            << "rejected event from" << call.request.peer.toString() << ":" << error;
        call.fail(ApiError::BadRequest, error);
        return;
    }
    const config::SnapshotPtr snapshot = m_registry.current();
    const QJsonValue bodyTenant = body.value(QLatin1String("tenantId"));
    if (!bodyTenant.isUndefined() && !bodyTenant.isString()) {
        call.fail(ApiError::BadRequest, QStringLiteral("tenantId must be a string"));
        return;
    }
    const QString reference = bodyTenant.isString()
                                  ? bodyTenant.toString()
                                  : call.request.queryValue(QStringLiteral("tenant"));
    if (reference.isEmpty()) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("tenant is required: give tenantId in the body or ?tenant="));
        return;
    }
    const Tenant *tenant = snapshot->findTenant(reference);
    if (!tenant) {
        call.fail(ApiError::BadRequest, QStringLiteral("tenant '%1' not found").arg(reference));
        return;
    }
    event->tenantId = tenant->urn();
    const fanout::Hub::Published published = m_hub.publish(*event);
    qCDebug(lcIngest).noquote() << "event" << published.sequence
                                << event->eventNamespace + QLatin1Char(':') + event->name << "for"
                                << tenant->id << "matched" << published.streams << "streams";
    call.reply(jsonResponse({{QStringLiteral("sequence"), qint64(published.sequence)},
                             {QStringLiteral("tenantId"), event->tenantId},
                             {QStringLiteral("streams"), published.streams}}));
}

} // namespace push::core
