#pragma once

#include "app/subscriptions.h"
#include "config/configsnapshot.h"
#include "fanout/fanout.h"
#include "socketio/socketioserver.h"

#include <QRegularExpression>

namespace push::auth {
class Authenticator;
struct AuthResult;
} // namespace push::auth

namespace push::fanout {
class Hub;
class SubscriberRegistry;
} // namespace push::fanout

namespace push::resume {
class ReplayLog;
struct LogView;
} // namespace push::resume

namespace push::app {

struct RecoveryToken;

// socket.io connection state recovery on the replay log (docs/resume.md, "socket.io").
struct RecoveryOptions
{
    resume::ReplayLog *log = nullptr; // null: resume is off, sessions are not recoverable
    QByteArray key;                   // signs and verifies the pid
    qint64 maxDisconnectionMs = 120000;
};

// The push service's socket.io namespaces (adsp-compatibility.md "socket.io"): `/` is the
// cross-tenant context (core users only), `/<tenant name>` a tenant's; the handshake
// query names the `stream` and optional `criteria`; the token comes from the
// Authorization header or auth.token. Accepted sockets join the same fan-out as SSE.
// With resume on, a tenant's sockets are recoverable: the CONNECT answer carries a pid,
// every event its cursor as offset, and a CONNECT with {pid, offset} restores the session
// from the log (pushnamespaces_recovery.cpp).
class PushNamespaces final : public socketio::Application
{
public:
    PushNamespaces(const config::ConfigRegistry &registry, const fanout::Hub &hub,
                   auth::Authenticator &authenticator, RecoveryOptions recovery = {});

    bool acceptsNamespace(const QString &nsp) const override;
    void onConnect(const socketio::ConnectRequest &request,
                   std::function<void(socketio::ConnectResult)> done) override;

private:
    using Done = std::function<void(socketio::ConnectResult)>;
    // Who and what a CONNECT subscribes, once its token, tenant, stream and access are
    // checked.
    struct Admitted
    {
        SubscriptionRequest subscription;
        QString streamId;
        QString criteriaText;
        QString tenantUrn; // empty: the cross-tenant namespace
        QString userId;    // empty: anonymous
        fanout::SubscriberInfo info;
        fanout::SubscriberRegistry *registry = nullptr;
    };

    // The rest of a CONNECT once its token is checked: the namespace's tenant, the
    // stream and access (resolveSubscription, as for SSE), then the subscriber.
    void connectVerified(const socketio::ConnectRequest &request, const QString &streamId,
                         const QString &criteriaText, const auth::AuthResult &result, Done done);
    // A recoverable socket: the log's state is read, then the session is restored from
    // the client's pid and offset, or a new one begins at the log's head.
    void connectRecoverable(const socketio::ConnectRequest &request, Admitted admitted, Done done);
    socketio::ConnectResult decideRecovery(const socketio::ConnectRequest &request,
                                           const Admitted &admitted,
                                           const std::optional<RecoveryToken> &claimed,
                                           const resume::LogView &view);
    // The token a CONNECT's auth.pid holds, when it is ours and of this subscription;
    // nullopt (counted) otherwise, and when there is none.
    std::optional<RecoveryToken> claimedSession(const socketio::ConnectRequest &request,
                                                const Admitted &admitted) const;
    static socketio::ConnectResult accept(const Admitted &admitted,
                                          std::optional<QByteArray> resumeAt = std::nullopt,
                                          resume::ReplayLog *log = nullptr,
                                          const config::ConfigRegistry *registry = nullptr);

    const config::ConfigRegistry &m_registry;
    const fanout::Hub &m_hub;
    auth::Authenticator &m_authenticator;
    RecoveryOptions m_recovery;
    QRegularExpression m_tenantNamespace;
};

} // namespace push::app
