#pragma once

#include <QByteArray>
#include <QList>

namespace push::engineio {

// RFC 6455 close codes the service sends.
enum CloseCode : quint16 {
    kCloseNormal = 1000,
    kCloseProtocolError = 1002,
    kCloseInvalidPayload = 1007, // text that is not UTF-8
    kCloseTooBig = 1009,
};

// UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) checked a
// piece at a time, so that a text message split over frames is checked as it arrives.
class Utf8Validator
{
public:
    // False as soon as the bytes so far cannot be the start of valid UTF-8.
    bool feed(const char *data, qsizetype size);
    // True when the bytes fed so far end on a character boundary.
    bool complete() const { return m_needed == 0; }
    void reset()
    {
        m_needed = 0;
        m_low = 0x80;
        m_high = 0xBF;
    }

    static bool isValid(const QByteArray &bytes);

private:
    int m_needed = 0;                          // continuation bytes still due
    unsigned char m_low = 0x80, m_high = 0xBF; // the range of the next continuation byte
};

// One thing the decoder read from the peer.
struct WebSocketFrame
{
    enum class Type { Text, Binary, Ping, Pong, Close, Error };
    Type type = Type::Error;
    QByteArray payload; // a whole message; ping/pong data; the close reason
    quint16 code = 0;   // Close: the peer's code (0: none given); Error: the code to close with
    const char *error = nullptr; // Error: what was wrong
};

// The receiving half of RFC 6455 for a server: bytes in, whole messages (fragments
// joined, text checked as UTF-8 across fragments), control frames and, at the first
// violation, one Error with the close code to answer (1002 protocol, 1007 bad UTF-8,
// 1009 too big). Client frames must be masked. After a Close or an Error it reads no more.
class WebSocketFrameDecoder
{
public:
    explicit WebSocketFrameDecoder(qint64 maxMessageBytes);

    QList<WebSocketFrame> feed(const char *data, qsizetype size);
    bool finished() const { return m_finished; }

    // 1000–1003, 1007–1014 and 3000–4999 may be sent by a peer (RFC 6455 §7.4; 1004–1006
    // and 1015 never on the wire).
    static bool isValidCloseCode(int code);

private:
    // Decodes one frame from m_in at `offset`; false when it is not all there yet.
    bool decodeOne(qsizetype &offset, QList<WebSocketFrame> &out);
    // The header at p (`available` bytes): its size and the payload's length; 0 when it is
    // not all there yet, -1 after fail().
    qsizetype readHeader(const unsigned char *p, qsizetype available, quint64 &length,
                         QList<WebSocketFrame> &out);
    // A text, binary or continuation frame's unmasked payload joined to the message.
    bool data(int opcode, bool fin, QByteArray payload, QList<WebSocketFrame> &out);
    void fail(QList<WebSocketFrame> &out, quint16 code, const char *what);
    void control(int opcode, QByteArray payload, QList<WebSocketFrame> &out);

    qint64 m_maxMessage;
    QByteArray m_in;      // bytes not decoded yet
    QByteArray m_message; // fragments of the message being received
    int m_messageOpcode = 0;
    Utf8Validator m_utf8;
    bool m_finished = false;
};

// Sec-WebSocket-Key (RFC 6455 §4.2.1): base64 of exactly 16 bytes.
bool isValidWebSocketKey(const QByteArray &key);

} // namespace push::engineio
