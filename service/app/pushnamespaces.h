#pragma once

#include "config/configsnapshot.h"
#include "socketio/socketioserver.h"

#include <QRegularExpression>

namespace push::auth {
class Authenticator;
struct AuthResult;
} // namespace push::auth

namespace push::fanout {
class Hub;
}

namespace push::app {

// The push service's socket.io namespaces (adsp-compatibility.md "socket.io"): `/` is the
// cross-tenant context (core users only), `/<tenant name>` a tenant's; the handshake
// query names the `stream` and optional `criteria`; the token comes from the
// Authorization header or auth.token. Accepted sockets join the same fan-out as SSE.
class PushNamespaces final : public socketio::Application
{
public:
    PushNamespaces(const config::ConfigRegistry &registry, const fanout::Hub &hub,
                   auth::Authenticator &authenticator);

    bool acceptsNamespace(const QString &nsp) const override;
    void onConnect(const socketio::ConnectRequest &request,
                   std::function<void(socketio::ConnectResult)> done) override;

private:
    // The rest of a CONNECT once its token is checked: the namespace's tenant, the
    // stream and access (resolveSubscription, as for SSE), then the subscriber.
    socketio::ConnectResult connectVerified(const socketio::ConnectRequest &request,
                                            const QString &streamId, const QString &criteriaText,
                                            const auth::AuthResult &result);

    const config::ConfigRegistry &m_registry;
    const fanout::Hub &m_hub;
    auth::Authenticator &m_authenticator;
    QRegularExpression m_tenantNamespace;
};

} // namespace push::app
