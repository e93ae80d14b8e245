#include "socketioserver.h"

#include "http/worker.h"
#include "metrics/limitmetrics.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>

Q_LOGGING_CATEGORY(lcSio, "push.sio")

namespace push::socketio {

namespace {

// What the attachments of one binary packet may add up to (each is also bounded by the
// Engine.IO maxPayload).
constexpr qint64 kMaxAttachmentBytes = 1024 * 1024;

} // namespace

QString newSocketId()
{
    QByteArray bytes(15, '\0');
    for (char &c : bytes)
        c = char(QRandomGenerator::system()->bounded(256));
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding));
}

struct SocketIoServer::Client : engineio::SessionUser
{
    // A client has a handful of namespaces at most: flat lists, not hashes (a Qt 6 hash
    // allocates a span of ~48 entries on its first insert: ~3 KB per connection here).
    QList<std::pair<QString, std::shared_ptr<Socket>>> sockets; // connected namespaces
    QStringList connecting;                                     // CONNECT received, answer pending

    std::shared_ptr<Socket> socket(const QString &nsp) const
    {
        for (const auto &[name, socket] : sockets) {
            if (name == nsp)
                return socket;
        }
        return nullptr;
    }
    std::shared_ptr<Socket> take(const QString &nsp)
    {
        for (qsizetype i = 0; i < sockets.size(); ++i) {
            if (sockets.at(i).first == nsp)
                return sockets.takeAt(i).second;
        }
        return nullptr;
    }
    std::optional<Packet> pendingBinary; // waiting for attachments
    int attachmentsExpected = 0;
    qint64 pendingBytes = 0; // the attachments received so far
    QElapsedTimer opened;
    bool everConnected = false;
};

// --- Socket ----------------------------------------------------------------------------

Socket::Socket(SocketIoServer &server, engineio::Session &session, QString id, QString nsp,
               QJsonObject auth)
    : m_server(server)
    , m_session(session)
    , m_id(std::move(id))
    , m_nsp(std::move(nsp))
    , m_auth(std::move(auth))
{}

Socket::~Socket()
{
    user.reset(); // the application's state goes first, while the socket is whole
}

void Socket::emitEvent(const QString &event, const QJsonArray &args)
{
    QJsonArray data{event};
    for (const QJsonValue &arg : args)
        data.append(arg);
    m_server.send(m_session, Packet{PacketType::Event, m_nsp, data, -1, {}});
}

void Socket::ack(qint64 id, const QJsonArray &args)
{
    m_server.send(m_session, Packet{PacketType::Ack, m_nsp, args, id, {}});
}

void Socket::disconnect()
{
    if (SocketIoServer::Client *client = m_server.clientOf(m_session))
        m_server.removeSocket(*client, m_nsp, QStringLiteral("server namespace disconnect"), true);
}

// --- SocketIoServer --------------------------------------------------------------------

SocketIoServer::SocketIoServer(Application &application, int connectTimeoutMs, int maxNamespaces,
                               http::Worker &worker)
    : QObject(&worker)
    , m_application(application)
    , m_worker(worker)
    , m_connectTimeoutMs(connectTimeoutMs)
    , m_maxNamespaces(maxNamespaces)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(std::clamp(connectTimeoutMs / 4, 50, 1000));
    connect(m_timer, &QTimer::timeout, this, &SocketIoServer::checkConnectTimeouts);
    m_timer->start();
}

SocketIoServer::~SocketIoServer() = default;

std::shared_ptr<engineio::EngineServer::Endpoint>
SocketIoServer::endpoint(Application &application, const engineio::EngineOptions &options,
                         int connectTimeoutMs, int maxNamespaces)
{
    auto endpoint = std::make_shared<engineio::EngineServer::Endpoint>();
    endpoint->options = options;
    endpoint->handlerFor = [&application, connectTimeoutMs,
                            maxNamespaces](http::Worker &worker) -> engineio::SessionHandler * {
        return new SocketIoServer(application, connectTimeoutMs, maxNamespaces, worker);
    };
    return endpoint;
}

SocketIoServer::Client *SocketIoServer::clientOf(engineio::Session &session) const
{
    return static_cast<Client *>(session.user.get());
}

void SocketIoServer::onOpen(engineio::Session &session)
{
    auto client = std::make_unique<Client>();
    client->opened.start();
    session.user = std::move(client);
    m_sessions.insert(session.id(), &session);
}

void SocketIoServer::send(engineio::Session &session, const Packet &packet)
{
    const Encoded encoded = encode(packet);
    session.send(engineio::Packet::text(engineio::PacketType::Message, encoded.text));
    for (const QByteArray &attachment : encoded.attachments)
        session.send(engineio::Packet::bytes(attachment));
}

void SocketIoServer::onMessage(engineio::Session &session, const engineio::Packet &message)
{
    Client *client = clientOf(session);
    if (!client)
        return;
    if (message.binary) {
        if (!client->pendingBinary) {
            session.close(QStringLiteral("parse error")); // an attachment nobody announced
            return;
        }
        client->pendingBytes += message.data.size();
        if (client->pendingBytes > kMaxAttachmentBytes) {
            qCInfo(lcSio).noquote() << "session" << session.id() << "sent attachments past"
                                    << kMaxAttachmentBytes << "bytes";
            session.close(QStringLiteral("parse error"));
            return;
        }
        client->pendingBinary->attachments.append(message.data);
        if (client->pendingBinary->attachments.size() < client->attachmentsExpected)
            return;
        Packet packet = std::move(*client->pendingBinary);
        client->pendingBinary.reset();
        client->pendingBytes = 0;
        if (!reconstruct(packet)) {
            session.close(QStringLiteral("parse error"));
            return;
        }
        dispatch(session, *client, packet);
        return;
    }
    if (client->pendingBinary) {
        session.close(QStringLiteral("parse error")); // text while attachments were due
        return;
    }
    QString error;
    auto decoded = decode(message.data, &error);
    if (!decoded) {
        qCInfo(lcSio).noquote() << "session" << session.id() << "sent an invalid packet:" << error;
        session.close(QStringLiteral("parse error"));
        return;
    }
    if (decoded->attachmentCount > 0) {
        client->pendingBinary = std::move(decoded->packet);
        client->attachmentsExpected = decoded->attachmentCount;
        return;
    }
    dispatch(session, *client, decoded->packet);
}

