#include "websocketlink.h"

#include "http/httpconnection.h"
#include "http/rawstream.h"

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcWebSocket, "push.websocket")

namespace push::engineio {

// --- RawWebSocketLink ------------------------------------------------------------------

RawWebSocketLink::RawWebSocketLink(qint64 maxMessageBytes)
    : m_decoder(maxMessageBytes + 16)
{}

RawWebSocketLink::~RawWebSocketLink()
{
    m_ended = true; // no callbacks from here on
    if (m_connection && m_connection->isOpen())
        m_connection->abort();
}

QByteArray RawWebSocketLink::acceptKey(const QByteArray &key)
{
    return QCryptographicHash::hash(key.trimmed() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                    QCryptographicHash::Sha1)
        .toBase64();
}

QByteArray RawWebSocketLink::frameHeader(int opcode, qint64 length)
{
    QByteArray header;
    header += char(0x80 | opcode);
    if (length < 126) {
        header += char(length);
    } else if (length < 65536) {
        header += char(126);
        header += char((length >> 8) & 0xff);
        header += char(length & 0xff);
    } else {
        header += char(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            header += char((length >> shift) & 0xff);
    }
    return header;
}

bool RawWebSocketLink::attach(http::HttpConnection *connection, const QByteArray &key)
{
    const QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                acceptKey(key) + "\r\n\r\n";
    m_connection = connection;
    m_stream = connection->upgradeToRaw(
        response, [this](const char *data, qsizetype size) { receive(data, size); },
        [this] { closed(); });
    return m_stream != nullptr;
}

qint64 RawWebSocketLink::bytesToWrite() const
{
    return m_connection && m_stream ? m_stream->queued() : 0;
}

void RawWebSocketLink::send(int opcode, const QByteArray &payload)
{
    if (!m_connection || !m_stream || m_closing)
        return;
    m_stream->write(frameHeader(opcode, payload.size()), payload);
}

void RawWebSocketLink::close()
{
    if (!m_connection || !m_stream || m_closing)
        return;
    closeWith(kCloseNormal);
}

void RawWebSocketLink::closed()
{
    if (m_ended)
        return;
    m_ended = true;
    if (onClosed)
        onClosed();
}

void RawWebSocketLink::receive(const char *data, qsizetype size)
{
    const QList<WebSocketFrame> frames = m_decoder.feed(data, size);
    for (const WebSocketFrame &frame : frames) {
        if (m_ended || !m_connection)
            return;
        switch (frame.type) {
        case WebSocketFrame::Type::Text:
        case WebSocketFrame::Type::Binary:
            if (onMessage)
                onMessage(frame.payload, frame.type == WebSocketFrame::Type::Binary);
            break;
        case WebSocketFrame::Type::Ping:
            send(0xA, frame.payload);
            break;
        case WebSocketFrame::Type::Pong:
            break;
        case WebSocketFrame::Type::Close:
            closeWith(frame.code); // echo the peer's code (none when it gave none)
            return;
        case WebSocketFrame::Type::Error:
            qCDebug(lcWebSocket) << "closing a WebSocket with" << frame.code << ":" << frame.error;
            closeWith(frame.code);
            return;
        }
    }
}

void RawWebSocketLink::closeWith(quint16 code)
{
    if (!m_closing && m_stream && m_connection) {
        m_closing = true;
        QByteArray payload;
        if (code) {
            payload += char(code >> 8);
            payload += char(code & 0xff);
        }
        m_stream->write(frameHeader(0x8, payload.size()), payload);
    }
    if (m_connection)
        m_connection->close(); // after the close frame is sent
}

// --- QtWebSocketLink -------------------------------------------------------------------

QtWebSocketLink::QtWebSocketLink(QWebSocket *socket)
    : m_socket(socket)
{
    QObject::connect(socket, &QWebSocket::textMessageReceived, socket, [this](const QString &text) {
        if (onMessage)
            onMessage(text.toUtf8(), false);
    });
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, socket,
                     [this](const QByteArray &data) {
                         if (onMessage)
                             onMessage(data, true);
                     });
    QObject::connect(socket, &QWebSocket::disconnected, socket, [this] {
        if (onClosed)
            onClosed();
    });
}

QtWebSocketLink::~QtWebSocketLink()
{
    m_socket->disconnect();
    m_socket->abort();
    m_socket->deleteLater();
}

void QtWebSocketLink::sendText(const QByteArray &utf8)
{
    m_socket->sendTextMessage(QString::fromUtf8(utf8));
}

void QtWebSocketLink::sendBinary(const QByteArray &data)
{
    m_socket->sendBinaryMessage(data);
}

qint64 QtWebSocketLink::bytesToWrite() const
{
    return m_socket->bytesToWrite();
}

void QtWebSocketLink::close()
{
    m_socket->close();
}

} // namespace push::engineio
