#pragma once

#include "engineio/enginepacket.h"
#include "engineio/session.h"
#include "engineio/websocketlink.h"
#include "http/httpmessage.h"

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <unordered_map>

class QWebSocket;
class QWebSocketServer;
class QTimer;

namespace push::http {
class AddressQuota;
class HttpConnection;
struct HttpCall;
class Worker;
} // namespace push::http

namespace push::engineio {

struct EngineOptions
{
    int pingIntervalMs = 25000;
    int pingTimeoutMs = 20000;
    qint64 maxPayload = 1000000;
    qint64 maxBufferedBytes = 1024 * 1024; // outgoing bound per session
    // Open sessions per source address and in total (null: no bound).
    std::shared_ptr<http::AddressQuota> sessions;
};

// Engine.IO over the service's HTTP layer, one per HTTP worker (created on first use on
// that worker's thread): the handshake, each polling request, the WebSocket upgrade, the
// heartbeat tick, and this worker's sessions (engineio/session.h). Sessions are found
// across workers through the endpoint's table of owners; a request for a session of
// another worker moves its connection there.
class EngineServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineServer)

public:
    // One Engine.IO endpoint, shared by every worker: its options, the layer above, and
    // which worker's server owns each of its sessions.
    class Endpoint
    {
    public:
        EngineOptions options;
        // The layer above for one worker's server, called on that worker's thread; what
        // it returns lives as long as the worker (a child of it, or static).
        std::function<SessionHandler *(http::Worker &worker)> handlerFor;

    private:
        friend class EngineServer;
        QMutex m_mutex; // guards the two tables
        QHash<const http::Worker *, EngineServer *> m_servers;
        QHash<QString, EngineServer *> m_owners; // by session id
    };

    ~EngineServer() override;

    // Handles GET/POST (and WebSocket upgrades) on the endpoint's path, on the worker
    // that read the request (a request for a session of another worker moves there).
    static void handle(const std::shared_ptr<Endpoint> &endpoint, http::HttpCall &call);
    // The server of `endpoint` on `worker`, made on first use; on that worker's thread.
    static EngineServer *local(const std::shared_ptr<Endpoint> &endpoint, http::Worker &worker);

    const EngineOptions &options() const { return m_endpoint->options; }
    int sessionCount() const { return int(m_sessions.size()); }
    // Closes every session (service shutdown).
    void closeAll(const QString &reason);

private:
    friend class Session;
    EngineServer(std::shared_ptr<Endpoint> endpoint, http::Worker &worker);
    void setOwner(const QString &sid, EngineServer *owner);

    void handleLocal(http::HttpCall &call);
    // Takes a slot for a new session from `peer`, or answers the refusal on `call`.
    bool admit(http::HttpCall &call, const QHostAddress &peer,
               std::shared_ptr<http::AddressQuota> *slot);
    void handshake(http::HttpCall &call, Session::Transport transport);
    void poll(http::HttpCall &call, Session &session);
    void post(http::HttpCall &call, Session &session);
    void upgrade(http::HttpCall &call, Session *session);
    void onWebSocket();
    void openWebSocketSession(std::unique_ptr<WebSocketLink> link, const QUrlQuery &query,
                              const QHash<QByteArray, QByteArray> &headers,
                              const QHostAddress &peer,
                              std::shared_ptr<http::AddressQuota> slot = {});
    void tick();
    void remove(Session &session, const QString &reason);

    std::shared_ptr<Endpoint> m_endpoint;
    http::Worker &m_worker;
    SessionHandler *m_handler = nullptr;
    std::unordered_map<QString, std::unique_ptr<Session>> m_sessions;
    QWebSocketServer *m_webSockets = nullptr;
    QTimer *m_ticker = nullptr;
    QElapsedTimer m_clock;
};

} // namespace push::engineio
