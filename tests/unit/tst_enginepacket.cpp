// Unit tests of the Engine.IO v4 codec: text frames, long-polling payloads and the
// reference server's HTTP error bodies.
#include "engineio/enginepacket.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using push::engineio::ErrorCode;
using push::engineio::Packet;
using push::engineio::PacketType;

namespace push::engineio {

// Readable QCOMPARE failures (found by ADL).
char *toString(const Packet &packet)
{
    const QByteArray text = QByteArray("Packet(type=") + char(packet.type) +
                            (packet.binary ? ", binary, data=0x" + packet.data.toHex()
                                           : ", text, data=\"" + packet.data + '"') +
                            ')';
    return qstrdup(text.constData());
}

} // namespace push::engineio

Q_DECLARE_METATYPE(push::engineio::Packet)
Q_DECLARE_METATYPE(push::engineio::ErrorCode)

namespace {

Packet text(char type, const QByteArray &data = {})
{
    return Packet::text(PacketType(type), data);
}

QByteArray bytes(std::initializer_list<unsigned char> values)
{
    QByteArray out;
    for (unsigned char c : values)
        out.append(char(c));
    return out;
}

const char kRs = push::engineio::kRecordSeparator;

} // namespace

class TestEnginePacket final : public QObject
{
    Q_OBJECT

private slots:
    void packetTypeValues();
    void factories();
    void encodeText_data();
    void encodeText();
    void decodeText_data();
    void decodeText();
    void textRoundTrip_data();
    void textRoundTrip();
    void encodePayload_data();
    void encodePayload();
    void decodePayload_data();
    void decodePayload();
    void decodePayloadRejects_data();
    void decodePayloadRejects();
    void errorBody_data();
    void errorBody();
};

void TestEnginePacket::packetTypeValues()
{
    QCOMPARE(char(PacketType::Open), '0');
    QCOMPARE(char(PacketType::Close), '1');
    QCOMPARE(char(PacketType::Ping), '2');
    QCOMPARE(char(PacketType::Pong), '3');
    QCOMPARE(char(PacketType::Message), '4');
    QCOMPARE(char(PacketType::Upgrade), '5');
    QCOMPARE(char(PacketType::Noop), '6');
    QCOMPARE(push::engineio::kRecordSeparator, '\x1e');
}

void TestEnginePacket::factories()
{
    const Packet t = Packet::text(PacketType::Ping, "probe");
    QCOMPARE(char(t.type), '2');
    QCOMPARE(t.data, QByteArray("probe"));
    QVERIFY(!t.binary);

    const Packet b = Packet::bytes(bytes({0x00, 0xff}));
    QCOMPARE(char(b.type), '4');
    QCOMPARE(b.data, bytes({0x00, 0xff}));
    QVERIFY(b.binary);

    QVERIFY(!(t == b));
    QVERIFY(!(Packet::text(PacketType::Message, "x") == Packet::bytes("x")));
    QCOMPARE(Packet::bytes("x"), Packet::bytes("x"));
}

void TestEnginePacket::encodeText_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray handshake = "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],"
                                 "\"pingInterval\":25000,\"pingTimeout\":20000,"
                                 "\"maxPayload\":1000000}";
    QTest::newRow("0 open with handshake") << text('0', handshake) << '0' + handshake;
    QTest::newRow("1 close") << text('1') << QByteArray("1");
    QTest::newRow("2 ping") << text('2') << QByteArray("2");
    QTest::newRow("2probe") << text('2', "probe") << QByteArray("2probe");
    QTest::newRow("3 pong") << text('3') << QByteArray("3");
    QTest::newRow("3probe") << text('3', "probe") << QByteArray("3probe");
    QTest::newRow("4 message") << text('4', "hello") << QByteArray("4hello");
    QTest::newRow("4 empty message") << text('4') << QByteArray("4");
    QTest::newRow("4 socket.io event")
        << text('4', "2[\"hello\",1]") << QByteArray("42[\"hello\",1]");
    QTest::newRow("4 utf-8 message")
        << text('4', "\xc3\xa9\xe2\x82\xac") << QByteArray("4\xc3\xa9\xe2\x82\xac");
    QTest::newRow("5 upgrade") << text('5') << QByteArray("5");
    QTest::newRow("6 noop") << text('6') << QByteArray("6");
}

