// Unit tests of the RFC 6455 receiving half: WebSocketFrameDecoder and Utf8Validator.
#include "engineio/websocketframe.h"

#include <QTest>

using namespace push::engineio;
using Type = WebSocketFrame::Type;

namespace {

// A client frame: masked, as RFC 6455 §5.1 requires of clients.
QByteArray frame(int opcode, const QByteArray &payload, bool fin = true, bool masked = true,
                 int rsv = 0)
{
    QByteArray out;
    out += char((fin ? 0x80 : 0) | (rsv << 4) | opcode);
    const qsizetype n = payload.size();
    const char maskBit = masked ? char(0x80) : char(0);
    if (n < 126) {
        out += char(maskBit | char(n));
    } else if (n < 65536) {
        out += char(maskBit | 126);
        out += char(n >> 8);
        out += char(n & 0xff);
    } else {
        out += char(maskBit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += char((quint64(n) >> shift) & 0xff);
    }
    if (!masked)
        return out + payload;
    const QByteArray mask("\x12\x34\x56\x78", 4);
    out += mask;
    for (qsizetype i = 0; i < n; ++i)
        out += char(payload[i] ^ mask[i % 4]);
    return out;
}

QByteArray closeBody(int code, const QByteArray &reason = {})
{
    QByteArray body;
    body += char((code >> 8) & 0xff);
    body += char(code & 0xff);
    return body + reason;
}

QList<WebSocketFrame> decodeAll(const QByteArray &bytes, qint64 max = 1 << 20)
{
    WebSocketFrameDecoder decoder(max);
    return decoder.feed(bytes.constData(), bytes.size());
}

// The same bytes fed one at a time give the same result.
QList<WebSocketFrame> decodeBytewise(const QByteArray &bytes, qint64 max = 1 << 20)
{
    WebSocketFrameDecoder decoder(max);
    QList<WebSocketFrame> all;
    for (const char c : bytes)
        all += decoder.feed(&c, 1);
    return all;
}

} // namespace

class TestWebSocketFrame final : public QObject
{
    Q_OBJECT

private slots:
    void messages();
    void fragmentedTextAcrossFrames();
    void controlFramesBetweenFragments();
    void close_data();
    void close();
    void protocolErrors_data();
    void protocolErrors();
    void invalidUtf8_data();
    void invalidUtf8();
    void tooBig();
    void nothingAfterTheEnd();
    void utf8Validator_data();
    void utf8Validator();
    void webSocketKey_data();
    void webSocketKey();
};

void TestWebSocketFrame::messages()
{
    const QByteArray big(70000, 'x');
    const QByteArray bytes = frame(0x1, "héllo") + frame(0x2, QByteArray("\x00\xff", 2)) +
                             frame(0x1, QByteArray(300, 'a')) + frame(0x2, big) + frame(0x9, "p") +
                             frame(0xA, "q");
    for (const auto &frames : {decodeAll(bytes), decodeBytewise(bytes)}) {
        QCOMPARE(frames.size(), 6);
        QCOMPARE(frames[0].type, Type::Text);
        QCOMPARE(frames[0].payload, QByteArray("héllo"));
        QCOMPARE(frames[1].type, Type::Binary);
        QCOMPARE(frames[1].payload, QByteArray("\x00\xff", 2));
        QCOMPARE(frames[2].payload, QByteArray(300, 'a'));
        QCOMPARE(frames[3].payload, big);
        QCOMPARE(frames[4].type, Type::Ping);
        QCOMPARE(frames[4].payload, QByteArray("p"));
        QCOMPARE(frames[5].type, Type::Pong);
    }
}

void TestWebSocketFrame::fragmentedTextAcrossFrames()
{
    // "€" (E2 82 AC) split over three frames: valid only taken together.
    const QByteArray bytes = frame(0x1, "a\xE2", false) + frame(0x0, "\x82", false) +
                             frame(0x0,
                                   "\xAC"
                                   "b",
                                   true);
    const auto frames = decodeAll(bytes);
    QCOMPARE(frames.size(), 1);
    QCOMPARE(frames[0].type, Type::Text);
    QCOMPARE(frames[0].payload, QByteArray("a\xE2\x82\xAC"
                                           "b"));
}

void TestWebSocketFrame::controlFramesBetweenFragments()
{
    const QByteArray bytes = frame(0x2, "ab", false) + frame(0x9, "ping") + frame(0x0, "cd", true);
    const auto frames = decodeBytewise(bytes);
    QCOMPARE(frames.size(), 2);
    QCOMPARE(frames[0].type, Type::Ping);
    QCOMPARE(frames[1].type, Type::Binary);
    QCOMPARE(frames[1].payload, QByteArray("abcd"));
}

void TestWebSocketFrame::close_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("type"); // Type
    QTest::addColumn<int>("code");
    QTest::newRow("no body") << QByteArray() << int(Type::Close) << 0;
    QTest::newRow("1000") << closeBody(1000) << int(Type::Close) << 1000;
    QTest::newRow("1001 with a reason") << closeBody(1001, "bye ✓") << int(Type::Close) << 1001;
    QTest::newRow("1011") << closeBody(1011) << int(Type::Close) << 1011;
    QTest::newRow("3000") << closeBody(3000) << int(Type::Close) << 3000;
    QTest::newRow("4999") << closeBody(4999) << int(Type::Close) << 4999;
    QTest::newRow("1-byte body") << QByteArray("\x03", 1) << int(Type::Error) << 1002;
    QTest::newRow("code 0") << closeBody(0) << int(Type::Error) << 1002;
    QTest::newRow("code 999") << closeBody(999) << int(Type::Error) << 1002;
    QTest::newRow("code 1004") << closeBody(1004) << int(Type::Error) << 1002;
    QTest::newRow("code 1005") << closeBody(1005) << int(Type::Error) << 1002;
    QTest::newRow("code 1006") << closeBody(1006) << int(Type::Error) << 1002;
    QTest::newRow("code 1015") << closeBody(1015) << int(Type::Error) << 1002;
    QTest::newRow("code 2999") << closeBody(2999) << int(Type::Error) << 1002;
    QTest::newRow("code 5000") << closeBody(5000) << int(Type::Error) << 1002;
    QTest::newRow("code 65535") << closeBody(65535) << int(Type::Error) << 1002;
    QTest::newRow("reason not UTF-8")
        << closeBody(1000, "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80")
        << int(Type::Error) << 1007;
}

