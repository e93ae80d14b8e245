#include "adminapi.h"

#include "admin/activitylistener.h"
#include "fanout/hub.h"
#include "fanout/subscriberregistry.h"
#include "http/httpconnection.h"
#include "http/worker.h"
#include "sse/ssesubscriber.h"
#include "webhooks/webhookdispatcher.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>

#include <algorithm>
#include <vector>

Q_LOGGING_CATEGORY(lcAdmin, "push.admin")

namespace push::admin {

using app::ServiceStatus;
using app::StreamApi;

using http::ApiError;
using http::HttpCall;
using http::HttpResponse;

namespace {

constexpr int kDefaultPageSize = 1000;
constexpr int kMaxPageSize = 10000;

// May a caller scoped to `tenantId` (empty: every tenant) see `subscriber`?
bool visibleTo(const QString &tenantId, const fanout::Subscriber &subscriber)
{
    return tenantId.isEmpty() || subscriber.key().tenantId == tenantId;
}

} // namespace

AdminApi::AdminApi(StreamApi &api, const config::ConfigRegistry &registry,
                   const ServiceStatus &status, fanout::ActivityFeed &activity,
                   webhooks::WebhookDispatcher *webhooks, int activityPerSecond)
    : m_api(api)
    , m_registry(registry)
    , m_status(status)
    , m_activity(activity)
    , m_webhooks(webhooks)
    , m_activityPerSecond(activityPerSecond)
{}

void AdminApi::registerRoutes(http::Router &router)
{
    auto bind = [this](void (AdminApi::*handler)(HttpCall &, const StreamApi::Caller &)) {
        return m_api.authenticated(
            [this, handler](HttpCall &call, const StreamApi::Caller &caller) {
                (this->*handler)(call, caller);
            });
    };
    router.route("GET", QStringLiteral("/admin/v1/subscriptions"),
                 bind(&AdminApi::listSubscriptions));
    router.route("DELETE", QStringLiteral("/admin/v1/subscriptions/<arg>"),
                 bind(&AdminApi::deleteSubscription));
    router.route("GET", QStringLiteral("/admin/v1/activity"), bind(&AdminApi::activity));
    router.route("POST", QStringLiteral("/admin/v1/webhooks/<arg>/test"),
                 bind(&AdminApi::testWebhook));
}

std::optional<QString> AdminApi::scope(HttpCall &call, const StreamApi::Caller &caller) const
{
    // The same rule as for configuration: core administrators everything, a tenant's
    // administrators their tenant.
    return m_api.administeredTenant(call, caller, QStringLiteral("the admin API"));
}

void AdminApi::gather(HttpCall &call, std::function<QJsonArray(fanout::SubscriberRegistry &)> job,
                      std::function<void(HttpCall &, QJsonArray)> done)
{
    struct Gathering
    {
        QMutex mutex;
        QJsonArray results;
        int remaining = 0;
    };
    auto gathering = std::make_shared<Gathering>();
    const http::DeferredCall pending(call);
    http::Worker *home = call.worker;
    const QList<fanout::SubscriberRegistry *> &registries = m_api.hub().registries();
    gathering->remaining = int(registries.size());
    if (registries.isEmpty()) {
        done(pending.call(), {});
        return;
    }
    for (fanout::SubscriberRegistry *registry : registries) {
        QMetaObject::invokeMethod(
            registry,
            [registry, job, done, gathering, pending, home] {
                const QJsonArray part = job(*registry);
                QMutexLocker locker(&gathering->mutex);
                for (const QJsonValue &value : part)
                    gathering->results.append(value);
                if (--gathering->remaining > 0)
                    return;
                home->answer(pending, [done, gathering](HttpCall &call) {
                    done(call, std::move(gathering->results));
                });
            },
            Qt::QueuedConnection);
    }
}

void AdminApi::listSubscriptions(HttpCall &call, const StreamApi::Caller &caller)
{
    const std::optional<QString> tenantId = scope(call, caller);
    if (!tenantId)
        return;
    const QString stream = call.request.queryValue(QStringLiteral("stream"));
    const QString transport = call.request.queryValue(QStringLiteral("transport"));
    bool ok = true;
    const QString topText = call.request.queryValue(QStringLiteral("top"));
    const int top = topText.isEmpty() ? kDefaultPageSize : topText.toInt(&ok);
    if (!ok || top < 1 || top > kMaxPageSize) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("top must be a number from 1 to %1").arg(kMaxPageSize));
        return;
    }
    const QString afterText = call.request.queryValue(QStringLiteral("after"));
    const quint64 after = afterText.isEmpty() ? 0 : afterText.toULongLong(&ok);
    if (!ok) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("after must be a subscription id (the page's next)"));
        return;
    }
    gather(
        call,
        [tenantId = *tenantId, stream, transport, after,
         top](fanout::SubscriberRegistry &registry) {
            // Only this worker's `top` oldest matching subscribers are described: a page
            // of a large list costs a sort of pointers, not a description of each one.
            std::vector<const fanout::Subscriber *> matching;
            registry.visitSubscribers([&](const fanout::Subscriber &subscriber) {
                if (subscriber.id() <= after || !visibleTo(tenantId, subscriber))
                    return;
                if (!stream.isEmpty() && subscriber.key().streamId != stream)
                    return;
                if (!transport.isEmpty() && transport != QLatin1String(subscriber.transport()))
                    return;
                matching.push_back(&subscriber);
            });
            const auto byId = [](const fanout::Subscriber *a, const fanout::Subscriber *b) {
                return a->id() < b->id();
            };
            const size_t keep = std::min(matching.size(), size_t(top) + 1); // +1: is there more?
            std::partial_sort(matching.begin(), matching.begin() + qsizetype(keep), matching.end(),
                              byId);
            QJsonArray part;
            for (size_t i = 0; i < keep; ++i)
                part.append(matching[i]->toJson());
            return part;
        },
        [top, afterText](HttpCall &call, QJsonArray results) {
            QList<QJsonObject> sorted;
            sorted.reserve(results.size());
            for (const QJsonValue &value : std::as_const(results))
                sorted.append(value.toObject());
            auto idOf = [](const QJsonObject &o) {
                return o.value(QLatin1String("id")).toString().toULongLong();
            };
            std::sort(
                sorted.begin(), sorted.end(),
                [&](const QJsonObject &a, const QJsonObject &b) { return idOf(a) < idOf(b); });
            QJsonArray page;
            for (qsizetype i = 0; i < sorted.size() && i < top; ++i)
                page.append(sorted.at(i));
            QJsonObject pageInfo{{QStringLiteral("size"), page.size()}};
            if (!afterText.isEmpty())
                pageInfo.insert(QStringLiteral("after"), afterText);
            if (sorted.size() > top)
                pageInfo.insert(QStringLiteral("next"), QString::number(idOf(sorted.at(top - 1))));
            call.reply(HttpResponse::json(
                {{QStringLiteral("results"), page}, {QStringLiteral("page"), pageInfo}}));
        });
}

