#include "engineserver.h"

#include "http/addressquota.h"
#include "http/httpconnection.h"
#include "http/router.h"
#include "http/worker.h"
#include "metrics/limitmetrics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

Q_LOGGING_CATEGORY(lcEio, "push.eio")

namespace push::engineio {

using http::HttpCall;
using http::HttpResponse;

namespace {

QString newSessionId()
{
    QByteArray bytes(15, '\0');
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 3);
    bytes.resize(12);
    QByteArray more(3, '\0');
    for (char &c : more)
        c = char(QRandomGenerator::system()->bounded(256));
    return QString::fromLatin1((bytes + more).toBase64(QByteArray::Base64UrlEncoding));
}

HttpResponse engineError(ErrorCode code)
{
    return HttpResponse::json(400, errorBody(code));
}

} // namespace

// --- EngineServer ----------------------------------------------------------------------

EngineServer::EngineServer(std::shared_ptr<Endpoint> endpoint, http::Worker &worker)
    : m_endpoint(std::move(endpoint))
    , m_worker(worker)
    , m_webSockets(new QWebSocketServer(QStringLiteral("push-service"),
                                        QWebSocketServer::NonSecureMode, this))
    , m_ticker(new QTimer(this))
{
    m_clock.start();
    m_handler = m_endpoint->handlerFor ? m_endpoint->handlerFor(worker) : nullptr;
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &EngineServer::onWebSocket);
    const int tick =
        std::clamp(std::min(options().pingIntervalMs, options().pingTimeoutMs) / 4, 20, 1000);
    m_ticker->setInterval(tick);
    connect(m_ticker, &QTimer::timeout, this, &EngineServer::tick);
    m_ticker->start();
}

EngineServer::~EngineServer()
{
    QMutexLocker locker(&m_endpoint->m_mutex);
    m_endpoint->m_servers.remove(&m_worker);
}

EngineServer *EngineServer::local(const std::shared_ptr<Endpoint> &endpoint, http::Worker &worker)
{
    {
        QMutexLocker locker(&endpoint->m_mutex);
        if (EngineServer *server = endpoint->m_servers.value(&worker))
            return server;
    }
    auto *server = new EngineServer(endpoint, worker);
    server->setParent(&worker);
    worker.onShutdown([server](const QString &reason) { server->closeAll(reason); });
    QMutexLocker locker(&endpoint->m_mutex);
    endpoint->m_servers.insert(&worker, server);
    return server;
}

void EngineServer::setOwner(const QString &sid, EngineServer *owner)
{
    QMutexLocker locker(&m_endpoint->m_mutex);
    if (owner)
        m_endpoint->m_owners.insert(sid, owner);
    else
        m_endpoint->m_owners.remove(sid);
}

void EngineServer::handle(const std::shared_ptr<Endpoint> &endpoint, HttpCall &call)
{
    EngineServer *server = local(endpoint, *call.worker);
    const QString sid = call.request.query.queryItemValue(QStringLiteral("sid"));
    if (!sid.isEmpty()) {
        EngineServer *owner = nullptr;
        {
            QMutexLocker locker(&endpoint->m_mutex);
            owner = endpoint->m_owners.value(sid);
        }
        if (owner && owner != server) {
            call.worker->handOver(call, &owner->m_worker, [endpoint](HttpCall &moved) {
                local(endpoint, *moved.worker)->handleLocal(moved);
            });
            return;
        }
    }
    server->handleLocal(call);
}

void EngineServer::handleLocal(HttpCall &call)
{
    const QUrlQuery &query = call.request.query;
    const QString transport = query.queryItemValue(QStringLiteral("transport"));
    const QString sid = query.queryItemValue(QStringLiteral("sid"));
    const bool isUpgrade = call.request.header("upgrade").toLower() == "websocket";
    if (transport != QLatin1String("polling") && transport != QLatin1String("websocket")) {
        call.reply(engineError(ErrorCode::UnknownTransport));
        return;
    }
    if (isUpgrade && transport != QLatin1String("websocket")) {
        call.reply(engineError(ErrorCode::BadRequest)); // an upgrade to polling
        return;
    }
    if (!sid.isEmpty()) {
        auto it = m_sessions.find(sid);
        if (it == m_sessions.end() || it->second->m_closed) {
            call.reply(engineError(ErrorCode::UnknownSid));
            return;
        }
        Session &session = *it->second;
        if (session.heartbeatExpired()) {
            // Its pong is overdue and the tick has not come round yet: closed now, as the
            // reference server's timer would have closed it.
            session.close(QStringLiteral("ping timeout"));
            call.reply(engineError(ErrorCode::UnknownSid));
            return;
        }
        if (isUpgrade) {
            if (transport != QLatin1String("websocket")) {
                call.reply(engineError(ErrorCode::BadRequest));
                return;
            }
            upgrade(call, &session);
            return;
        }
        const bool polling = session.m_transport == Session::Transport::Polling;
        if (transport != QLatin1String("polling") || !polling) {
            call.reply(engineError(ErrorCode::BadRequest)); // transport mismatch
            return;
        }
        if (call.request.method == "GET")
            poll(call, session);
        else if (call.request.method == "POST")
            post(call, session);
        else
            call.reply(engineError(ErrorCode::BadRequest));
        return;
    }
    if (call.request.method != "GET") {
        call.reply(engineError(ErrorCode::BadHandshakeMethod));
        return;
    }
    if (query.queryItemValue(QStringLiteral("EIO")) != QLatin1String("4")) {
        call.reply(engineError(ErrorCode::UnsupportedProtocolVersion));
        return;
    }
    if (transport == QLatin1String("websocket")) {
        if (!isUpgrade) {
            call.reply(engineError(ErrorCode::BadRequest));
            return;
        }
        upgrade(call, nullptr);
        return;
    }
    handshake(call, Session::Transport::Polling);
}

