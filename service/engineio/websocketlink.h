#pragma once

#include "engineio/websocketframe.h"

#include <QByteArray>
#include <QPointer>

#include <functional>

class QWebSocket;

namespace push::http {
class HttpConnection;
class RawStream;
} // namespace push::http

namespace push::engineio {

// One WebSocket as an Engine.IO session sees it: messages in, messages out, a bound.
class WebSocketLink
{
public:
    virtual ~WebSocketLink() = default;
    virtual void sendText(const QByteArray &utf8) = 0;
    virtual void sendBinary(const QByteArray &data) = 0;
    virtual qint64 bytesToWrite() const = 0;
    virtual void close() = 0;

    // Set by the session: a whole message arrived; the link ended.
    std::function<void(const QByteArray &, bool binary)> onMessage;
    std::function<void()> onClosed;
};

// RFC 6455 on the service's raw stream (Unix): frames written straight to the kernel
// (header + the shared payload in one writev), no per-connection ring buffers.
class RawWebSocketLink final : public WebSocketLink
{
public:
    explicit RawWebSocketLink(qint64 maxMessageBytes);
    ~RawWebSocketLink() override;

    // Answers the upgrade request on `connection` (101 with the accept key for `key`) and
    // takes the stream over; false when the connection cannot go raw.
    bool attach(http::HttpConnection *connection, const QByteArray &key);

    void sendText(const QByteArray &utf8) override { send(0x1, utf8); }
    void sendBinary(const QByteArray &data) override { send(0x2, data); }
    qint64 bytesToWrite() const override;
    void close() override;

    static QByteArray acceptKey(const QByteArray &key);
    static QByteArray frameHeader(int opcode, qint64 length);

private:
    void send(int opcode, const QByteArray &payload);
    void receive(const char *data, qsizetype size);
    // Sends a close frame with `code` (none for 0), once, and closes after it is sent.
    void closeWith(quint16 code);
    void closed();

    QPointer<http::HttpConnection> m_connection;
    http::RawStream *m_stream = nullptr;
    WebSocketFrameDecoder m_decoder;
    bool m_closing = false;
    bool m_ended = false;
};

// The same over QWebSocket (platforms without the raw stream).
class QtWebSocketLink final : public WebSocketLink
{
public:
    explicit QtWebSocketLink(QWebSocket *socket);
    ~QtWebSocketLink() override;
    void sendText(const QByteArray &utf8) override;
    void sendBinary(const QByteArray &data) override;
    qint64 bytesToWrite() const override;
    void close() override;

private:
    QWebSocket *m_socket;
};

} // namespace push::engineio
