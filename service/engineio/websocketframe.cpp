#include "websocketframe.h"

namespace push::engineio {

// --- Utf8Validator -------------------------------------------------------------------

bool Utf8Validator::feed(const char *data, qsizetype size)
{
    const auto *p = reinterpret_cast<const unsigned char *>(data);
    for (qsizetype i = 0; i < size; ++i) {
        const unsigned char c = p[i];
        if (m_needed > 0) {
            if (c < m_low || c > m_high)
                return false;
            m_low = 0x80;
            m_high = 0xBF;
            --m_needed;
            continue;
        }
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xDF) {
            m_needed = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            m_needed = 2;
            if (c == 0xE0)
                m_low = 0xA0; // no overlong forms
            else if (c == 0xED)
                m_high = 0x9F; // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            m_needed = 3;
            if (c == 0xF0)
                m_low = 0x90; // no overlong forms
            else if (c == 0xF4)
                m_high = 0x8F; // nothing above U+10FFFF
        } else {
            return false; // a continuation byte without a lead, C0, C1, F5–FF
        }
    }
    return true;
}

bool Utf8Validator::isValid(const QByteArray &bytes)
{
    Utf8Validator validator;
    return validator.feed(bytes.constData(), bytes.size()) && validator.complete();
}

// --- WebSocketFrameDecoder -----------------------------------------------------------

WebSocketFrameDecoder::WebSocketFrameDecoder(qint64 maxMessageBytes)
    : m_maxMessage(maxMessageBytes)
{}

