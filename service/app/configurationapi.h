#pragma once

#include "app/streamapi.h"

#include <QJsonObject>

#include <functional>

class QObject;

namespace push::config {
class ConfigStore;
class StoreReader;
} // namespace push::config

namespace push::fanout {
class ActivityFeed;
}

namespace push::app {

// ADSP's configuration service API for platform:push-service (adsp-compatibility.md "Configuration
// service API") and the tenant list:
//   GET   /configuration/v2/configuration/platform/push-service[?tenantId=|?core]
//   PATCH /configuration/v2/configuration/platform/push-service[?tenantId=]
//         {operation: UPDATE|DELETE|REPLACE, ...}
//   GET   /configuration/v2/configuration/platform/push-service/revisions[?tenantId=]
//   GET, POST /admin/v1/tenants                        (core administrators)
// The document is the caller's tenant's; a core caller gets the core document unless it
// names a tenant with ?tenantId= (id, name or URN). Handlers check the caller on the I/O
// worker, then run the store work on the control thread (the store's thread; reads on
// the store reader's) and answer back on the worker. Revisions are paged (?top=&after=). After
// every change `afterChange` (on the control thread) rebuilds the configuration snapshot, live.
class ConfigurationApi
{
public:
    ConfigurationApi(StreamApi &api, const config::ConfigRegistry &registry,
                     config::ConfigStore &store, QObject *control,
                     std::function<void()> afterChange, fanout::ActivityFeed *activity = nullptr);

    void registerRoutes(http::Router &router);
    // Reads (the document, revisions) then run on the reader's thread, not the control
    // thread; changes stay on the control thread. Set before the routes serve.
    void setStoreReader(config::StoreReader *reader) { m_reader = reader; }

private:
    // The latest document of a tenant ('' = core): {} when none, 503 when the store fails.
    static http::HttpResponse documentResponse(config::ConfigStore &store, const QString &tenantId);
    struct Scope
    {
        QString tenantId; // empty: the core document
        QString author;
    };
    // Who is asking for which document; answers 400/401/403/404 itself when it fails.
    std::optional<Scope> scope(http::HttpCall &call, const StreamApi::Caller &caller) const;
    // Tenants are for core users with configuration-admin; answers 401/403 itself.
    static bool coreAdministrator(http::HttpCall &call, const StreamApi::Caller &caller);
    // Runs `job` on the control thread and answers the call with its response.
    void onControlThread(http::HttpCall &call, std::function<http::HttpResponse()> job);
    // Runs a read on the store reader (the control thread's store without one).
    void onStoreReader(http::HttpCall &call,
                       std::function<http::HttpResponse(config::ConfigStore &)> job);

    void getConfiguration(http::HttpCall &call, const StreamApi::Caller &caller);
    void patchConfiguration(http::HttpCall &call, const StreamApi::Caller &caller);
    void revisions(http::HttpCall &call, const StreamApi::Caller &caller);
    void listTenants(http::HttpCall &call, const StreamApi::Caller &caller);
    void addTenant(http::HttpCall &call, const StreamApi::Caller &caller);

    StreamApi &m_api;
    const config::ConfigRegistry &m_registry;
    config::ConfigStore &m_store; // touched on the control thread only
    QObject *m_control;
    config::StoreReader *m_reader = nullptr;
    std::function<void()> m_afterChange;
    fanout::ActivityFeed *m_activity;
};

} // namespace push::app
