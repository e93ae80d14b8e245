#include "streamapi.h"

#include "bus/amqpbus.h"
#include "shared/logthrottle.h"

#include "app/ingress.h"
#include "app/subscriptions.h"
#include "auth/authenticator.h"
#include "fanout/hub.h"
#include "fanout/subscriberregistry.h"
#include "http/httpconnection.h"
#include "http/server.h"
#include "http/worker.h"
#include "metrics/limitmetrics.h"
#include "metrics/metrics.h"
#include "resume/replaylog.h"
#include "shared/configuration.h"
#include "sse/ssesubscriber.h"
#include "webhooks/webhookdispatcher.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSse, "push.sse")
Q_LOGGING_CATEGORY(lcIngest, "push.ingest")
Q_DECLARE_LOGGING_CATEGORY(lcAuth)

namespace push::app {

using http::ApiError;
using http::HttpCall;
using http::HttpResponse;

namespace {

QString describe(const QString &tenantId, const QString &streamId)
{
    return (tenantId.isEmpty() ? QStringLiteral("(cross-tenant)") : tenantId) + QLatin1Char('/') +
           streamId;
}

} // namespace

StreamApi::StreamApi(const Settings &settings, const config::ConfigRegistry &registry,
                     fanout::Hub &hub, Ingress &ingress, auth::Authenticator &authenticator,
                     const ServiceStatus &status, resume::ReplayLog *log)
    : m_settings(settings)
    , m_registry(registry)
    , m_hub(hub)
    , m_ingress(ingress)
    , m_authenticator(authenticator)
    , m_status(status)
    , m_log(log)
{}

std::function<void(HttpCall &)> StreamApi::authenticated(Handler handler)
{
    return authenticated(
        [this, handler](HttpCall &call, const Caller &caller) { (this->*handler)(call, caller); });
}

std::function<void(HttpCall &)> StreamApi::authenticated(CallerHandler handler)
{
    return [this, handler](HttpCall &call) {
        const QByteArray token = auth::Authenticator::tokenFrom(
            call.request.header("authorization"), call.request.queryValue(QStringLiteral("token")));
        const http::DeferredCall pending(call);
        m_authenticator.verify(
            token, call.worker, [this, handler, pending](auth::AuthResult result) {
                if (!pending.waiting())
                    return; // the client left while its keys were being fetched
                HttpCall &call = pending.call();
                switch (result.kind) {
                case auth::AuthResult::Kind::Anonymous:
                    handler(call, Caller{});
                    return;
                case auth::AuthResult::Kind::Invalid:
                    metrics::registry().authFailure(result.reason);
                    qCInfo(lcAuth).noquote()
                        << "rejected a token from" << call.request.peer.toString() << "on"
                        << call.request.path << ":" << result.error;
                    call.fail(ApiError::Unauthorized, result.error);
                    return;
                case auth::AuthResult::Kind::Unavailable:
                    qCWarning(lcAuth).noquote() << result.error;
                    call.fail(ApiError::Unavailable, result.error);
                    return;
                case auth::AuthResult::Kind::Valid:
                    break;
                }
                QString error;
                std::optional<User> user =
                    auth::userFromToken(result, *m_registry.current(), &error);
                if (!user) {
                    call.fail(ApiError::Unauthorized, error);
                    return;
                }
                handler(call, Caller{std::move(*user)});
            });
    };
}

std::optional<QString> StreamApi::administeredTenant(HttpCall &call, const Caller &caller,
                                                     const QString &needs) const
{
    if (!caller.user) {
        call.fail(ApiError::Unauthorized, QStringLiteral("%1 needs a token").arg(needs));
        return std::nullopt;
    }
    const User &user = *caller.user;
    QString tenantId = user.isCore ? QString() : user.tenantId;
    const QString named = call.request.queryValue(QStringLiteral("tenantId"));
    if (!named.isEmpty()) {
        const Tenant *tenant = m_registry.current()->findTenant(named);
        if (!tenant) {
            call.fail(ApiError::NotFound, QStringLiteral("tenant '%1' not found").arg(named));
            return std::nullopt;
        }
        tenantId = tenant->id;
    }
    const QString refusal = configureRefusal(user, tenantId);
    if (!refusal.isEmpty()) {
        qCInfo(lcAuth).noquote() << "refused" << call.request.method << call.request.path << "to"
                                 << user.id << ":" << refusal;
        call.fail(ApiError::Forbidden, refusal);
        return std::nullopt;
    }
    return tenantId;
}

void StreamApi::registerRoutes(http::Router &router)
{
    router.route("GET", QStringLiteral("/"), [this](HttpCall &c) { root(c); });
    router.route("GET", QStringLiteral("/health"), [this](HttpCall &c) { health(c); });
    router.route("GET", QStringLiteral("/metrics"), [this](HttpCall &c) { metricsText(c); });
    router.route("GET", QStringLiteral("/swagger/docs/v1"), [this](HttpCall &c) { openApi(c); });
    router.route("GET", QStringLiteral("/stream/v1/streams"),
                 authenticated(&StreamApi::listStreams));
    router.route("GET", QStringLiteral("/stream/v1/streams/<arg>"),
                 authenticated(&StreamApi::subscribe));
    router.route("GET", QStringLiteral("/stream/v1/streams/<arg>/events"),
                 authenticated(&StreamApi::pollEvents));
    router.route("POST", QStringLiteral("/event/v1/events"),
                 authenticated(&StreamApi::publishEvent));
}

QString StreamApi::baseUrl(const http::HttpRequest &request) const
{
    if (!m_settings.publicUrl.isEmpty())
        return m_settings.publicUrl.endsWith(QLatin1Char('/')) ? m_settings.publicUrl.chopped(1)
                                                               : m_settings.publicUrl;
    // The Host header is the client's word: only a well-formed host[:port] is echoed.
    QByteArray host = request.header("host");
    if (!http::isWellFormedHost(host))
        host.clear();
    return QStringLiteral("http://") + (host.isEmpty()
                                            ? QStringLiteral("localhost:%1").arg(m_settings.port)
                                            : QString::fromLatin1(host));
}

void StreamApi::root(HttpCall &call)
{
    const QString base = baseUrl(call.request);
    auto link = [](const QString &href) { return QJsonObject{{QStringLiteral("href"), href}}; };
    call.reply(HttpResponse::json({
        {QStringLiteral("name"), QStringLiteral("Push service")},
        {QStringLiteral("version"), QStringLiteral(PUSH_VERSION)},
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

void StreamApi::health(HttpCall &call)
{
    qint64 connections = 0;
    qint64 subscribers = 0;
    for (const http::Worker *worker : m_status.http->workers())
        connections += worker->connectionCount();
    for (const fanout::SubscriberRegistry *registry : m_hub.registries())
        subscribers += registry->subscriberCount();
    const bool answers = m_status.storeHealthy.load();
    const bool writable = m_status.storeWritable.load();
    const bool store = answers && writable;
    QJsonObject body{
        {QStringLiteral("store"), !answers    ? QStringLiteral("unavailable")
                                  : !writable ? QStringLiteral("cannot write")
                                              : QStringLiteral("ok")},
        {QStringLiteral("storeKind"), m_status.storeKind},
        {QStringLiteral("connections"), connections},
        {QStringLiteral("subscribers"), subscribers},
        {QStringLiteral("eventsPublished"), qint64(m_hub.eventsPublished())},
        {QStringLiteral("workers"), int(m_status.http->workers().size())},
    };
    if (!store)
        body.insert(QStringLiteral("storeError"), m_status.storeError());
    bool healthy = store;
    if (const bus::AmqpBus *bus = m_status.bus) {
        // An instance cut off from the exchange receives no events: not healthy.
        const bool connected = bus->state() == bus::AmqpBus::State::Connected;
        healthy = healthy && connected;
        QJsonObject broker{{QStringLiteral("status"), bus::AmqpBus::stateName(bus->state())},
                           {QStringLiteral("received"), qint64(bus->received())},
                           {QStringLiteral("malformed"), qint64(bus->malformed())},
                           {QStringLiteral("published"), qint64(bus->published())},
                           {QStringLiteral("reconnects"), qint64(bus->reconnects())},
                           {QStringLiteral("stalls"), qint64(bus->stalls())},
                           {QStringLiteral("unconfirmed"), qint64(bus->unconfirmed())},
                           {QStringLiteral("webhookQueue"), bus->sharedActive()}};
        if (!connected)
            broker.insert(QStringLiteral("error"), bus->lastError());
        body.insert(QStringLiteral("broker"), broker);
    }
    if (m_log && m_log->isShared()) {
        // Cut off from the shared log, an instance delivers nothing of the tenants' streams.
        const bool reachable = m_log->isReachable();
        healthy = healthy && reachable;
        body.insert(
            QStringLiteral("replayLog"),
            QJsonObject{{QStringLiteral("store"), QStringLiteral("redis")},
                        {QStringLiteral("status"),
                         reachable ? QStringLiteral("connected") : QStringLiteral("unreachable")}});
    }
    body.insert(QStringLiteral("status"), healthy ? QStringLiteral("ok") : QStringLiteral("error"));
    call.reply(HttpResponse::json(body, healthy ? 200 : 503));
}

void StreamApi::metricsText(HttpCall &call)
{
    qint64 connections = 0;
    qint64 queued = 0;
    for (const http::Worker *worker : m_status.http->workers())
        connections += worker->connectionCount();
    for (const fanout::SubscriberRegistry *registry : m_hub.registries())
        queued += registry->bytesQueued();
    using metrics::header;
    using metrics::sample;
    QByteArray text = metrics::registry().render();
    text += metrics::renderLimits();
    text += header("push_http_connections", "gauge", "Open HTTP connections, streams included.");
    text += sample("push_http_connections", {}, double(connections));
    text += header("push_bytes_queued", "gauge",
                   "Bytes waiting in subscribers' buffers (as of the last sweep).");
    text += sample("push_bytes_queued", {}, double(queued));
    text += header("push_events_fanned_out_total", "counter",
                   "Events handed to the hub (from HTTP or the event bus).");
    text += sample("push_events_fanned_out_total", {}, double(m_hub.eventsPublished()));
    const bool answers = m_status.storeHealthy.load();
    const bool writable = m_status.storeWritable.load();
    text +=
        header("push_store_up", "gauge", "1 when the configuration store answers and can write.");
    text += sample("push_store_up", {}, answers && writable ? 1 : 0);
    text += header("push_store_writable", "gauge",
                   "0 when the store's last write failed (disk full, read-only).");
    text += sample("push_store_writable", {}, writable ? 1 : 0);
    text += resumeMetrics();
    if (const bus::AmqpBus *bus = m_status.bus) {
        text += header("push_amqp_connected", "gauge", "1 while connected to the broker.");
        text += sample("push_amqp_connected", {},
                       bus->state() == bus::AmqpBus::State::Connected ? 1 : 0);
        text += header("push_amqp_messages_total", "counter",
                       "Messages taken off the exchange, by outcome.");
        text += sample("push_amqp_messages_total", {{"outcome", QStringLiteral("accepted")}},
                       double(bus->received() - bus->malformed()));
        text += sample("push_amqp_messages_total", {{"outcome", QStringLiteral("malformed")}},
                       double(bus->malformed()));
        text += header("push_amqp_unconfirmed_total", "counter",
                       "Publishes the broker did not confirm (nack, timeout, connection lost).");
        text += sample("push_amqp_unconfirmed_total", {}, double(bus->unconfirmed()));
        text += header("push_amqp_stalls_total", "counter",
                       "Times the broker stopped answering (heartbeat or confirm timeout).");
        text += sample("push_amqp_stalls_total", {}, double(bus->stalls()));
        text += header("push_amqp_published_total", "counter",
                       "Events published to the exchange and confirmed by the broker.");
        text += sample("push_amqp_published_total", {}, double(bus->published()));
        text += header("push_amqp_reconnects_total", "counter", "Reconnections to the broker.");
        text += sample("push_amqp_reconnects_total", {}, double(bus->reconnects()));
    }
    call.reply(HttpResponse::text(200, text, "text/plain; version=0.0.4; charset=utf-8"));
}

void StreamApi::openApi(HttpCall &call)
{
    QFile file(QStringLiteral(":/push/openapi.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        call.fail(ApiError::Internal,
                  QStringLiteral("the OpenAPI document is missing from the build"));
        return;
    }
    call.reply(HttpResponse::json(200, file.readAll()));
}

bool StreamApi::resolveContext(HttpCall &call, const config::ConfigSnapshot &snapshot,
                               const User *user, QString *tenantId)
{
    const QString reference = call.request.queryValue(QStringLiteral("tenant"));
    if (!reference.isEmpty()) {
        const Tenant *tenant = snapshot.findTenant(reference);
        if (!tenant) {
            call.fail(ApiError::NotFound, QStringLiteral("tenant '%1' not found").arg(reference));
            return false;
        }
        *tenantId = tenant->id;
        return true;
    }
    if (user && (user->isCore || !user->tenantId.isEmpty())) {
        *tenantId = user->tenantId; // empty for a core user: the cross-tenant context
        return true;
    }
    call.fail(ApiError::BadRequest,
              QStringLiteral("tenant is required: name it with ?tenant=<tenant-name-in-kebab-case> "
                             "or call with a token of the tenant"));
    return false;
}

void StreamApi::listStreams(HttpCall &call, const Caller &caller)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    QString tenantId;
    if (!resolveContext(call, *snapshot, caller.get(), &tenantId))
        return;
    const QMap<QString, Stream> &streams =
        tenantId.isEmpty() ? snapshot->coreStreams() : snapshot->streamsFor(tenantId);
    QJsonObject result;
    for (const Stream &stream : streams) {
        if (subscribeAccess(caller.get(), stream, tenantId) == Access::Allowed)
            result.insert(stream.id, stream.toJson());
    }
    call.reply(HttpResponse::json(result));
}

void StreamApi::subscribe(HttpCall &call, const Caller &caller)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    const QString streamId = call.args.value(0);
    QString tenantId;
    if (!resolveContext(call, *snapshot, caller.get(), &tenantId))
        return;
    auto resolved = resolveSubscription(*snapshot, caller.get(), tenantId, streamId,
                                        call.request.queryValue(QStringLiteral("criteria")));
    if (const auto *refusal = std::get_if<SubscriptionRefusal>(&resolved)) {
        if (refusal->error == ApiError::Forbidden)
            qCInfo(lcAuth).noquote()
                << "refused" << caller.get()->id << "on" << describe(tenantId, streamId);
        call.fail(refusal->error, refusal->message);
        return;
    }
    SubscriptionRequest &request = std::get<SubscriptionRequest>(resolved);
    if (call.request.method == "HEAD") {
        // The head a subscription would get, and no subscription.
        call.reply(HttpResponse{200, sse::SseSubscriber::streamHeaders(), {}});
        return;
    }
    fanout::SubscriberRegistry &registry = m_hub.registry(call.worker->index());
    call.connection->startStream(200, sse::SseSubscriber::streamHeaders());
    auto *subscriber = static_cast<sse::SseSubscriber *>(
        registry.addSubscriber(std::make_unique<sse::SseSubscriber>(
                                   call.connection, request.key, std::move(request.criteria),
                                   registry.settings().subscriberBufferBytes,
                                   fanout::SubscriberInfo::now(caller.get(), call.request.peer)),
                               call.connection));
    if (m_log)
        startResume(call, *subscriber, request.key); // registered first: nothing live is missed
    qCInfo(lcSse).noquote() << "subscriber"
                            << (caller.user ? caller.user->id : QStringLiteral("(anonymous)"))
                            << "from" << call.request.peer.toString() << "on"
                            << describe(tenantId, streamId)
                            << QStringLiteral("(worker %1)").arg(registry.index());
}

void StreamApi::publishEvent(HttpCall &call, const Caller &caller)
{
    if (!caller.user) {
        call.fail(ApiError::Unauthorized,
                  QStringLiteral("publishing needs a token with the role %1")
                      .arg(QLatin1String(kEventSenderRole)));
        return;
    }
    const User &user = *caller.user;
    if (!canPublish(user)) {
        call.fail(
            ApiError::Forbidden,
            QStringLiteral("publishing needs the role %1").arg(QLatin1String(kEventSenderRole)));
        return;
    }
    const std::optional<QJsonObject> parsed = call.objectBody();
    if (!parsed)
        return;
    const QJsonObject &body = *parsed;
    QString error;
    std::optional<DomainEvent> event = DomainEvent::fromJson(body, &error);
    if (!event) {
        qCInfo(lcIngest).noquote() << "rejected event from" << user.id << "at"
                                   << call.request.peer.toString() << ":" << error;
        call.fail(ApiError::BadRequest, error);
        return;
    }
    // The tenant: the caller's own; a core caller names one with tenantId (ADSP's rule).
    const config::SnapshotPtr snapshot = m_registry.current();
    const QJsonValue bodyTenant = body.value(QLatin1String("tenantId"));
    if (!bodyTenant.isUndefined() && !bodyTenant.isString()) {
        call.fail(ApiError::BadRequest, QStringLiteral("tenantId must be a string"));
        return;
    }
    const Tenant *tenant = nullptr;
    if (bodyTenant.isString()) {
        tenant = snapshot->findTenant(bodyTenant.toString());
        if (!tenant) {
            call.fail(ApiError::BadRequest,
                      QStringLiteral("tenant '%1' not found").arg(bodyTenant.toString()));
            return;
        }
        if (!user.isCore && tenant->id != user.tenantId) {
            call.fail(ApiError::Forbidden,
                      QStringLiteral("only core users may publish events for another tenant"));
            return;
        }
    } else if (!user.isCore) {
        tenant = snapshot->tenantById(user.tenantId);
    }
    if (!tenant) {
        call.fail(ApiError::BadRequest, QStringLiteral("tenantId is required for core callers"));
        return;
    }
    event->tenantId = tenant->urn();
    const http::DeferredCall pending(call);
    const QString who = user.id;
    m_ingress.publish(*event, call.request.header("traceparent"), call.worker,
                      [pending, event = *event, who](Ingress::Result result) {
                          using Route = Ingress::Result::Route;
                          if (result.route == Route::Hub || result.route == Route::Broker)
                              ++metrics::registry().eventsFromHttp;
                          if (!pending.waiting())
                              return; // the client left while the broker confirmed
                          answerPublished(pending.call(), event, who, result);
                      });
}

void StreamApi::answerPublished(HttpCall &call, const DomainEvent &event, const QString &who,
                                const Ingress::Result &result)
{
    using Route = Ingress::Result::Route;
    switch (result.route) {
    case Route::Failed: {
        static LogThrottle throttle;
        if (const int held = throttle.allow(); held >= 0)
            qCWarning(lcIngest).noquote()
                << "event not published:" << result.error << LogThrottle::suppressed(held);
        call.fail(ApiError::Unavailable, result.error);
        return;
    }
    case Route::Broker:
        call.reply(HttpResponse::json({{QStringLiteral("tenantId"), event.tenantId},
                                       {QStringLiteral("published"), QStringLiteral("amqp")}}));
        return;
    case Route::Duplicate:
        // A publisher retrying an event it already sent: answered, not delivered again.
        call.reply(HttpResponse::json(
            {{QStringLiteral("tenantId"), event.tenantId}, {QStringLiteral("duplicate"), true}}));
        return;
    case Route::Hub:
        qCDebug(lcIngest).noquote()
            << "event" << result.published.sequence
            << event.eventNamespace + QLatin1Char(':') + event.name << "for" << event.tenantId
            << "from" << who << "matched" << result.published.streams << "streams";
        QJsonObject answer{{QStringLiteral("sequence"), qint64(result.published.sequence)},
                           {QStringLiteral("tenantId"), event.tenantId},
                           {QStringLiteral("streams"), result.published.streams}};
        if (!result.cursor.isEmpty())
            answer.insert(QStringLiteral("cursor"), QString::fromLatin1(result.cursor));
        call.reply(HttpResponse::json(answer));
        return;
    }
}

} // namespace push::app
