#include "session.h"

#include "engineio/engineserver.h"
#include "http/addressquota.h"
#include "http/httpconnection.h"
#include "metrics/limitmetrics.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcEio)

namespace push::engineio {

http::HttpResponse Session::textResponse(const QByteArray &body)
{
    return http::HttpResponse::text(200, body, "text/plain; charset=UTF-8");
}

Session::Session(EngineServer &server, QString id, Transport transport)
    : m_server(server)
    , m_id(std::move(id))
    , m_transport(transport)
{
    m_clock.start();
    m_nextPingAt = server.options().pingIntervalMs;
    metrics::limitGauges().engineSessions.fetch_add(1, std::memory_order_relaxed);
}

Session::~Session()
{
    metrics::limitGauges().engineSessions.fetch_sub(1, std::memory_order_relaxed);
    if (m_quota)
        m_quota->release(m_peer);
}

qint64 Session::bytesQueued() const
{
    if (m_transport == Transport::WebSocket && m_socket)
        return m_socket->bytesToWrite();
    return m_outboxBytes;
}

void Session::send(const Packet &packet)
{
    if (m_closed)
        return;
    if (m_transport == Transport::WebSocket && m_socket) {
        if (packet.binary)
            m_socket->sendBinary(packet.data);
        else
            m_socket->sendText(encodeText(packet));
        return;
    }
    QByteArray part = packet.binary ? 'b' + packet.data.toBase64() : encodeText(packet);
    m_outboxBytes += part.size();
    m_outbox.append(std::move(part));
    flushPolling();
}

bool Session::sendFrame(const QByteArray &frame)
{
    if (m_closed)
        return true;
    const qint64 queued = bytesQueued();
    if (queued > 0 && queued + frame.size() > m_server.options().maxBufferedBytes)
        return false;
    if (m_transport == Transport::WebSocket && m_socket) {
        m_socket->sendText(frame); // the shared frame itself goes out, behind its header
        return true;
    }
    m_outboxBytes += frame.size();
    m_outbox.append(frame);
    flushPolling();
    return true;
}

void Session::flushPolling()
{
    if (!m_pendingGet || m_outbox.isEmpty())
        return;
    http::HttpConnection *connection = m_pendingGet;
    m_pendingGet.clear();
    if (!connection->isOpen() || connection->state() != http::HttpConnection::State::Dispatched)
        return; // the client gave up this poll; the packets wait for the next one
    QByteArray body = m_outbox.join(kRecordSeparator);
    m_outbox.clear();
    m_outboxBytes = 0;
    connection->respond(textResponse(body));
}

void Session::receive(const Packet &packet)
{
    switch (packet.type) {
    case PacketType::Pong:
        m_pongDeadline = -1;
        m_nextPingAt = m_clock.elapsed() + m_server.options().pingIntervalMs;
        return;
    case PacketType::Close:
        // The client ends the session: a pending poll is released with a noop, as the
        // reference server does (the close packet is for closes the server starts).
        if (m_pendingGet && m_pendingGet->isOpen() &&
            m_pendingGet->state() == http::HttpConnection::State::Dispatched)
            m_pendingGet->respond(textResponse("6"));
        m_pendingGet.clear();
        close(QStringLiteral("transport close"));
        return;
    case PacketType::Message:
        if (m_server.m_handler)
            m_server.m_handler->onMessage(*this, packet);
        return;
    case PacketType::Ping:
    case PacketType::Open:
    case PacketType::Upgrade:
    case PacketType::Noop:
        return;
    }
}

void Session::attachWebSocket(std::unique_ptr<WebSocketLink> link)
{
    m_socket = std::move(link);
    WebSocketLink *attached = m_socket.get();
    const QString id = m_id;
    EngineServer *server = &m_server;
    auto find = [server, id]() -> Session * {
        auto it = server->m_sessions.find(id);
        return it == server->m_sessions.end() || it->second->m_closed ? nullptr : it->second.get();
    };
    attached->onMessage = [find](const QByteArray &data, bool binary) {
        if (Session *session = find())
            session->onWebSocketMessage(data, binary);
    };
    attached->onClosed = [find, attached, server] {
        Session *session = find();
        if (!session || session->m_socket.get() != attached)
            return;
        if (session->m_upgrading) { // the upgrade failed: stay on polling
            session->m_upgrading = false;
            // Dropped later: we are inside one of the link's callbacks.
            auto *orphan = session->m_socket.release();
            QMetaObject::invokeMethod(
                server, [orphan] { delete orphan; }, Qt::QueuedConnection);
            return;
        }
        session->close(QStringLiteral("transport close"));
    };
}

void Session::onWebSocketMessage(const QByteArray &data, bool binary)
{
    if (binary) {
        if (!m_upgrading)
            receive(Packet::bytes(data));
        return;
    }
    const auto packet = decodeText(data);
    if (!packet) {
        close(QStringLiteral("parse error"));
        return;
    }
    if (m_upgrading) {
        if (packet->type == PacketType::Ping && packet->data == "probe") {
            m_socket->sendText("3probe");
            // Release the pending poll so that the client can pause polling and upgrade.
            if (m_pendingGet && m_pendingGet->isOpen()) {
                http::HttpConnection *connection = m_pendingGet;
                m_pendingGet.clear();
                connection->respond(textResponse("6"));
            }
        } else if (packet->type == PacketType::Upgrade) {
            m_upgrading = false;
            m_transport = Transport::WebSocket;
            if (m_pendingGet && m_pendingGet->isOpen()) {
                http::HttpConnection *connection = m_pendingGet;
                m_pendingGet.clear();
                connection->respond(textResponse("6"));
            }
            // What the polling transport still held goes out over the WebSocket.
            for (const QByteArray &part : std::as_const(m_outbox)) {
                if (part.startsWith('b'))
                    m_socket->sendBinary(QByteArray::fromBase64(part.mid(1)));
                else
                    m_socket->sendText(part);
            }
            m_outbox.clear();
            m_outboxBytes = 0;
            qCDebug(lcEio) << "session" << m_id << "upgraded to websocket";
        }
        return;
    }
    receive(*packet);
}

bool Session::heartbeatExpired() const
{
    const qint64 now = m_clock.elapsed();
    const qint64 deadline =
        m_pongDeadline >= 0 ? m_pongDeadline : m_nextPingAt + m_server.options().pingTimeoutMs;
    return now >= deadline;
}

void Session::close(const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    if (m_server.m_handler)
        m_server.m_handler->onClose(*this, reason);
    if (m_pendingGet && m_pendingGet->isOpen() &&
        m_pendingGet->state() == http::HttpConnection::State::Dispatched)
        m_pendingGet->respond(textResponse("1"));
    m_pendingGet.clear();
    if (m_socket && m_transport == Transport::WebSocket)
        m_socket->close();
    m_server.remove(*this, reason);
}

} // namespace push::engineio
