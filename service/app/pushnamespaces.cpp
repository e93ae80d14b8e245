#include "pushnamespaces.h"

#include "metrics/metrics.h"

#include "app/socketsubscriber.h"
#include "app/subscriptions.h"
#include "auth/authenticator.h"
#include "fanout/hub.h"
#include "fanout/subscriberregistry.h"
#include "http/worker.h"
#include "shared/access.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcSio)

namespace push::app {

using socketio::ConnectRequest;
using socketio::ConnectResult;
using socketio::Socket;

namespace {

// Ties the subscriber's life to the socket's.
class Subscription final : public socketio::SocketUser
{
public:
    Subscription(fanout::SubscriberRegistry &registry, fanout::Subscriber *subscriber)
        : m_registry(registry)
        , m_subscriber(subscriber)
    {}
    ~Subscription() override { m_registry.removeSubscriber(m_subscriber); }

private:
    fanout::SubscriberRegistry &m_registry;
    fanout::Subscriber *m_subscriber;
};

} // namespace

PushNamespaces::PushNamespaces(const config::ConfigRegistry &registry, const fanout::Hub &hub,
                               auth::Authenticator &authenticator, RecoveryOptions recovery)
    : m_registry(registry)
    , m_hub(hub)
    , m_authenticator(authenticator)
    , m_recovery(std::move(recovery))
    , m_tenantNamespace(QStringLiteral("^/[a-zA-Z0-9- ]+$"))
{}

bool PushNamespaces::acceptsNamespace(const QString &nsp) const
{
    return nsp == QLatin1String("/") || m_tenantNamespace.match(nsp).hasMatch();
}

void PushNamespaces::onConnect(const ConnectRequest &request,
                               std::function<void(ConnectResult)> done)
{
    const QString streamId =
        request.query.queryItemValue(QStringLiteral("stream"), QUrl::FullyDecoded);
    if (streamId.isEmpty()) {
        done(ConnectResult::refuse(
            QStringLiteral("the handshake query must name a stream (?stream=<id>)")));
        return;
    }
    const QString criteriaText =
        request.query.queryItemValue(QStringLiteral("criteria"), QUrl::FullyDecoded);
    QString error;
    if (!criteriaText.isEmpty() && !EventCriteria::fromJsonText(criteriaText.toUtf8(), &error)) {
        // Refused before any key is fetched for its token.
        done(ConnectResult::refuse(QStringLiteral("criteria: %1").arg(error)));
        return;
    }
    const QByteArray token =
        auth::Authenticator::tokenFrom(request.authorization, QString(), request.auth);
    m_authenticator.verify(
        token, request.worker,
        [this, request, streamId, criteriaText, done = std::move(done)](auth::AuthResult result) {
            connectVerified(request, streamId, criteriaText, result, done);
        });
}

void PushNamespaces::connectVerified(const ConnectRequest &request, const QString &streamId,
                                     const QString &criteriaText, const auth::AuthResult &result,
                                     Done done)
{
    if (result.kind == auth::AuthResult::Kind::Invalid)
        metrics::registry().authFailure(result.reason);
    if (result.kind == auth::AuthResult::Kind::Invalid ||
        result.kind == auth::AuthResult::Kind::Unavailable)
        return done(ConnectResult::refuse(result.error));
    const config::SnapshotPtr snapshot = m_registry.current();
    std::optional<User> user;
    if (result.kind == auth::AuthResult::Kind::Valid) {
        QString error;
        user = auth::userFromToken(result, *snapshot, &error);
        if (!user)
            return done(ConnectResult::refuse(error));
    }
    QString tenantId; // empty: the cross-tenant namespace "/"
    QString tenantUrn;
    if (request.nsp != QLatin1String("/")) {
        const Tenant *tenant = snapshot->findTenant(request.nsp.mid(1));
        if (!tenant)
            return done(ConnectResult::refuse(
                QStringLiteral("tenant '%1' not found").arg(request.nsp.mid(1))));
        tenantId = tenant->id;
        tenantUrn = tenant->urn();
    } else if (!user) {
        return done(ConnectResult::refuse(
            QStringLiteral("the cross-tenant namespace '/' needs a core user's token")));
    }
    auto resolved =
        resolveSubscription(*snapshot, user ? &*user : nullptr, tenantId, streamId, criteriaText);
    if (const auto *refusal = std::get_if<SubscriptionRefusal>(&resolved))
        return done(ConnectResult::refuse(refusal->message));
    Admitted admitted;
    admitted.subscription = std::get<SubscriptionRequest>(std::move(resolved));
    admitted.streamId = streamId;
    admitted.criteriaText = criteriaText;
    admitted.tenantUrn = tenantUrn;
    if (user) {
        admitted.userId = user->id;
        admitted.info.user = std::make_shared<const User>(std::move(*user));
    }
    admitted.info.peer = request.peer;
    admitted.registry = &m_hub.registry(request.worker->index());
    if (m_recovery.log && !tenantUrn.isEmpty())
        return connectRecoverable(request, std::move(admitted), std::move(done));
    done(accept(admitted));
}

ConnectResult PushNamespaces::accept(const Admitted &admitted, std::optional<QByteArray> resumeAt,
                                     resume::ReplayLog *log, const config::ConfigRegistry *registry)
{
    return ConnectResult::accept([admitted, resumeAt, log, registry](Socket &socket) {
        fanout::SubscriberInfo connected = admitted.info;
        connected.since = QDateTime::currentMSecsSinceEpoch();
        const SubscriptionRequest &subscription = admitted.subscription;
        auto *subscriber = static_cast<SocketSubscriber *>(
            admitted.registry->addSubscriber(std::make_unique<SocketSubscriber>(
                socket, subscription.key, subscription.criteria, connected)));
        socket.user = std::make_unique<Subscription>(*admitted.registry, subscriber);
        qCInfo(lcSio).noquote() << "subscriber"
                                << (admitted.userId.isEmpty() ? QStringLiteral("(anonymous)")
                                                              : admitted.userId)
                                << "from" << admitted.info.peer.toString() << "on"
                                << subscription.key.toString() << "over socket.io" << socket.nsp();
        if (resumeAt) {
            // Registered first: nothing live is missed while the log is read.
            resume::CatchUp::Context context;
            context.log = log;
            context.registry = registry;
            context.home = admitted.registry;
            context.key = subscription.key;
            context.tenantUrn = admitted.tenantUrn;
            subscriber->resumeFrom(std::move(context), *resumeAt);
        }
    });
}

} // namespace push::app
