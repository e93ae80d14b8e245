#pragma once

#include "app/streamapi.h"

#include <QJsonArray>

#include <functional>
#include <optional>

namespace push::fanout {
class ActivityFeed;
class SubscriberRegistry;
} // namespace push::fanout

namespace push::webhooks {
class WebhookDispatcher;
}

namespace push::admin {

// The live admin API, for administrators (configuration-admin; a tenant's own
// tenant-admin or configuration-admin for that tenant only):
//   GET    /admin/v1/subscriptions[?tenantId=&stream=&transport=&top=&after=]
//   DELETE /admin/v1/subscriptions/{id}          ends one subscription, with a reason
//   GET    /admin/v1/activity[?tenantId=&types=] an SSE feed of what happens, rate-bound
//   POST   /admin/v1/webhooks/{id}/test[?tenantId=] calls a webhook with a test event
// Subscribers live on the I/O workers: a list is gathered from each worker on its own
// thread and answered on the worker that took the request.
class AdminApi
{
public:
    AdminApi(app::StreamApi &api, const config::ConfigRegistry &registry,
             const app::ServiceStatus &status, fanout::ActivityFeed &activity,
             webhooks::WebhookDispatcher *webhooks, int activityPerSecond);

    void registerRoutes(http::Router &router);

private:
    // Which tenant the caller administers: empty for every tenant (a core administrator
    // who names none). Answers 401/403/404 itself when the caller may not.
    std::optional<QString> scope(http::HttpCall &call, const app::StreamApi::Caller &caller) const;
    // Runs `job` on every worker's thread, then `done` with the concatenated results on
    // the thread of the worker that took the call (which stays dispatched meanwhile).
    void gather(http::HttpCall &call, std::function<QJsonArray(fanout::SubscriberRegistry &)> job,
                std::function<void(http::HttpCall &, QJsonArray)> done);

    void listSubscriptions(http::HttpCall &call, const app::StreamApi::Caller &caller);
    void deleteSubscription(http::HttpCall &call, const app::StreamApi::Caller &caller);
    void activity(http::HttpCall &call, const app::StreamApi::Caller &caller);
    void testWebhook(http::HttpCall &call, const app::StreamApi::Caller &caller);

    app::StreamApi &m_api;
    const config::ConfigRegistry &m_registry;
    const app::ServiceStatus &m_status;
    fanout::ActivityFeed &m_activity;
    webhooks::WebhookDispatcher *m_webhooks;
    int m_activityPerSecond;
};

} // namespace push::admin
