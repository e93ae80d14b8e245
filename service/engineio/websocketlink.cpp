#include "websocketlink.h"

#include "httpconnection.h"
#include "rawstream.h"

#include <QCryptographicHash>
#include <QWebSocket>

namespace push::engineio {

// --- RawWebSocketLink ------------------------------------------------------------------

RawWebSocketLink::RawWebSocketLink(qint64 maxMessageBytes)
    : m_maxMessage(maxMessageBytes)
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
    m_closing = true;
    m_stream->write(frameHeader(0x8, 2), QByteArray("\x03\xe8", 2)); // 1000: normal closure
    m_connection->close();
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
    m_in.append(data, size);
    if (!decodeFrames() && m_connection) {
        m_closing = true;
        m_connection->abort(); // a protocol error: no more of this peer
    }
}

// Client frames: always masked (RFC 6455 5.1); control frames unfragmented and short.
bool RawWebSocketLink::decodeFrames()
{
    qsizetype offset = 0;
    while (m_in.size() - offset >= 2) {
        const auto *p = reinterpret_cast<const unsigned char *>(m_in.constData() + offset);
        const bool fin = p[0] & 0x80;
        const int opcode = p[0] & 0x0f;
        const bool masked = p[1] & 0x80;
        quint64 length = p[1] & 0x7f;
        qsizetype header = 2;
        if (!masked || (p[0] & 0x70))
            return false;
        if (length == 126) {
            if (m_in.size() - offset < 4)
                break;
            length = (quint64(p[2]) << 8) | p[3];
            header = 4;
        } else if (length == 127) {
            if (m_in.size() - offset < 10)
                break;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | p[2 + i];
            header = 10;
        }
        if (length > quint64(m_maxMessage) + 16)
            return false; // larger than any message we accept
        if (quint64(m_in.size() - offset) < quint64(header) + 4 + length)
            break;
        const unsigned char *mask = p + header;
        QByteArray payload(reinterpret_cast<const char *>(p + header + 4), qsizetype(length));
        for (qsizetype i = 0; i < payload.size(); ++i)
            payload[i] = char(payload[i] ^ mask[i % 4]);
        offset += header + 4 + qsizetype(length);

        if (opcode >= 0x8) { // control
            if (!fin || length > 125)
                return false;
            if (opcode == 0x8) {
                if (!m_closing && m_stream) {
                    m_closing = true;
                    m_stream->write(frameHeader(0x8, payload.left(2).size()), payload.left(2));
                }
                if (m_connection)
                    m_connection->close();
                return true;
            }
            if (opcode == 0x9 && m_stream)
                m_stream->write(frameHeader(0xA, payload.size()), payload);
            continue; // pong: nothing to do
        }
        if (opcode == 0x0) {
            if (m_messageOpcode == 0)
                return false; // a continuation of nothing
        } else if (opcode == 0x1 || opcode == 0x2) {
            if (m_messageOpcode != 0)
                return false; // a new message inside a fragmented one
            m_messageOpcode = opcode;
            m_message.clear();
        } else {
            return false;
        }
        m_message += payload;
        if (m_message.size() > m_maxMessage)
            return false;
        if (fin) {
            const bool binary = m_messageOpcode == 0x2;
            m_messageOpcode = 0;
            QByteArray message;
            message.swap(m_message);
            if (onMessage)
                onMessage(message, binary);
            if (m_ended || !m_connection)
                return true;
        }
    }
    m_in.remove(0, offset);
    return true;
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
