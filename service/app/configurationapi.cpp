#include "configurationapi.h"

#include "config/configstore.h"
#include "config/storereader.h"
#include "fanout/activity.h"
#include "http/httpconnection.h"
#include "http/worker.h"
#include "shared/configuration.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcConfigApi, "push.config")

namespace push::app {

using http::ApiError;
using http::HttpCall;
using http::HttpResponse;

namespace {

const QString kPath = QStringLiteral("/configuration/v2/configuration/platform/push-service");
constexpr int kDefaultRevisionPage = 10; // ADSP's default `top`
constexpr int kMaxRevisionPage = 100;

HttpResponse error(ApiError kind, const QString &message)
{
    return http::errorResponse(kind, message);
}

QJsonObject revisionJson(const config::ConfigurationRevision &revision)
{
    return {{QStringLiteral("revision"), revision.revision},
            {QStringLiteral("configuration"), revision.document},
            {QStringLiteral("created"), revision.createdAt.toString(Qt::ISODateWithMs)},
            {QStringLiteral("author"), revision.author}};
}

} // namespace

ConfigurationApi::ConfigurationApi(StreamApi &api, const config::ConfigRegistry &registry,
                                   config::ConfigStore &store, QObject *control,
                                   std::function<void()> afterChange,
                                   fanout::ActivityFeed *activity)
    : m_api(api)
    , m_registry(registry)
    , m_store(store)
    , m_control(control)
    , m_afterChange(std::move(afterChange))
    , m_activity(activity)
{}

void ConfigurationApi::registerRoutes(http::Router &router)
{
    auto bind = [this](void (ConfigurationApi::*handler)(HttpCall &, const StreamApi::Caller &)) {
        return m_api.authenticated(
            [this, handler](HttpCall &call, const StreamApi::Caller &caller) {
                (this->*handler)(call, caller);
            });
    };
    router.route("GET", kPath, bind(&ConfigurationApi::getConfiguration));
    router.route("PATCH", kPath, bind(&ConfigurationApi::patchConfiguration));
    router.route("GET", kPath + QStringLiteral("/revisions"), bind(&ConfigurationApi::revisions));
    router.route("GET", QStringLiteral("/admin/v1/tenants"), bind(&ConfigurationApi::listTenants));
    router.route("POST", QStringLiteral("/admin/v1/tenants"), bind(&ConfigurationApi::addTenant));
}

std::optional<ConfigurationApi::Scope>
ConfigurationApi::scope(HttpCall &call, const StreamApi::Caller &caller) const
{
    const std::optional<QString> tenantId =
        m_api.administeredTenant(call, caller, QStringLiteral("configuration"));
    if (!tenantId)
        return std::nullopt;
    const User &user = *caller.user;
    if (call.request.query.hasQueryItem(QStringLiteral("core")) && !tenantId->isEmpty()) {
        // ?core names the core document: core administrators only (reading it is the
        // exception, in getConfiguration).
        call.fail(ApiError::Forbidden, configureRefusal(user, QString()));
        return std::nullopt;
    }
    return Scope{*tenantId, user.name.isEmpty() ? user.id : user.name};
}

// Runs `job` on the control thread; its response is answered on the worker that read the
// request (Worker::answer), unless the client has gone meanwhile.
void ConfigurationApi::onControlThread(HttpCall &call, std::function<HttpResponse()> job)
{
    const http::DeferredCall pending(call);
    http::Worker *worker = call.worker;
    QMetaObject::invokeMethod(
        m_control,
        [job = std::move(job), pending, worker] {
            worker->answer(pending, [response = job()](HttpCall &call) { call.reply(response); });
        },
        Qt::QueuedConnection);
}

// Runs `job` on the store reader's thread (the control thread without one), answered as
// above.
void ConfigurationApi::onStoreReader(HttpCall &call,
                                     std::function<HttpResponse(config::ConfigStore &)> job)
{
    if (!m_reader) {
        onControlThread(call, [this, job = std::move(job)] { return job(m_store); });
        return;
    }
    const http::DeferredCall pending(call);
    http::Worker *worker = call.worker;
    m_reader->run([job = std::move(job), pending, worker](config::ConfigStore &store) {
        worker->answer(pending, [response = job(store)](HttpCall &call) { call.reply(response); });
    });
}

void ConfigurationApi::getConfiguration(HttpCall &call, const StreamApi::Caller &caller)
{
    if (call.request.query.hasQueryItem(QStringLiteral("core"))) {
        // The core document, read-only for a tenant's administrators: the streams and
        // webhooks their tenant sees besides its own. Any administrator may read it.
        if (!m_api.administeredTenant(call, caller, QStringLiteral("configuration")))
            return;
        onStoreReader(
            call, [](config::ConfigStore &store) { return documentResponse(store, QString()); });
        return;
    }
    const auto target = scope(call, caller);
    if (!target)
        return;
    onStoreReader(call, [tenantId = target->tenantId](config::ConfigStore &store) {
        return documentResponse(store, tenantId);
    });
}

// A read that failed may be this reader's connection, lost with the database: one fresh
// connection and one more try; then what failed is the answer.
static bool readAgainAfterReconnect(config::ConfigStore &store)
{
    if (store.readError().isEmpty())
        return false;
    QString ignored;
    return store.reconnect(&ignored);
}

static HttpResponse storeUnavailable(const config::ConfigStore &store)
{
    return error(
        ApiError::Unavailable,
        QStringLiteral("the configuration store is unavailable: %1").arg(store.readError()));
}

HttpResponse ConfigurationApi::documentResponse(config::ConfigStore &store, const QString &tenantId)
{
    auto latest = store.configuration(tenantId);
    if (!latest && readAgainAfterReconnect(store))
        latest = store.configuration(tenantId);
    // No revision yet is an empty document; a database that did not answer is not.
    if (!latest && !store.readError().isEmpty())
        return storeUnavailable(store);
    return HttpResponse::json(latest ? latest->document : QJsonObject());
}

void ConfigurationApi::revisions(HttpCall &call, const StreamApi::Caller &caller)
{
    const auto target = scope(call, caller);
    if (!target)
        return;
    // ADSP's paging: `top` revisions, newest first; `after` is the previous page's `next`
    // (here the last revision number it held).
    bool ok = true;
    const QString topText = call.request.queryValue(QStringLiteral("top"));
    const int top = topText.isEmpty() ? kDefaultRevisionPage : topText.toInt(&ok);
    if (!ok || top < 1 || top > kMaxRevisionPage) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("top must be a number from 1 to %1").arg(kMaxRevisionPage));
        return;
    }
    const QString afterText = call.request.queryValue(QStringLiteral("after"));
    const qint64 after = afterText.isEmpty() ? 0 : afterText.toLongLong(&ok);
    if (!ok || after < 0) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("after must be a revision number (the page's next)"));
        return;
    }
    onStoreReader(
        call, [tenantId = target->tenantId, top, after, afterText](config::ConfigStore &store) {
            // One more than asked: whether there is a next page.
            QList<config::ConfigurationRevision> found = store.revisions(tenantId, top + 1, after);
            if (found.isEmpty() && !store.ping() && readAgainAfterReconnect(store))
                found = store.revisions(tenantId, top + 1, after);
            if (found.isEmpty() && !store.ping())
                return storeUnavailable(store); // none, or a database that did not answer
            QJsonArray results;
            for (qsizetype i = 0; i < found.size() && i < top; ++i)
                results.append(revisionJson(found.at(i)));
            QJsonObject page{{QStringLiteral("size"), results.size()}};
            if (!afterText.isEmpty())
                page.insert(QStringLiteral("after"), afterText);
            if (found.size() > top)
                page.insert(QStringLiteral("next"), QString::number(found.at(top - 1).revision));
            return HttpResponse::json(
                {{QStringLiteral("results"), results}, {QStringLiteral("page"), page}});
        });
}