void AdminApi::deleteSubscription(HttpCall &call, const StreamApi::Caller &caller)
{
    const std::optional<QString> tenantId = scope(call, caller);
    if (!tenantId)
        return;
    bool ok = false;
    const QString idText = call.args.value(0);
    const quint64 id = idText.toULongLong(&ok);
    if (!ok) {
        call.fail(ApiError::NotFound, QStringLiteral("subscription '%1' not found").arg(idText));
        return;
    }
    const QString who = caller.user->name.isEmpty() ? caller.user->id : caller.user->name;
    const QString reason = QStringLiteral("disconnected by an administrator (%1)").arg(who);
    gather(
        call,
        [tenantId = *tenantId, id, reason](fanout::SubscriberRegistry &registry) {
            const QJsonObject ended = registry.endSubscriber(
                id,
                [&](const fanout::Subscriber &subscriber) {
                    return visibleTo(tenantId, subscriber);
                },
                reason);
            return ended.isEmpty() ? QJsonArray() : QJsonArray{ended};
        },
        [idText, who](HttpCall &call, QJsonArray results) {
            if (results.isEmpty()) {
                call.fail(ApiError::NotFound,
                          QStringLiteral("subscription '%1' not found").arg(idText));
                return;
            }
            qCInfo(lcAdmin).noquote() << "subscription" << idText << "disconnected by" << who;
            call.reply(HttpResponse::json({{QStringLiteral("disconnected"), true},
                                           {QStringLiteral("subscription"), results.first()}}));
        });
}

