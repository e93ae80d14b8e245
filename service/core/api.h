#pragma once

#include "configsnapshot.h"
#include "router.h"
#include "settings.h"

#include <QList>

#include <atomic>
#include <functional>

namespace push::fanout {
class Hub;
class IoWorker;
} // namespace push::fanout

namespace push::core {

// What /health reports about the parts that are not the API itself.
struct ServiceStatus
{
    std::atomic<bool> storeHealthy{false};
    QList<fanout::IoWorker *> workers;
};

// The REST routes and the SSE route, registered on a Router. Handlers run on the I/O
// worker that read the request and only touch thread-safe state: the configuration
// snapshot, the hub and atomics.
class Api
{
public:
    Api(const Settings &settings, const config::ConfigRegistry &registry, fanout::Hub &hub,
        const ServiceStatus &status);

    void registerRoutes(http::Router &router);

private:
    void root(http::HttpCall &call);
    void health(http::HttpCall &call);
    void openApi(http::HttpCall &call);
    void listStreams(http::HttpCall &call);
    void subscribe(http::HttpCall &call);
    void publishEvent(http::HttpCall &call);

    QString baseUrl(const http::HttpRequest &request) const;

    const Settings &m_settings;
    const config::ConfigRegistry &m_registry;
    fanout::Hub &m_hub;
    const ServiceStatus &m_status;
};

} // namespace push::core
