#pragma once

#include "configsnapshot.h"
#include "socketioserver.h"

#include <QRegularExpression>

namespace push::auth {
class Authenticator;
}

namespace push::fanout {
class Hub;
}

namespace push::socketio {

// The push service's socket.io namespaces (adsp-compatibility.md "socket.io"): `/` is the
// cross-tenant context (core users only), `/<tenant name>` a tenant's; the handshake
// query names the `stream` and optional `criteria`; the token comes from the
// Authorization header or auth.token. Accepted sockets join the same fan-out as SSE.
class PushNamespaces final : public Application
{
public:
    PushNamespaces(const config::ConfigRegistry &registry, const fanout::Hub &hub,
                   auth::Authenticator &authenticator);

    bool acceptsNamespace(const QString &nsp) const override;
    void onConnect(const ConnectRequest &request, std::function<void(ConnectResult)> done) override;

private:
    const config::ConfigRegistry &m_registry;
    const fanout::Hub &m_hub;
    auth::Authenticator &m_authenticator;
    QRegularExpression m_tenantNamespace;
};

} // namespace push::socketio
