#include "pushnamespaces.h"

#include "metrics/metrics.h"

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

// "42<nsp,>[\"<namespace>:<name>\",<json>]": an item as a socket on `nsp` gets it.
QByteArray eventFrameOf(const fanout::FanoutItem &item, const QString &nsp)
{
    return socketio::eventFrame(nsp, item.eventName, item.json);
}

// A socket.io socket as a fan-out subscriber.
class SocketSubscriber final : public fanout::Subscriber
{
public:
    SocketSubscriber(Socket &socket, fanout::StreamKey key, EventCriteria criteria,
                     fanout::SubscriberInfo info)
        : Subscriber(std::move(key), std::move(criteria), std::move(info))
        , m_socket(socket)
    {}

    bool deliver(const fanout::FanoutItem &item, fanout::FrameCache &frames) override
    {
        if (!criteria().isEmpty() && !criteria().matches(item.correlationId, item.context))
            return true;
        if (!m_socket.sendFrame(frames.frame(&eventFrameOf, m_socket.nsp())))
            return false;
        countDelivery();
        return true;
    }
    void keepAlive() override {} // Engine.IO's heartbeat keeps the connection alive
    const char *transport() const override { return "socketio"; }
    void close(const QString &reason) override
    {
        qCInfo(lcSio).noquote() << "closing socket" << m_socket.id() << "of session"
                                << m_socket.session().id() << ":" << reason;
        // The whole connection: its buffer is what overflowed (or the service stops).
        m_socket.session().close(reason);
    }
    void end(const QString &reason) override
    {
        qCInfo(lcSio).noquote() << "disconnecting socket" << m_socket.id() << "from"
                                << m_socket.nsp() << ":" << reason;
        m_socket.disconnect(); // the namespace only: the client sees "io server disconnect"
    }
    qint64 bytesQueued() const override { return m_socket.session().bytesQueued(); }

private:
    Socket &m_socket;
};

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
                               auth::Authenticator &authenticator)
    : m_registry(registry)
    , m_hub(hub)
    , m_authenticator(authenticator)
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
            done(connectVerified(request, streamId, criteriaText, result));
        });
}

ConnectResult PushNamespaces::connectVerified(const ConnectRequest &request,
                                              const QString &streamId, const QString &criteriaText,
                                              const auth::AuthResult &result)
{
    if (result.kind == auth::AuthResult::Kind::Invalid)
        metrics::registry().authFailure(result.reason);
    if (result.kind == auth::AuthResult::Kind::Invalid ||
        result.kind == auth::AuthResult::Kind::Unavailable)
        return ConnectResult::refuse(result.error);
    const config::SnapshotPtr snapshot = m_registry.current();
    std::optional<User> user;
    if (result.kind == auth::AuthResult::Kind::Valid) {
        QString error;
        user = auth::userFromToken(result, *snapshot, &error);
        if (!user)
            return ConnectResult::refuse(error);
    }
    QString tenantId; // empty: the cross-tenant namespace "/"
    if (request.nsp != QLatin1String("/")) {
        const Tenant *tenant = snapshot->findTenant(request.nsp.mid(1));
        if (!tenant)
            return ConnectResult::refuse(
                QStringLiteral("tenant '%1' not found").arg(request.nsp.mid(1)));
        tenantId = tenant->id;
    } else if (!user) {
        return ConnectResult::refuse(
            QStringLiteral("the cross-tenant namespace '/' needs a core user's token"));
    }
    auto resolved =
        resolveSubscription(*snapshot, user ? &*user : nullptr, tenantId, streamId, criteriaText);
    if (const auto *refusal = std::get_if<SubscriptionRefusal>(&resolved))
        return ConnectResult::refuse(refusal->message);
    const SubscriptionRequest subscription = std::get<SubscriptionRequest>(std::move(resolved));
    const QString who = user ? user->id : QStringLiteral("(anonymous)");
    fanout::SubscriberInfo info;
    if (user)
        info.user = std::make_shared<const User>(std::move(*user));
    info.peer = request.peer;
    fanout::SubscriberRegistry *registry = &m_hub.registry(request.worker->index());
    return ConnectResult::accept([registry, subscription, who, info](Socket &socket) {
        fanout::SubscriberInfo connected = info;
        connected.since = QDateTime::currentMSecsSinceEpoch();
        fanout::Subscriber *subscriber = registry->addSubscriber(std::make_unique<SocketSubscriber>(
            socket, subscription.key, subscription.criteria, connected));
        socket.user = std::make_unique<Subscription>(*registry, subscriber);
        qCInfo(lcSio).noquote() << "subscriber" << who << "from" << info.peer.toString() << "on"
                                << subscription.key.toString() << "over socket.io" << socket.nsp();
    });
}

} // namespace push::app