void TestEnginePacket::encodeText()
{
    QFETCH(Packet, packet);
    QFETCH(QByteArray, expected);
    QCOMPARE(push::engineio::encodeText(packet), expected);
}

void TestEnginePacket::decodeText_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<Packet>("expected");

    const QByteArray handshake = "{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":25000,"
                                 "\"pingTimeout\":20000,\"maxPayload\":1000000}";
    QTest::newRow("0 open") << '0' + handshake << true << text('0', handshake);
    QTest::newRow("1 close") << QByteArray("1") << true << text('1');
    QTest::newRow("2 ping") << QByteArray("2") << true << text('2');
    QTest::newRow("2probe") << QByteArray("2probe") << true << text('2', "probe");
    QTest::newRow("3 pong") << QByteArray("3") << true << text('3');
    QTest::newRow("3probe") << QByteArray("3probe") << true << text('3', "probe");
    QTest::newRow("4 message") << QByteArray("4hello") << true << text('4', "hello");
    QTest::newRow("4 empty message") << QByteArray("4") << true << text('4');
    QTest::newRow("4 message of digits") << QByteArray("4123") << true << text('4', "123");
    QTest::newRow("4 message starting with b")
        << QByteArray("4bAQID") << true << text('4', "bAQID");
    QTest::newRow("4 socket.io connect") << QByteArray("40") << true << text('4', "0");
    QTest::newRow("4 message with a record separator") << QByteArray("4a\x1e"
                                                                     "b")
                                                       << true
                                                       << text('4', "a\x1e"
                                                                    "b");
    QTest::newRow("5 upgrade") << QByteArray("5") << true << text('5');
    QTest::newRow("6 noop") << QByteArray("6") << true << text('6');

    QTest::newRow("empty frame") << QByteArray() << false << Packet{};
    QTest::newRow("empty non-null frame") << QByteArray("") << false << Packet{};
    QTest::newRow("unknown type 7") << QByteArray("7") << false << Packet{};
    QTest::newRow("unknown type 7 with data") << QByteArray("7hello") << false << Packet{};
    QTest::newRow("unknown type 8") << QByteArray("8") << false << Packet{};
    QTest::newRow("unknown type 9") << QByteArray("9") << false << Packet{};
    QTest::newRow("unknown type x") << QByteArray("x") << false << Packet{};
    QTest::newRow("unknown type x with data") << QByteArray("xhello") << false << Packet{};
    QTest::newRow("character below 0") << QByteArray("/") << false << Packet{};
    QTest::newRow("base64 packet in a text frame") << QByteArray("bAQID") << false << Packet{};
    QTest::newRow("leading space") << QByteArray(" 4hello") << false << Packet{};
    QTest::newRow("nul byte") << QByteArray(1, '\0') << false << Packet{};
    QTest::newRow("record separator") << QByteArray(1, kRs) << false << Packet{};
    QTest::newRow("high byte") << QByteArray("\xff"
                                             "4")
                               << false << Packet{};
}

void TestEnginePacket::decodeText()
{
    QFETCH(QByteArray, frame);
    QFETCH(bool, valid);
    QFETCH(Packet, expected);

    const auto packet = push::engineio::decodeText(frame);
    QCOMPARE(packet.has_value(), valid);
    if (valid)
        QCOMPARE(*packet, expected);
}

void TestEnginePacket::textRoundTrip_data()
{
    QTest::addColumn<Packet>("packet");

    for (char type = '0'; type <= '6'; ++type) {
        QTest::addRow("type %c empty", type) << text(type);
        QTest::addRow("type %c probe", type) << text(type, "probe");
        QTest::addRow("type %c json", type) << text(type, "{\"a\":[1,\"x\"]}");
    }
}

void TestEnginePacket::textRoundTrip()
{
    QFETCH(Packet, packet);
    const auto decoded = push::engineio::decodeText(push::engineio::encodeText(packet));
    QVERIFY(decoded);
    QCOMPARE(*decoded, packet);
}