void TestWebSocketFrame::close()
{
    QFETCH(QByteArray, body);
    QFETCH(int, type);
    QFETCH(int, code);
    const auto frames = decodeAll(frame(0x8, body) + frame(0x1, "after the close"));
    QCOMPARE(frames.size(), 1); // nothing after a close
    QCOMPARE(int(frames[0].type), type);
    QCOMPARE(int(frames[0].code), code);
    if (frames[0].type == Type::Close && body.size() > 2)
        QCOMPARE(frames[0].payload, body.mid(2));
}

void TestWebSocketFrame::protocolErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    for (int opcode : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
        QTest::addRow("reserved opcode 0x%X", opcode) << frame(opcode, "x");
    QTest::newRow("unmasked") << frame(0x1, "x", true, false);
    for (int rsv : {1, 2, 4})
        QTest::addRow("RSV %d", rsv) << frame(0x1, "x", true, true, rsv);
    QTest::newRow("fragmented ping") << frame(0x9, "x", false);
    QTest::newRow("fragmented close") << frame(0x8, closeBody(1000), false);
    QTest::newRow("ping of 126 bytes") << frame(0x9, QByteArray(126, 'p'));
    QTest::newRow("continuation of nothing") << frame(0x0, "x");
    QTest::newRow("text inside a fragmented message") << frame(0x1, "a", false) + frame(0x1, "b");
    QTest::newRow("64-bit length with the top bit")
        << QByteArray("\x82\xFF\x80\x00\x00\x00\x00\x00\x00\x01", 10);
}

void TestWebSocketFrame::protocolErrors()
{
    QFETCH(QByteArray, bytes);
    for (const auto &frames : {decodeAll(bytes), decodeBytewise(bytes)}) {
        QVERIFY(!frames.isEmpty());
        QCOMPARE(frames.last().type, Type::Error);
        QCOMPARE(frames.last().code, quint16(1002));
        QVERIFY(frames.last().error);
    }
}