static QByteArray openPacket(const QString &sid, const EngineOptions &options, bool upgrades)
{
    const QJsonObject open{
        {QStringLiteral("sid"), sid},
        {QStringLiteral("upgrades"),
         upgrades ? QJsonArray{QStringLiteral("websocket")} : QJsonArray()},
        {QStringLiteral("pingInterval"), options.pingIntervalMs},
        {QStringLiteral("pingTimeout"), options.pingTimeoutMs},
        {QStringLiteral("maxPayload"), options.maxPayload},
    };
    return QJsonDocument(open).toJson(QJsonDocument::Compact);
}

bool EngineServer::admit(HttpCall &call, const QHostAddress &peer,
                         std::shared_ptr<http::AddressQuota> *slot)
{
    const std::shared_ptr<http::AddressQuota> &quota = options().sessions;
    if (!quota)
        return true;
    const auto refusal = quota->acquire(peer);
    if (refusal == http::AddressQuota::Refusal::None) {
        *slot = quota;
        return true;
    }
    const bool perAddress = refusal == http::AddressQuota::Refusal::PerAddress;
    metrics::limitHit(perAddress ? metrics::Limit::SessionsPerAddress : metrics::Limit::Sessions,
                      peer.toString());
    call.reply(http::errorResponse(http::ApiError::Unavailable,
                                   perAddress
                                       ? QStringLiteral("too many sessions from this address")
                                       : QStringLiteral("too many sessions")));
    return false;
}

void EngineServer::handshake(HttpCall &call, Session::Transport transport)
{
    std::shared_ptr<http::AddressQuota> slot;
    if (!admit(call, call.request.peer, &slot))
        return;
    const QString sid = newSessionId();
    auto session = std::make_unique<Session>(*this, sid, transport);
    session->m_quota = std::move(slot);
    session->m_query = call.request.query.query(QUrl::FullyEncoded)
                           .toLatin1(); // percent-encoded: ASCII, and no 3x UTF-8 capacity
    session->m_authorization = call.request.header("authorization");
    session->m_peer = call.request.peer;
    Session &ref = *session;
    m_sessions.emplace(sid, std::move(session));
    setOwner(sid, this);
    ref.send(Packet::text(PacketType::Open, openPacket(sid, options(), true)));
    if (m_handler)
        m_handler->onOpen(ref);
    poll(call, ref);
}

void EngineServer::poll(HttpCall &call, Session &session)
{
    if (session.m_pendingGet && session.m_pendingGet->isOpen()) {
        qCInfo(lcEio) << "session" << session.id() << "closed: overlapping polls";
        call.reply(engineError(ErrorCode::BadRequest));
        session.close(QStringLiteral("transport error"));
        return;
    }
    if (session.m_upgrading) {
        call.reply(Session::textResponse("6"));
        return;
    }
    session.m_pendingGet = call.connection;
    session.flushPolling(); // answers now if anything is queued; else the poll is held
}

void EngineServer::post(HttpCall &call, Session &session)
{
    if (call.request.body.size() > options().maxPayload) {
        call.reply(http::errorResponse(http::ApiError::PayloadTooLarge,
                                       QStringLiteral("payload exceeds maxPayload")));
        session.close(QStringLiteral("transport error"));
        return;
    }
    const auto packets = decodePayload(call.request.body);
    if (!packets) {
        call.reply(engineError(ErrorCode::BadRequest));
        session.close(QStringLiteral("parse error"));
        return;
    }
    call.reply(HttpResponse::text(200, "ok", "text/html"));
    for (const Packet &packet : *packets) {
        if (session.m_closed)
            break;
        session.receive(packet);
    }
}

