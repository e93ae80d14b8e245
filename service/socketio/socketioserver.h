#pragma once

#include "engineio/engineserver.h"
#include "socketio/siopacket.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace push::http {
class Worker;
}

namespace push::socketio {

class SocketIoServer;

// What the application keeps per socket; destroyed when the socket goes.
class SocketUser
{
public:
    virtual ~SocketUser() = default;
};

// One client connection to one namespace.
class Socket final
{
public:
    Socket(SocketIoServer &server, engineio::Session &session, QString id, QString nsp,
           QJsonObject auth);
    ~Socket();
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;

    const QString &id() const { return m_id; }
    const QString &nsp() const { return m_nsp; }
    const QJsonObject &auth() const { return m_auth; }
    engineio::Session &session() const { return m_session; }

    // args may hold binary values (socketio::binaryValue): sent as BINARY_EVENT.
    void emitEvent(const QString &event, const QJsonArray &args = {});
    void ack(qint64 id, const QJsonArray &args);
    // A pre-encoded Engine.IO message frame ("42/ns,[...]"); false on buffer overflow.
    bool sendFrame(const QByteArray &frame) { return m_session.sendFrame(frame); }
    // Server-side disconnect of this namespace (the client sees "io server disconnect").
    void disconnect();

    std::unique_ptr<SocketUser> user;

private:
    SocketIoServer &m_server;
    engineio::Session &m_session;
    QString m_id;
    QString m_nsp;
    QJsonObject m_auth;
};

struct ConnectRequest
{
    QString sessionId;
    QString nsp;
    QJsonObject auth;
    QUrlQuery query;
    QByteArray authorization; // the handshake's Authorization header
    QHostAddress peer;
    http::Worker *worker = nullptr; // whose thread the session lives on
};

struct ConnectResult
{
    bool accepted = false;
    QString message;
    QJsonValue data;
    std::function<void(Socket &)> onConnected;
    // When accepted: the socket's id (empty: a new random one; a restored session keeps
    // its own), and fields the CONNECT answer carries beside `sid` (connection state
    // recovery's `pid`).
    QString socketId;
    QJsonObject connectFields;

    static ConnectResult accept(std::function<void(Socket &)> onConnected = {})
    {
        return {true, {}, {}, std::move(onConnected), {}, {}};
    }
    static ConnectResult refuse(const QString &message, const QJsonValue &data = {})
    {
        return {false, message, data, {}, {}, {}};
    }
};

// A new random socket id (what a CONNECT answer's `sid` is when the application names none).
QString newSocketId();

// The application on top of Socket.IO. Shared by every worker: thread-safe.
class Application
{
public:
    virtual ~Application() = default;
    virtual bool acceptsNamespace(const QString &nsp) const = 0;
    // `done` may be called later (after a key fetch), on the same thread.
    virtual void onConnect(const ConnectRequest &request,
                           std::function<void(ConnectResult)> done) = 0;
    virtual void onEvent(Socket &socket, const QJsonArray &args, qint64 ackId)
    {
        Q_UNUSED(socket);
        Q_UNUSED(args);
        Q_UNUSED(ackId);
    }
    virtual void onDisconnect(Socket &socket, const QString &reason)
    {
        Q_UNUSED(socket);
        Q_UNUSED(reason);
    }
};

// Socket.IO v5 over one worker's Engine.IO sessions.
class SocketIoServer final : public QObject, public engineio::SessionHandler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocketIoServer)

public:
    // On `worker`'s thread, as its child.
    SocketIoServer(Application &application, int connectTimeoutMs, int maxNamespaces,
                   http::Worker &worker);
    ~SocketIoServer() override;

    void onOpen(engineio::Session &session) override;
    void onMessage(engineio::Session &session, const engineio::Packet &packet) override;
    void onClose(engineio::Session &session, const QString &reason) override;

    // An Engine.IO endpoint whose every worker runs a SocketIoServer for `application`.
    static std::shared_ptr<engineio::EngineServer::Endpoint>
    endpoint(Application &application, const engineio::EngineOptions &options, int connectTimeoutMs,
             int maxNamespaces = 32);

private:
    friend class Socket;
    struct Client;
    Client *clientOf(engineio::Session &session) const;
    void dispatch(engineio::Session &session, Client &client, Packet &packet);
    void connectNamespace(engineio::Session &session, Client &client, const Packet &packet);
    void removeSocket(Client &client, const QString &nsp, const QString &reason, bool notifyClient);
    void send(engineio::Session &session, const Packet &packet);
    void checkConnectTimeouts();

    Application &m_application;
    http::Worker &m_worker;
    int m_connectTimeoutMs;
    int m_maxNamespaces;                            // connected or connecting, per session
    QHash<QString, engineio::Session *> m_sessions; // open sessions of this worker, by id
    QTimer *m_timer = nullptr;
};

} // namespace push::socketio