bool WebSocketFrameDecoder::isValidCloseCode(int code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

void WebSocketFrameDecoder::fail(QList<WebSocketFrame> &out, quint16 code, const char *what)
{
    WebSocketFrame frame;
    frame.type = WebSocketFrame::Type::Error;
    frame.code = code;
    frame.error = what;
    out.append(frame);
    m_finished = true;
    m_in.clear();
    m_message.clear();
}

QList<WebSocketFrame> WebSocketFrameDecoder::feed(const char *data, qsizetype size)
{
    QList<WebSocketFrame> out;
    if (m_finished)
        return out;
    m_in.append(data, size);
    qsizetype offset = 0;
    while (!m_finished && decodeOne(offset, out)) {
    }
    if (m_finished)
        m_in.clear();
    else
        m_in.remove(0, offset);
    return out;
}

qsizetype WebSocketFrameDecoder::readHeader(const unsigned char *p, qsizetype available,
                                            quint64 &length, QList<WebSocketFrame> &out)
{
    const bool fin = p[0] & 0x80;
    const int opcode = p[0] & 0x0f;
    const bool isControl = opcode >= 0x8;
    if (p[0] & 0x70) {
        fail(out, kCloseProtocolError, "reserved bits set without an extension");
        return -1;
    }
    if (opcode != 0x0 && opcode != 0x1 && opcode != 0x2 && opcode != 0x8 && opcode != 0x9 &&
        opcode != 0xA) {
        fail(out, kCloseProtocolError, "reserved opcode");
        return -1;
    }
    if (!(p[1] & 0x80)) {
        fail(out, kCloseProtocolError, "a client frame without a mask");
        return -1;
    }
    length = p[1] & 0x7f;
    qsizetype header = 2;
    if (length == 126) {
        if (available < 4)
            return 0;
        length = (quint64(p[2]) << 8) | p[3];
        header = 4;
    } else if (length == 127) {
        if (available < 10)
            return 0;
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | p[2 + i];
        header = 10;
        if (length >> 63) {
            fail(out, kCloseProtocolError, "a frame length with the most significant bit set");
            return -1;
        }
    }
    if (isControl && (!fin || length > 125)) {
        fail(out, kCloseProtocolError, "a fragmented or long control frame");
        return -1;
    }
    if (!isControl && length + quint64(m_message.size()) > quint64(m_maxMessage)) {
        fail(out, kCloseTooBig, "a message larger than the limit");
        return -1;
    }
    return header + 4; // and the mask
}

bool WebSocketFrameDecoder::decodeOne(qsizetype &offset, QList<WebSocketFrame> &out)
{
    const qsizetype available = m_in.size() - offset;
    if (available < 2)
        return false;
    const auto *p = reinterpret_cast<const unsigned char *>(m_in.constData() + offset);
    quint64 length = 0;
    const qsizetype header = readHeader(p, available, length, out);
    if (header <= 0 || quint64(available) < quint64(header) + length)
        return false;
    const unsigned char *mask = p + header - 4;
    QByteArray payload(reinterpret_cast<const char *>(p + header), qsizetype(length));
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char(payload[i] ^ mask[i % 4]);
    offset += header + qsizetype(length);
    const bool fin = p[0] & 0x80;
    const int opcode = p[0] & 0x0f;
    if (opcode >= 0x8) {
        control(opcode, std::move(payload), out);
        return !m_finished;
    }
    return data(opcode, fin, std::move(payload), out);
}

bool WebSocketFrameDecoder::data(int opcode, bool fin, QByteArray payload,
                                 QList<WebSocketFrame> &out)
{
    if (opcode == 0x0) {
        if (m_messageOpcode == 0) {
            fail(out, kCloseProtocolError, "a continuation frame outside a message");
            return false;
        }
    } else {
        if (m_messageOpcode != 0) {
            fail(out, kCloseProtocolError, "a new message inside a fragmented one");
            return false;
        }
        m_messageOpcode = opcode;
        m_message.clear();
        m_utf8.reset();
    }
    if (m_messageOpcode == 0x1 && !m_utf8.feed(payload.constData(), payload.size())) {
        fail(out, kCloseInvalidPayload, "a text message that is not UTF-8");
        return false;
    }
    m_message += payload;
    if (!fin)
        return true;
    const bool text = m_messageOpcode == 0x1;
    m_messageOpcode = 0;
    if (text && !m_utf8.complete()) {
        fail(out, kCloseInvalidPayload, "a text message that ends inside a character");
        return false;
    }
    WebSocketFrame message;
    message.type = text ? WebSocketFrame::Type::Text : WebSocketFrame::Type::Binary;
    message.payload.swap(m_message);
    out.append(std::move(message));
    return true;
}

void WebSocketFrameDecoder::control(int opcode, QByteArray payload, QList<WebSocketFrame> &out)
{
    WebSocketFrame frame;
    if (opcode == 0x9 || opcode == 0xA) {
        frame.type = opcode == 0x9 ? WebSocketFrame::Type::Ping : WebSocketFrame::Type::Pong;
        frame.payload = std::move(payload);
        out.append(std::move(frame));
        return;
    }
    // Close: no body, or a valid code and a UTF-8 reason (RFC 6455 §5.5.1, §7.4).
    if (payload.size() == 1) {
        fail(out, kCloseProtocolError, "a close frame with a 1-byte body");
        return;
    }
    if (payload.size() >= 2) {
        frame.code = quint16((quint8(payload[0]) << 8) | quint8(payload[1]));
        if (!isValidCloseCode(frame.code)) {
            fail(out, kCloseProtocolError, "a close frame with an invalid code");
            return;
        }
        frame.payload = payload.mid(2);
        if (!Utf8Validator::isValid(frame.payload)) {
            fail(out, kCloseInvalidPayload, "a close reason that is not UTF-8");
            return;
        }
    }
    frame.type = WebSocketFrame::Type::Close;
    out.append(std::move(frame));
    m_finished = true;
}

bool isValidWebSocketKey(const QByteArray &key)
{
    const QByteArray trimmed = key.trimmed();
    if (trimmed.size() != 24)
        return false;
    const auto decoded =
        QByteArray::fromBase64Encoding(trimmed, QByteArray::AbortOnBase64DecodingErrors);
    return decoded.decodingStatus == QByteArray::Base64DecodingStatus::Ok &&
           decoded.decoded.size() == 16;
}

} // namespace push::engineio