void SocketIoServer::dispatch(engineio::Session &session, Client &client, Packet &packet)
{
    switch (packet.type) {
    case PacketType::Connect:
        connectNamespace(session, client, packet);
        return;
    case PacketType::Disconnect:
        removeSocket(client, packet.nsp, QStringLiteral("client namespace disconnect"), false);
        return;
    case PacketType::Event:
    case PacketType::BinaryEvent: {
        const std::shared_ptr<Socket> socket = client.socket(packet.nsp);
        if (!socket)
            return; // not connected to that namespace: ignored, as the reference server does
        QJsonArray args = packet.data.toArray();
        m_application.onEvent(*socket, args, packet.id);
        return;
    }
    case PacketType::Ack:
    case PacketType::BinaryAck:
        return; // the server asks for no acknowledgements
    case PacketType::ConnectError:
        session.close(QStringLiteral("parse error")); // only servers send these
        return;
    }
}

void SocketIoServer::connectNamespace(engineio::Session &session, Client &client,
                                      const Packet &packet)
{
    const QString nsp = packet.nsp;
    if (client.socket(nsp) || client.connecting.contains(nsp))
        return;
    if (client.sockets.size() + client.connecting.size() >= m_maxNamespaces) {
        metrics::limitHit(metrics::Limit::Namespaces, session.peer().toString());
        send(session, Packet{PacketType::ConnectError,
                             nsp,
                             QJsonObject{{QStringLiteral("message"),
                                          QStringLiteral("too many namespaces on one connection")}},
                             -1,
                             {}});
        return;
    }
    if (!m_application.acceptsNamespace(nsp)) {
        send(session,
             Packet{PacketType::ConnectError,
                    nsp,
                    QJsonObject{{QStringLiteral("message"), QStringLiteral("Invalid namespace")}},
                    -1,
                    {}});
        return;
    }
    client.connecting.append(nsp);
    ConnectRequest request;
    request.sessionId = session.id();
    request.nsp = nsp;
    request.auth = packet.data.toObject();
    request.query = session.query();
    request.authorization = session.authorization();
    request.peer = session.peer();
    request.worker = &m_worker;
    const QString sessionId = session.id();
    const QJsonObject auth = request.auth;
    m_application.onConnect(request, [this, sessionId, nsp, auth](ConnectResult result) {
        engineio::Session *session = m_sessions.value(sessionId);
        Client *client = session ? clientOf(*session) : nullptr;
        if (!client || !client->connecting.removeOne(nsp))
            return; // the client left meanwhile
        if (!result.accepted) {
            QJsonObject error{{QStringLiteral("message"), result.message}};
            if (!result.data.isUndefined() && !result.data.isNull())
                error.insert(QStringLiteral("data"), result.data);
            send(*session, Packet{PacketType::ConnectError, nsp, error, -1, {}});
            return;
        }
        const QString id = result.socketId.isEmpty() ? newSocketId() : result.socketId;
        auto socket = std::make_shared<Socket>(*this, *session, id, nsp, auth);
        client->sockets.append({nsp, socket});
        client->everConnected = true;
        QJsonObject answer = result.connectFields;
        answer.insert(QStringLiteral("sid"), socket->id());
        send(*session, Packet{PacketType::Connect, nsp, answer, -1, {}});
        if (result.onConnected)
            result.onConnected(*socket);
    });
}

void SocketIoServer::removeSocket(Client &client, const QString &nsp, const QString &reason,
                                  bool notifyClient)
{
    const std::shared_ptr<Socket> socket = client.take(nsp);
    if (!socket)
        return;
    if (notifyClient)
        send(socket->session(), Packet{PacketType::Disconnect, nsp, QJsonValue(), -1, {}});
    m_application.onDisconnect(*socket, reason);
}

void SocketIoServer::onClose(engineio::Session &session, const QString &reason)
{
    m_sessions.remove(session.id());
    Client *client = clientOf(session);
    if (!client)
        return;
    QStringList namespaces;
    for (const auto &entry : std::as_const(client->sockets))
        namespaces.append(entry.first);
    for (const QString &nsp : namespaces)
        removeSocket(*client, nsp, reason, false);
    client->connecting.clear();
}

void SocketIoServer::checkConnectTimeouts()
{
    QList<engineio::Session *> late;
    for (engineio::Session *session : std::as_const(m_sessions)) {
        const Client *client = clientOf(*session);
        if (client && !client->everConnected && client->sockets.isEmpty() &&
            client->connecting.isEmpty() && client->opened.elapsed() > m_connectTimeoutMs)
            late.append(session);
    }
    for (engineio::Session *session : std::as_const(late)) {
        qCDebug(lcSio) << "session" << session->id() << "sent no CONNECT in time";
        metrics::limitHit(metrics::Limit::SocketIoConnectTimeout, session->peer().toString());
        session->close(QStringLiteral("connect timeout"));
    }
}

} // namespace push::socketio