void TestEnginePacket::encodePayload_data()
{
    QTest::addColumn<QList<Packet>>("packets");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray binary = bytes({0x01, 0x02, 0x03, 0x04});

    QTest::newRow("single message") << QList<Packet>{text('4', "hello")} << QByteArray("4hello");
    QTest::newRow("single ping") << QList<Packet>{text('2')} << QByteArray("2");
    QTest::newRow("single noop") << QList<Packet>{text('6')} << QByteArray("6");
    QTest::newRow("open") << QList<Packet>{text('0', "{\"sid\":\"s\"}")}
                          << QByteArray("0{\"sid\":\"s\"}");
    QTest::newRow("several text packets")
        << QList<Packet>{text('4', "hello"), text('2'), text('4', "world"), text('6')}
        << QByteArray("4hello\x1e"
                      "2\x1e"
                      "4world\x1e"
                      "6");
    QTest::newRow("two socket.io events")
        << QList<Packet>{text('4', "2[\"a\",1]"), text('4', "2/admin,[\"b\",{}]")}
        << QByteArray("42[\"a\",1]\x1e"
                      "42/admin,[\"b\",{}]");
    QTest::newRow("binary only") << QList<Packet>{Packet::bytes(binary)} << QByteArray("bAQIDBA==");
    // The protocol document's example.
    QTest::newRow("text then binary") << QList<Packet>{text('4', "hello"), Packet::bytes(binary)}
                                      << QByteArray("4hello\x1e"
                                                    "bAQIDBA==");
    QTest::newRow("mixed text and binary")
        << QList<Packet>{Packet::bytes(bytes({0xff, 0x00, 0x1e})), text('4', "451-[\"x\"]"),
                         Packet::bytes("abc"), text('1')}
        << QByteArray("b/wAe\x1e"
                      "4451-[\"x\"]\x1e"
                      "bYWJj\x1e"
                      "1");
    QTest::newRow("empty binary") << QList<Packet>{Packet::bytes({})} << QByteArray("b");
    QTest::newRow("empty message") << QList<Packet>{text('4')} << QByteArray("4");
    QTest::newRow("close and noop") << QList<Packet>{text('1'), text('6')}
                                    << QByteArray("1\x1e"
                                                  "6");
}

void TestEnginePacket::encodePayload()
{
    QFETCH(QList<Packet>, packets);
    QFETCH(QByteArray, expected);

    QCOMPARE(push::engineio::encodePayload(packets), expected);

    // And back.
    const auto decoded = push::engineio::decodePayload(expected);
    QVERIFY(decoded);
    QCOMPARE(decoded->size(), packets.size());
    for (qsizetype i = 0; i < packets.size(); ++i)
        QCOMPARE(decoded->at(i), packets.at(i));
}

void TestEnginePacket::decodePayload_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QList<Packet>>("expected");

    QTest::newRow("single message") << QByteArray("4hello") << QList<Packet>{text('4', "hello")};
    QTest::newRow("pong probe") << QByteArray("3probe") << QList<Packet>{text('3', "probe")};
    QTest::newRow("three packets") << QByteArray("4a\x1e"
                                                 "4b\x1e"
                                                 "2")
                                   << QList<Packet>{text('4', "a"), text('4', "b"), text('2')};
    QTest::newRow("text then binary")
        << QByteArray("4hello\x1e"
                      "bAQIDBA==")
        << QList<Packet>{text('4', "hello"), Packet::bytes(bytes({0x01, 0x02, 0x03, 0x04}))};
    QTest::newRow("binary then text")
        << QByteArray("bAQIDBA==\x1e"
                      "4hello")
        << QList<Packet>{Packet::bytes(bytes({0x01, 0x02, 0x03, 0x04})), text('4', "hello")};
    QTest::newRow("two binaries") << QByteArray("bAA==\x1e"
                                                "b/w==")
                                  << QList<Packet>{Packet::bytes(bytes({0x00})),
                                                   Packet::bytes(bytes({0xff}))};
    QTest::newRow("empty binary") << QByteArray("b") << QList<Packet>{Packet::bytes({})};
    QTest::newRow("message that looks like base64")
        << QByteArray("4bAQID") << QList<Packet>{text('4', "bAQID")};
    QTest::newRow("every type") << QByteArray("0{}\x1e"
                                              "1\x1e"
                                              "2\x1e"
                                              "3\x1e"
                                              "4x\x1e"
                                              "5\x1e"
                                              "6")
                                << QList<Packet>{text('0', "{}"), text('1'), text('2'), text('3'),
                                                 text('4', "x"),  text('5'), text('6')};
}