void ConfigurationApi::patchConfiguration(HttpCall &call, const StreamApi::Caller &caller)
{
    const auto target = scope(call, caller);
    if (!target)
        return;
    const auto request = call.objectBody();
    if (!request)
        return;
    onControlThread(call, [this, target = *target, request = *request] {
        const auto latest = m_store.configuration(target.tenantId);
        if (!latest && !m_store.readError().isEmpty())
            return error(ApiError::Unavailable,
                         QStringLiteral("cannot save: the configuration store is unavailable: %1")
                             .arg(m_store.readError()));
        QString problem;
        const std::optional<QJsonObject> changed =
            applyConfigurationPatch(latest ? latest->document : QJsonObject(), request, &problem);
        if (!changed)
            return error(ApiError::BadRequest, problem);
        const QList<ValidationError> invalid = validateConfiguration(*changed);
        if (!invalid.isEmpty()) {
            QStringList messages;
            for (const ValidationError &e : invalid)
                messages.append(e.message);
            return error(ApiError::BadRequest, messages.join(QStringLiteral("; ")));
        }
        const qint64 revision =
            m_store.saveConfiguration(target.tenantId, *changed, target.author, &problem);
        if (revision < 0)
            return error(ApiError::Unavailable,
                         QStringLiteral("cannot save: %1")
                             .arg(problem.trimmed().isEmpty() ? m_store.writeError() : problem));
        qCInfo(lcConfigApi).noquote()
            << "configuration of"
            << (target.tenantId.isEmpty() ? QStringLiteral("core") : target.tenantId)
            << "is now revision" << revision << "by" << target.author << "("
            << request.value(QLatin1String("operation")).toString() << ")";
        m_afterChange();
        if (m_activity) {
            QJsonObject change{
                {QStringLiteral("tenant"),
                 target.tenantId.isEmpty() ? QJsonValue() : QJsonValue(target.tenantId)},
                {QStringLiteral("revision"), revision},
                {QStringLiteral("author"), target.author},
                {QStringLiteral("operation"), request.value(QLatin1String("operation"))}};
            if (request.contains(QLatin1String("property")))
                change.insert(QStringLiteral("property"), request.value(QLatin1String("property")));
            else if (request.value(QLatin1String("update")).isObject())
                change.insert(QStringLiteral("keys"),
                              QJsonArray::fromStringList(
                                  request.value(QLatin1String("update")).toObject().keys()));
            m_activity->post(fanout::ActivityFeed::Type::ConfigurationChanged, target.tenantId,
                             change);
        }
        QJsonObject body{
            {QStringLiteral("namespace"), QLatin1String(kConfigurationNamespace)},
            {QStringLiteral("name"), QLatin1String(kConfigurationName)},
            {QStringLiteral("latest"), QJsonObject{{QStringLiteral("revision"), revision},
                                                   {QStringLiteral("configuration"), *changed}}}};
        if (!target.tenantId.isEmpty())
            body.insert(QStringLiteral("tenantId"), tenantUrn(target.tenantId));
        return HttpResponse::json(body);
    });
}

