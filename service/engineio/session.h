#pragma once

#include "engineio/enginepacket.h"
#include "engineio/websocketlink.h"
#include "http/httpmessage.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QString>
#include <QUrlQuery>

#include <memory>

namespace push::http {
class AddressQuota;
class HttpConnection;
} // namespace push::http

namespace push::engineio {

class EngineServer;
class Session;

// What the layer above (Socket.IO) keeps per session.
class SessionUser
{
public:
    virtual ~SessionUser() = default;
};

// The layer above. Called on the session's worker thread.
class SessionHandler
{
public:
    virtual ~SessionHandler() = default;
    virtual void onOpen(Session &session) = 0;
    virtual void onMessage(Session &session, const Packet &packet) = 0;
    virtual void onClose(Session &session, const QString &reason) = 0;
};

// One Engine.IO connection: polling, WebSocket, or polling upgraded to WebSocket. Its
// transports (the polling outbox, the WebSocketLink) and heartbeat live here
// (session.cpp); its EngineServer admits, finds, upgrades and removes it.
class Session final
{
public:
    enum class Transport { Polling, WebSocket };

    Session(EngineServer &server, QString id, Transport transport);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    const QString &id() const { return m_id; }
    Transport transport() const { return m_transport; }
    bool isOpen() const { return !m_closed; }
    // The handshake request: query, its Authorization header (the only header the layers
    // above read: a session keeps no more of its handshake than that), peer.
    QUrlQuery query() const { return QUrlQuery(QString::fromUtf8(m_query)); }
    const QByteArray &authorization() const { return m_authorization; }
    QHostAddress peer() const { return m_peer; }

    void send(const Packet &packet);
    // A ready-made text message frame ("4..."), shared between sessions (fan-out path).
    // Returns false when the bounded outgoing buffer would overflow.
    bool sendFrame(const QByteArray &frame);
    qint64 bytesQueued() const;
    void close(const QString &reason);

    std::unique_ptr<SessionUser> user;

private:
    friend class EngineServer;
    // A polling answer: text/plain, the encoded payload.
    static http::HttpResponse textResponse(const QByteArray &body);
    void flushPolling();
    void attachWebSocket(std::unique_ptr<WebSocketLink> link);
    void onWebSocketMessage(const QByteArray &data, bool binary);
    void receive(const Packet &packet);
    // True when the pong to the last (or the overdue) ping is late: the session is dead
    // even if the heartbeat tick has not closed it yet.
    bool heartbeatExpired() const;

    EngineServer &m_server;
    QString m_id;
    Transport m_transport;
    QByteArray m_query; // encoded: one allocation, parsed again only at CONNECT
    QByteArray m_authorization;
    QHostAddress m_peer;
    bool m_closed = false;
    // Polling.
    QList<QByteArray> m_outbox; // encoded payload parts ("4...", "b<base64>")
    qint64 m_outboxBytes = 0;
    QPointer<http::HttpConnection> m_pendingGet;
    // WebSocket (direct, or the one being upgraded to).
    std::unique_ptr<WebSocketLink> m_socket;
    bool m_upgrading = false;
    // Heartbeat.
    QElapsedTimer m_clock;
    qint64 m_nextPingAt = 0;
    qint64 m_pongDeadline = -1; // -1: not waiting
    // The slot this session holds in the endpoint's session bound.
    std::shared_ptr<http::AddressQuota> m_quota;
};

} // namespace push::engineio
