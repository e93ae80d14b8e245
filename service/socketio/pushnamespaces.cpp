#include "pushnamespaces.h"

#include "metrics.h"

#include "access.h"
#include "authenticator.h"
#include "hub.h"
#include "subscriberregistry.h"
#include "worker.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcSio)

namespace push::socketio {

namespace {

// "42<nsp,>[\"<namespace>:<name>\",<json>]": an item as a socket on `nsp` gets it.
QByteArray eventFrameOf(const fanout::FanoutItem &item, const QString &nsp)
{
    return eventFrame(nsp, item.eventName, item.json);
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
class Subscription final : public SocketUser
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
    EventCriteria criteria;
    const QString criteriaText =
        request.query.queryItemValue(QStringLiteral("criteria"), QUrl::FullyDecoded);
    if (!criteriaText.isEmpty()) {
        QString error;
        auto parsed = EventCriteria::fromJsonText(criteriaText.toUtf8(), &error);
        if (!parsed) {
            done(ConnectResult::refuse(QStringLiteral("criteria: %1").arg(error)));
            return;
        }
        criteria = *parsed;
    }
    const QByteArray token =
        auth::Authenticator::tokenFrom(request.authorization, QString(), request.auth);
    http::Worker *worker = request.worker;
    m_authenticator.verify(
        token, worker,
        [this, request, streamId, criteria, worker,
         done = std::move(done)](auth::AuthResult result) {
            if (result.kind == auth::AuthResult::Kind::Invalid)
                metrics::registry().authFailure(result.reason);
            if (result.kind == auth::AuthResult::Kind::Invalid ||
                result.kind == auth::AuthResult::Kind::Unavailable) {
                done(ConnectResult::refuse(result.error));
                return;
            }
            const config::SnapshotPtr snapshot = m_registry.current();
            std::optional<User> user;
            if (result.kind == auth::AuthResult::Kind::Valid) {
                QString error;
                user = auth::userFromToken(result, *snapshot, &error);
                if (!user) {
                    done(ConnectResult::refuse(error));
                    return;
                }
            }
            QString tenantId; // empty: the cross-tenant namespace "/"
            if (request.nsp != QLatin1String("/")) {
                const Tenant *tenant = snapshot->findTenant(request.nsp.mid(1));
                if (!tenant) {
                    done(ConnectResult::refuse(
                        QStringLiteral("tenant '%1' not found").arg(request.nsp.mid(1))));
                    return;
                }
                tenantId = tenant->id;
            } else if (!user) {
                done(ConnectResult::refuse(
                    QStringLiteral("the cross-tenant namespace '/' needs a core user's token")));
                return;
            }
            const Stream *stream = snapshot->stream(tenantId, streamId);
            if (!stream) {
                done(ConnectResult::refuse(QStringLiteral("stream '%1' not found").arg(streamId)));
                return;
            }
            const Access access = subscribeAccess(user ? &*user : nullptr, *stream, tenantId);
            if (access != Access::Allowed) {
                done(ConnectResult::refuse(subscribeRefusal(access, *stream)));
                return;
            }
            const fanout::StreamKey key{tenantId, stream->id};
            const QString who = user ? user->id : QStringLiteral("(anonymous)");
            fanout::SubscriberInfo info;
            if (user)
                info.user = std::make_shared<const User>(std::move(*user));
            info.peer = request.peer;
            fanout::SubscriberRegistry *registry = &m_hub.registry(worker->index());
            done(ConnectResult::accept([registry, key, criteria, who, info,
                                        peer = request.peer](Socket &socket) {
                fanout::SubscriberInfo connected = info;
                connected.since = QDateTime::currentMSecsSinceEpoch();
                fanout::Subscriber *subscriber = registry->addSubscriber(
                    std::make_unique<SocketSubscriber>(socket, key, criteria, connected));
                socket.user = std::make_unique<Subscription>(*registry, subscriber);
                qCInfo(lcSio).noquote() << "subscriber" << who << "from" << peer.toString() << "on"
                                        << key.toString() << "over socket.io" << socket.nsp();
            }));
        });
}

} // namespace push::socketio