bool ConfigurationApi::coreAdministrator(HttpCall &call, const StreamApi::Caller &caller)
{
    if (caller.user && caller.user->isCore && configureRefusal(*caller.user, QString()).isEmpty())
        return true;
    call.fail(caller.user ? ApiError::Forbidden : ApiError::Unauthorized,
              QStringLiteral("tenants are for core administrators (%1)")
                  .arg(QLatin1String(kConfigurationAdminRole)));
    return false;
}

void ConfigurationApi::listTenants(HttpCall &call, const StreamApi::Caller &caller)
{
    if (!coreAdministrator(call, caller))
        return;
    QJsonArray tenants;
    for (const Tenant &tenant : m_registry.current()->tenants())
        tenants.append(QJsonObject{{QStringLiteral("id"), tenant.id},
                                   {QStringLiteral("name"), tenant.name},
                                   {QStringLiteral("realm"), tenant.realm},
                                   {QStringLiteral("urn"), tenant.urn()}});
    call.reply(HttpResponse::json({{QStringLiteral("results"), tenants}}));
}

void ConfigurationApi::addTenant(HttpCall &call, const StreamApi::Caller &caller)
{
    if (!coreAdministrator(call, caller))
        return;
    const auto body = call.objectBody();
    if (!body)
        return;
    Tenant tenant;
    tenant.name = body->value(QLatin1String("name")).toString();
    tenant.id = body->value(QLatin1String("id")).toString();
    tenant.realm = body->value(QLatin1String("realm")).toString();
    if (tenant.name.trimmed().isEmpty()) {
        call.fail(ApiError::BadRequest, QStringLiteral("name is required"));
        return;
    }
    if (tenant.id.isEmpty())
        tenant.id = toKebab(tenant.name.trimmed());
    if (tenant.realm.isEmpty())
        tenant.realm = tenant.id;
    if (m_registry.current()->tenantById(tenant.id)) {
        call.fail(ApiError::Conflict, QStringLiteral("tenant '%1' exists").arg(tenant.id));
        return;
    }
    onControlThread(call, [this, tenant] {
        QString problem;
        if (!m_store.addTenant(tenant, &problem))
            return error(ApiError::BadRequest, problem);
        m_afterChange();
        return HttpResponse::json({{QStringLiteral("id"), tenant.id},
                                   {QStringLiteral("name"), tenant.name.trimmed()},
                                   {QStringLiteral("realm"), tenant.realm.trimmed()},
                                   {QStringLiteral("urn"), tenant.urn()}},
                                  201);
    });
}

} // namespace push::app
