#pragma once

#include "http/httpmessage.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>

#include <functional>
#include <memory>

#include <http_parser.h>

class QTcpSocket;

namespace push::http {
class AddressQuota;
class RawStream;
} // namespace push::http

namespace push::http {

class HttpConnection;

// Whoever owns connections (an I/O worker) learns of requests and closes through this.
class HttpConnectionHandler
{
public:
    virtual ~HttpConnectionHandler() = default;
    // A complete request. The handler must eventually call respond(), startStream() or
    // takeSocket() (for protocol upgrades) on the connection.
    virtual void onRequest(HttpConnection *connection, HttpRequest &&request) = 0;
    // The peer went away or the connection was closed; the connection is about to be
    // deleted (deleteLater) by its owner.
    virtual void onClosed(HttpConnection *connection) = 0;
};

struct HttpLimits
{
    qint64 maxBodyBytes = 1024 * 1024;
    // Answers a peer has not taken yet: past this, no further request is read (pipelining)
    // until it reads.
    qint64 maxQueuedResponseBytes = 1024 * 1024;
    // Origins allowed to call with credentials; empty: any origin is reflected (as ADSP
    // does), "*" in the list likewise. "null" is never reflected.
    QList<QByteArray> corsOrigins;
    // Open connections per source address and in total (null: no bound).
    std::shared_ptr<AddressQuota> connections;
};

// One HTTP/1.1 connection: parses requests with http_parser (Debian's libhttp-parser),
// one at a time, writes responses, keeps the connection alive between them, and can turn
// into a long-lived stream (Server-Sent Events) or hand its socket over for an upgrade.
class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    enum class State { Idle, Reading, Dispatched, Streaming, Closing, Closed };

    HttpConnection(qintptr descriptor, HttpConnectionHandler *handler, const HttpLimits &limits);
    ~HttpConnection() override;

    bool isOpen() const;
    // Another worker takes over (the connection moved to its thread).
    void setHandler(HttpConnectionHandler *handler) { m_handler = handler; }
    State state() const { return m_state; }
    QHostAddress peerAddress() const;
    // Milliseconds since the last request started or the connection opened.
    qint64 idleMilliseconds() const { return m_activity.elapsed(); }

    // Answers the current request; the connection then waits for the next one, or
    // closes when the request asked for that.
    void respond(const HttpResponse &response);
    // Answers the current request with a head and no length: what follows is a stream of
    // writeStream() calls until close().
    void startStream(int status, const HeaderList &headers);
    // Appends to the socket's outgoing buffer. Returns false when the connection is gone.
    bool writeStream(const QByteArray &bytes);
    // Bytes accepted but not yet taken by the kernel.
    qint64 bytesQueued() const;
    // Hands the socket, with the request head put back unread, to another protocol (a
    // WebSocket server). Only valid for an upgrade request; the connection is then
    // finished (its owner is told, as for a close).
    QTcpSocket *takeSocket();
    // Answers an upgrade request with `response` (101) and carries on as a raw stream whose
    // incoming bytes go to `onData`; `onClosed` runs when it ends. Unix only: returns
    // nullptr elsewhere (then use takeSocket()).
    RawStream *upgradeToRaw(const QByteArray &response,
                            std::function<void(const char *, qsizetype)> onData,
                            std::function<void()> onClosed);
    // Flushes what is queued, then closes.
    void close();
    // Closes at once, dropping what is queued.
    void abort();
    // Hands what is queued to the kernel without waiting, then closes (for shutdown).
    void flushAndClose();

    // http_parser callbacks
    int onUrl(const char *at, size_t length);
    int onHeaderField(const char *at, size_t length);
    int onHeaderValue(const char *at, size_t length);
    int onHeadersComplete();
    int onBody(const char *at, size_t length);
    int onMessageComplete();

private:
    void onReadyRead();
    void onBytesWritten();
    void resume();
    bool responsesBacklogged() const;
    void reject(ApiError error, const QByteArray &message);
    void checkHead();
    void onDisconnected();
    void beginRequest();
    void feed(const char *data, qint64 size);
    void fail(ApiError error, const QByteArray &message);
    void finishHeader();
    void writeResponse(const HttpResponse &response, bool keepAlive);
    void addCorsHeaders(HeaderList &headers) const;
    bool goRaw(const QByteArray &head);

    QTcpSocket *m_socket = nullptr; // child of this; gone once a stream goes raw
    RawStream *m_raw = nullptr;     // child of this: the stream without QTcpSocket (Unix)
    QHostAddress m_peer;
    std::function<void()> m_onStreamClosed;
    HttpConnectionHandler *m_handler;
    HttpLimits m_limits;
    State m_state = State::Idle;
    QByteArray m_origin; // the current request's Origin, reflected for CORS
    // Request parsing state, dropped when the connection becomes a raw stream (an idle
    // subscriber should not carry a parser and an empty request: ~300 bytes).
    struct Parsing
    {
        http_parser parser{};
        HttpRequest request;
        QByteArray url;
        QByteArray field;
        QByteArray value;
        QByteArray pending; // bytes read past the end of the previous request (pipelining)
        bool inTransaction = false;
        bool messageComplete = false;
        bool tooLarge = false;
        bool lastWasValue = false;
        bool head = false;        // a HEAD request: answers carry no body
        bool heldUpgrade = false; // an upgrade whose head was put back in the socket
        int hostHeaders = 0;      // how many Host fields the request has
        ApiError rejection{};     // set with rejected: the answer before the body
        bool rejected = false;
        QByteArray rejectionMessage;
    };
    std::unique_ptr<Parsing> m_p;
    QElapsedTimer m_activity;
    bool m_holdsQuota = false;      // counted in m_limits.connections
    bool m_resumeScheduled = false; // a queued resume() is on its way
};

} // namespace push::http