void EngineServer::upgrade(HttpCall &call, Session *session)
{
    if (call.request.header("sec-websocket-version") != "13") {
        // RFC 6455 §4.4: name the version that is spoken.
        HttpResponse refusal = engineError(ErrorCode::BadRequest);
        refusal.status = 426;
        refusal.headers.append(std::pair<QByteArray, QByteArray>("Sec-WebSocket-Version", "13"));
        call.reply(refusal);
        return;
    }
    // RFC 6455 §4.2.1: the key is 16 bytes, base64-encoded.
    const QByteArray key = call.request.header("sec-websocket-key");
    if (!isValidWebSocketKey(key)) {
        call.reply(engineError(ErrorCode::BadRequest));
        return;
    }
    if (session && (session->m_transport != Session::Transport::Polling || session->m_upgrading ||
                    session->m_socket)) {
        // Already upgraded, or upgrading: as the reference server does, the second
        // WebSocket is accepted and closed at once, and the session goes on undisturbed.
        auto *ignored = new RawWebSocketLink(options().maxPayload);
        if (ignored->attach(call.connection, key)) {
            connect(call.connection, &QObject::destroyed, this, [ignored] { delete ignored; });
            ignored->close();
        } else {
            delete ignored;
            call.reply(engineError(ErrorCode::BadRequest));
        }
        return;
    }
    std::shared_ptr<http::AddressQuota> slot;
    if (!session && !admit(call, call.request.peer, &slot))
        return;
    auto link = std::make_unique<RawWebSocketLink>(options().maxPayload);
    if (link->attach(call.connection, key)) {
        if (session) {
            session->m_upgrading = true;
            session->attachWebSocket(std::move(link));
        } else {
            openWebSocketSession(std::move(link), call.request.query, call.request.headers,
                                 call.request.peer, std::move(slot));
        }
        return;
    }
    if (slot)
        slot->release(call.request.peer);
    // No raw streams here: QWebSocketServer does the handshake on the socket.
    QTcpSocket *socket = call.connection->takeSocket();
    if (!socket)
        return;
    socket->setParent(nullptr);
    m_webSockets->handleConnection(socket);
}

void EngineServer::openWebSocketSession(std::unique_ptr<WebSocketLink> link, const QUrlQuery &query,
                                        const QHash<QByteArray, QByteArray> &headers,
                                        const QHostAddress &peer,
                                        std::shared_ptr<http::AddressQuota> slot)
{
    const QString newSid = newSessionId();
    auto session = std::make_unique<Session>(*this, newSid, Session::Transport::WebSocket);
    session->m_quota = std::move(slot);
    session->m_query = query.query(QUrl::FullyEncoded)
                           .toLatin1(); // percent-encoded: ASCII, and no 3x UTF-8 capacity
    session->m_authorization = headers.value("authorization");
    session->m_peer = peer;
    Session &ref = *session;
    m_sessions.emplace(newSid, std::move(session));
    setOwner(newSid, this);
    ref.attachWebSocket(std::move(link));
    ref.send(Packet::text(PacketType::Open, openPacket(newSid, options(), false)));
    if (m_handler)
        m_handler->onOpen(ref);
}

void EngineServer::onWebSocket()
{
    while (QWebSocket *socket = m_webSockets->nextPendingConnection()) {
        socket->setParent(this);
        socket->setMaxAllowedIncomingMessageSize(quint64(options().maxPayload));
        const QUrlQuery query(socket->requestUrl());
        const QString sid = query.queryItemValue(QStringLiteral("sid"));
        if (!sid.isEmpty()) {
            auto it = m_sessions.find(sid);
            if (it == m_sessions.end() || it->second->m_closed || it->second->m_socket ||
                it->second->m_transport != Session::Transport::Polling) {
                socket->close(QWebSocketProtocol::CloseCodeProtocolError,
                              QStringLiteral("Bad request"));
                socket->deleteLater();
                continue;
            }
            it->second->m_upgrading = true;
            it->second->attachWebSocket(std::make_unique<QtWebSocketLink>(socket));
            continue;
        }
        QHash<QByteArray, QByteArray> headers;
        const QNetworkRequest request = socket->request();
        for (const QByteArray &name : request.rawHeaderList())
            headers.insert(name.toLower(), request.rawHeader(name));
        openWebSocketSession(std::make_unique<QtWebSocketLink>(socket), query, headers,
                             socket->peerAddress());
    }
}

void EngineServer::tick()
{
    QList<Session *> timedOut;
    for (auto &[id, session] : m_sessions) {
        if (session->m_closed)
            continue;
        const qint64 now = session->m_clock.elapsed();
        if (session->m_pongDeadline >= 0) {
            if (now > session->m_pongDeadline)
                timedOut.append(session.get());
        } else if (now >= session->m_nextPingAt) {
            session->send(Packet::text(PacketType::Ping));
            // From when the ping was due, not when this tick came round.
            session->m_pongDeadline = session->m_nextPingAt + options().pingTimeoutMs;
        }
    }
    for (Session *session : std::as_const(timedOut))
        session->close(QStringLiteral("ping timeout"));
}

void EngineServer::remove(Session &session, const QString &reason)
{
    qCDebug(lcEio) << "session" << session.id() << "closed:" << reason;
    setOwner(session.id(), nullptr);
    // Deleted later: the caller may still be inside one of the session's methods.
    const QString id = session.id();
    QMetaObject::invokeMethod(
        this, [this, id] { m_sessions.erase(id); }, Qt::QueuedConnection);
}

void EngineServer::closeAll(const QString &reason)
{
    QList<Session *> all;
    for (auto &[id, session] : m_sessions)
        all.append(session.get());
    for (Session *session : std::as_const(all))
        session->close(reason);
}

} // namespace push::engineio