void TestEnginePacket::decodePayload()
{
    QFETCH(QByteArray, payload);
    QFETCH(QList<Packet>, expected);

    const auto decoded = push::engineio::decodePayload(payload);
    QVERIFY(decoded);
    QCOMPARE(decoded->size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i)
        QCOMPARE(decoded->at(i), expected.at(i));
}

void TestEnginePacket::decodePayloadRejects_data()
{
    QTest::addColumn<QByteArray>("payload");

    QTest::newRow("null payload") << QByteArray();
    QTest::newRow("empty payload") << QByteArray("");
    QTest::newRow("only a separator") << QByteArray(1, kRs);
    QTest::newRow("two separators") << QByteArray(2, kRs);
    QTest::newRow("empty part between separators") << QByteArray("4a\x1e\x1e"
                                                                 "4b");
    QTest::newRow("leading separator") << QByteArray("\x1e"
                                                     "4a");
    QTest::newRow("trailing separator") << QByteArray("4a\x1e");
    QTest::newRow("unknown type 7") << QByteArray("7");
    QTest::newRow("unknown type x") << QByteArray("xhello");
    QTest::newRow("unknown type after a good packet") << QByteArray("4a\x1e"
                                                                    "7b");
    QTest::newRow("unknown type before a good packet") << QByteArray("x\x1e"
                                                                     "4a");
    QTest::newRow("bad base64 characters") << QByteArray("b!!!!");
    QTest::newRow("bad base64 after a good packet") << QByteArray("4a\x1e"
                                                                  "b@@@@");
    QTest::newRow("bad base64 before a good packet") << QByteArray("b*AQID\x1e"
                                                                   "4a");
    QTest::newRow("uppercase B is not binary") << QByteArray("BAQIDBA==");
}

void TestEnginePacket::decodePayloadRejects()
{
    QFETCH(QByteArray, payload);
    QVERIFY(!push::engineio::decodePayload(payload));
}

void TestEnginePacket::errorBody_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<int>("number");
    QTest::addColumn<QString>("message");

    QTest::newRow("0 unknown transport")
        << ErrorCode::UnknownTransport << 0 << QStringLiteral("Transport unknown");
    QTest::newRow("1 unknown sid")
        << ErrorCode::UnknownSid << 1 << QStringLiteral("Session ID unknown");
    QTest::newRow("2 bad handshake method")
        << ErrorCode::BadHandshakeMethod << 2 << QStringLiteral("Bad handshake method");
    QTest::newRow("3 bad request") << ErrorCode::BadRequest << 3 << QStringLiteral("Bad request");
    QTest::newRow("4 forbidden") << ErrorCode::Forbidden << 4 << QStringLiteral("Forbidden");
    QTest::newRow("5 unsupported protocol version")
        << ErrorCode::UnsupportedProtocolVersion << 5
        << QStringLiteral("Unsupported protocol version");
}

void TestEnginePacket::errorBody()
{
    QFETCH(ErrorCode, code);
    QFETCH(int, number);
    QFETCH(QString, message);

    QCOMPARE(int(code), number);
    QCOMPARE(push::engineio::errorMessage(code), message);

    // Byte for byte what the reference server sends: JSON.stringify({code, message}).
    const QByteArray body = push::engineio::errorBody(code);
    QCOMPARE(body, "{\"code\":" + QByteArray::number(number) + ",\"message\":\"" +
                       message.toUtf8() + "\"}");

    QJsonParseError error{};
    const QJsonObject object = QJsonDocument::fromJson(body, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(object.size(), 2);
    QCOMPARE(object.value(QLatin1String("code")), QJsonValue(number));
    QCOMPARE(object.value(QLatin1String("message")), QJsonValue(message));
}

QTEST_APPLESS_MAIN(TestEnginePacket)
#include "tst_enginepacket.moc"