void TestWebSocketFrame::invalidUtf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("a lone continuation byte") << frame(0x1, "a\x80");
    QTest::newRow("overlong slash") << frame(0x1, "\xC0\xAF");
    QTest::newRow("surrogate") << frame(0x1, "\xED\xA0\x80");
    QTest::newRow("above U+10FFFF") << frame(0x1, "\xF4\x90\x80\x80");
    QTest::newRow("FF") << frame(0x1, "\xFF");
    QTest::newRow("ends inside a character") << frame(0x1, "\xE2\x82");
    QTest::newRow("fragments end inside a character")
        << frame(0x1, "ok", false) + frame(0x0, "\xF0\x9F", true);
    QTest::newRow("bad in a middle fragment")
        << frame(0x1, "ok", false) + frame(0x0, "\xC3\x28", false) + frame(0x0, "x", true);
}

void TestWebSocketFrame::invalidUtf8()
{
    QFETCH(QByteArray, bytes);
    for (const auto &frames : {decodeAll(bytes), decodeBytewise(bytes)}) {
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].type, Type::Error);
        QCOMPARE(frames[0].code, quint16(1007));
    }
    // The same bytes as a binary message are fine.
    QByteArray binary = bytes;
    binary[0] = char((binary[0] & 0xf0) | 0x2);
    if ((bytes[0] & 0x0f) == 0x1 && (bytes[0] & 0x80))
        QCOMPARE(decodeAll(binary).value(0).type, Type::Binary);
}

void TestWebSocketFrame::tooBig()
{
    // Refused from the header alone: the payload is never buffered.
    QByteArray header("\x82\xFF\x00\x00\x00\x01\x00\x00\x00\x00", 10);
    auto frames = decodeAll(header, 1000);
    QCOMPARE(frames.size(), 1);
    QCOMPARE(frames[0].code, quint16(1009));
    // Fragments that together exceed the bound.
    frames =
        decodeAll(frame(0x2, QByteArray(600, 'a'), false) + frame(0x0, QByteArray(600, 'b')), 1000);
    QCOMPARE(frames.last().type, Type::Error);
    QCOMPARE(frames.last().code, quint16(1009));
}

void TestWebSocketFrame::nothingAfterTheEnd()
{
    WebSocketFrameDecoder decoder(1000);
    const QByteArray bad = frame(0xB, "");
    QCOMPARE(decoder.feed(bad.constData(), bad.size()).size(), 1);
    QVERIFY(decoder.finished());
    const QByteArray good = frame(0x1, "hi");
    QVERIFY(decoder.feed(good.constData(), good.size()).isEmpty());
}

void TestWebSocketFrame::utf8Validator_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ASCII") << QByteArray("hello") << true;
    QTest::newRow("2, 3, 4 bytes") << QByteArray("\xC2\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") << true;
    QTest::newRow("U+10FFFF") << QByteArray("\xF4\x8F\xBF\xBF") << true;
    QTest::newRow("U+D7FF") << QByteArray("\xED\x9F\xBF") << true;
    QTest::newRow("NUL") << QByteArray("a\0b", 3) << true;
    QTest::newRow("overlong 3-byte") << QByteArray("\xE0\x80\xAF") << false;
    QTest::newRow("overlong 4-byte") << QByteArray("\xF0\x80\x80\xAF") << false;
    QTest::newRow("C1") << QByteArray("\xC1\xBF") << false;
    QTest::newRow("F5") << QByteArray("\xF5\x80\x80\x80") << false;
    QTest::newRow("truncated") << QByteArray("\xF0\x9F\x98") << false;
}

void TestWebSocketFrame::utf8Validator()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(Utf8Validator::isValid(bytes), valid);
    Utf8Validator piecewise; // one byte at a time
    bool ok = true;
    for (const char c : bytes)
        ok = ok && piecewise.feed(&c, 1);
    QCOMPARE(ok && piecewise.complete(), valid);
}

void TestWebSocketFrame::webSocketKey_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<bool>("valid");
    QTest::newRow("RFC sample") << QByteArray("dGhlIHNhbXBsZSBub25jZQ==") << true;
    QTest::newRow("surrounding space") << QByteArray(" dGhlIHNhbXBsZSBub25jZQ== ") << true;
    QTest::newRow("3 bytes") << QByteArray("YWJj") << false;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("17 bytes") << QByteArray("dGhlIHNhbXBsZSBub25jZQE=") << false;
    QTest::newRow("not base64") << QByteArray("dGhlIHNhbXBsZSBub25j!!==") << false;
}

void TestWebSocketFrame::webSocketKey()
{
    QFETCH(QByteArray, key);
    QFETCH(bool, valid);
    QCOMPARE(isValidWebSocketKey(key), valid);
}

QTEST_APPLESS_MAIN(TestWebSocketFrame)
#include "tst_websocketframe.moc"
