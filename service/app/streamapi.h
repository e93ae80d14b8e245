#pragma once

#include "app/ingress.h"
#include "app/settings.h"
#include "config/configsnapshot.h"
#include "http/router.h"
#include "shared/access.h"

#include <QList>
#include <QMutex>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>

namespace push::auth {
class Authenticator;
}

namespace push::bus {
class AmqpBus;
}

namespace push::fanout {
class Hub;
} // namespace push::fanout

namespace push::http {
class Server;
} // namespace push::http

namespace push::sse {
class SseSubscriber;
}

namespace push::webhooks {
class WebhookDispatcher;
}

namespace push::resume {
class ReplayLog;
}

namespace push::app {

// What /health reports about the parts that are not the API itself.
struct ServiceStatus
{
    std::atomic<bool> storeHealthy{false}; // the store answers
    std::atomic<bool> storeWritable{true}; // its last write (or write probe) succeeded
    QString storeKind = QStringLiteral("sqlite");
    // Why the store is unavailable or cannot write (empty when fine). Any thread.
    void setStoreError(const QString &error)
    {
        QMutexLocker lock(&m_storeErrorMutex);
        m_storeError = error;
    }
    QString storeError() const
    {
        QMutexLocker lock(&m_storeErrorMutex);
        return m_storeError;
    }
    const bus::AmqpBus *bus = nullptr;  // null: HTTP ingest only
    const http::Server *http = nullptr; // its workers own the connections

private:
    mutable QMutex m_storeErrorMutex;
    QString m_storeError;
};

// The REST routes and the SSE route, registered on a Router. Handlers run on the I/O
// worker that read the request and only touch thread-safe state: the configuration
// snapshot, the hub and atomics.
class StreamApi
{
public:
    // `log`: the replay log, null when resume is off.
    StreamApi(const Settings &settings, const config::ConfigRegistry &registry, fanout::Hub &hub,
              Ingress &ingress, auth::Authenticator &authenticator, const ServiceStatus &status,
              resume::ReplayLog *log = nullptr);

    const fanout::Hub &hub() const { return m_hub; }

    void registerRoutes(http::Router &router);

    // Who is calling: no user for an anonymous call.
    struct Caller
    {
        std::optional<User> user;
        const User *get() const { return user ? &*user : nullptr; }
    };
    using CallerHandler = std::function<void(http::HttpCall &, const Caller &)>;
    // The one wrapper that applies authentication: a bad token is answered 401 (503 when
    // the issuer's keys cannot be had) here, so handlers only see valid callers.
    std::function<void(http::HttpCall &)> authenticated(CallerHandler handler);

    // The tenant an administrator acts on: the one named by ?tenantId= (id, name or URN),
    // else the caller's own; empty for a core caller who names none (the core document, or
    // every tenant). Allowed by configureRefusal; otherwise the call is answered 401, 403 or
    // 404 here (`needs` says what needs a token) and nullopt returned.
    std::optional<QString> administeredTenant(http::HttpCall &call, const Caller &caller,
                                              const QString &needs) const;

private:
    using Handler = void (StreamApi::*)(http::HttpCall &, const Caller &);
    std::function<void(http::HttpCall &)> authenticated(Handler handler);

    void root(http::HttpCall &call);
    void health(http::HttpCall &call);
    void metricsText(http::HttpCall &call);
    void openApi(http::HttpCall &call);
    void listStreams(http::HttpCall &call, const Caller &caller);
    void subscribe(http::HttpCall &call, const Caller &caller);
    // In streamapi_resume.cpp (docs/resume.md): the catch-up of a new SSE subscriber, the
    // polling read of a stream's log, and the log's metrics.
    void startResume(http::HttpCall &call, sse::SseSubscriber &subscriber,
                     const fanout::StreamKey &key);
    void pollEvents(http::HttpCall &call, const Caller &caller);
    QByteArray resumeMetrics() const;
    void publishEvent(http::HttpCall &call, const Caller &caller);
    static void answerPublished(http::HttpCall &call, const DomainEvent &event, const QString &who,
                                const Ingress::Result &result);

    QString baseUrl(const http::HttpRequest &request) const;
    // The tenant context of a stream request: the named tenant, else the caller's, else the
    // cross-tenant context for a core user. Fails the call (and returns false) otherwise.
    static bool resolveContext(http::HttpCall &call, const config::ConfigSnapshot &snapshot,
                               const User *user, QString *tenantId);

    const Settings &m_settings;
    const config::ConfigRegistry &m_registry;
    fanout::Hub &m_hub;
    Ingress &m_ingress;
    auth::Authenticator &m_authenticator;
    const ServiceStatus &m_status;
    resume::ReplayLog *m_log;
};

} // namespace push::app