void AdminApi::activity(HttpCall &call, const StreamApi::Caller &caller)
{
    const std::optional<QString> tenantId = scope(call, caller);
    if (!tenantId)
        return;
    ActivityListener::Options options;
    options.tenantId = *tenantId;
    options.perSecond = m_activityPerSecond;
    const QStringList &kTypes = fanout::ActivityFeed::typeNames();
    const QString types = call.request.queryValue(QStringLiteral("types"));
    for (const QString &type : types.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!kTypes.contains(type.trimmed())) {
            call.fail(ApiError::BadRequest, QStringLiteral("types: '%1' is not one of %2")
                                                .arg(type, kTypes.join(QStringLiteral(", "))));
            return;
        }
        options.types.insert(type.trimmed());
    }
    fanout::SubscriberRegistry &registry = m_api.hub().registry(call.worker->index());
    options.bufferLimit = registry.settings().subscriberBufferBytes;
    const fanout::SubscriberInfo info =
        fanout::SubscriberInfo::now(caller.get(), call.request.peer);
    call.connection->startStream(200, sse::SseSubscriber::streamHeaders());
    call.connection->writeStream(fanout::activityFrame(
        QStringLiteral("ready"),
        {{QStringLiteral("type"), QStringLiteral("ready")},
         {QStringLiteral("tenant"), tenantId->isEmpty() ? QJsonValue() : QJsonValue(*tenantId)},
         {QStringLiteral("perSecond"), m_activityPerSecond},
         {QStringLiteral("types"),
          QJsonArray::fromStringList(options.types.isEmpty() ? kTypes : options.types.values())}}));
    registry.addSink(std::make_unique<ActivityListener>(call.connection, m_activity, options, info),
                     call.connection);
    qCInfo(lcAdmin).noquote() << "activity feed for" << caller.user->id << "from"
                              << call.request.peer.toString() << "on"
                              << (tenantId->isEmpty() ? QStringLiteral("every tenant") : *tenantId);
}

void AdminApi::testWebhook(HttpCall &call, const StreamApi::Caller &caller)
{
    const std::optional<QString> tenantId = scope(call, caller);
    if (!tenantId)
        return;
    const config::SnapshotPtr snapshot = m_registry.current();
    const QString webhookId = call.args.value(0);
    const Webhook *webhook = snapshot->webhook(*tenantId, webhookId);
    if (!webhook || !m_webhooks) {
        call.fail(ApiError::NotFound, QStringLiteral("webhook '%1' not found").arg(webhookId));
        return;
    }
    if (webhook->fromCore && !caller.user->isCore) {
        call.fail(ApiError::Forbidden,
                  QStringLiteral("webhook '%1' is a core webhook: core administrators test it")
                      .arg(webhookId));
        return;
    }
    if (!webhook->hasHttpUrl()) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("webhook '%1' has no http(s) url").arg(webhookId));
        return;
    }
    // The test event: the body's {namespace, name, correlationId, context, payload}, else
    // the webhook's first event type with an empty payload (an application-status
    // webhook's targetId as payload.application.appKey).
    QJsonObject body;
    if (!call.request.body.trimmed().isEmpty()) {
        const auto parsed = call.objectBody();
        if (!parsed)
            return;
        body = *parsed;
    }
    QString eventNamespace = QStringLiteral("push-service");
    QString name = QStringLiteral("webhook-test");
    if (!webhook->events.isEmpty()) {
        eventNamespace = webhook->events.first().eventNamespace;
        name = webhook->events.first().name;
    } else if (!webhook->eventTypes.isEmpty() &&
               webhook->eventTypes.first().contains(QLatin1Char(':'))) {
        eventNamespace = webhook->eventTypes.first().section(QLatin1Char(':'), 0, 0);
        name = webhook->eventTypes.first().section(QLatin1Char(':'), 1);
    }
    QJsonObject payload;
    if (webhook->isApplicationStatus())
        payload.insert(QStringLiteral("application"),
                       QJsonObject{{QStringLiteral("appKey"), webhook->targetId}});
    QJsonObject defaults{{QStringLiteral("namespace"), eventNamespace},
                         {QStringLiteral("name"), name},
                         {QStringLiteral("timestamp"),
                          DomainEvent::formatTimestamp(QDateTime::currentDateTimeUtc())},
                         {QStringLiteral("correlationId"), QStringLiteral("webhook-test")},
                         {QStringLiteral("payload"), payload}};
    for (auto it = body.constBegin(); it != body.constEnd(); ++it)
        defaults.insert(it.key(), it.value());
    QString error;
    std::optional<DomainEvent> event = DomainEvent::fromJson(defaults, &error);
    if (!event) {
        call.fail(ApiError::BadRequest, error);
        return;
    }
    const Tenant *tenant = snapshot->tenantById(*tenantId);
    if (tenant)
        event->tenantId = tenant->urn();
    const http::DeferredCall pending(call);
    http::Worker *worker = call.worker;
    m_webhooks->test(*webhook, *event,
                     [worker, pending, webhookId](webhooks::WebhookDispatcher::Result result) {
                         worker->answer(pending, [webhookId, result](HttpCall &call) {
                             call.reply(HttpResponse::json({
                                 {QStringLiteral("webhook"), webhookId},
                                 {QStringLiteral("outcome"), result.outcome},
                                 {QStringLiteral("status"), result.status},
                                 {QStringLiteral("statusCode"), result.statusCode},
                                 {QStringLiteral("responseTime"), result.responseTimeMs},
                             }));
                         });
                     });
}

} // namespace push::admin
