// Unit tests of the Socket.IO v5 codec's packets: decoding and encoding the text part
// (binary packets' headers included), text round trips, and the fan-out's event frame.
// The binary attachments are tst_siobinary's.
#include "siopackettest.h"

using push::socketio::Packet;
using push::socketio::PacketType;
using namespace push::test;

class TestSioPacket final : public QObject
{
    Q_OBJECT

private slots:
    void packetTypeValues();
    void decode_data();
    void decode();
    void decodeRejects_data();
    void decodeRejects();
    void encode_data();
    void encode();
    void textRoundTrip_data();
    void textRoundTrip();
    void eventFrame_data();
    void eventFrame();
    void eventFrameWithOffset();
};

void TestSioPacket::packetTypeValues()
{
    QCOMPARE(int(PacketType::Connect), 0);
    QCOMPARE(int(PacketType::Disconnect), 1);
    QCOMPARE(int(PacketType::Event), 2);
    QCOMPARE(int(PacketType::Ack), 3);
    QCOMPARE(int(PacketType::ConnectError), 4);
    QCOMPARE(int(PacketType::BinaryEvent), 5);
    QCOMPARE(int(PacketType::BinaryAck), 6);

    const Packet p;
    QCOMPARE(p.nsp, kRoot);
    QCOMPARE(p.id, qint64(-1));
    QVERIFY(p.attachments.isEmpty());
}

void TestSioPacket::decode_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Packet>("expected");
    QTest::addColumn<int>("attachmentCount");

    const QJsonValue none;
    const QByteArray placeholder0 = "{\"_placeholder\":true,\"num\":0}";
    const QByteArray placeholder1 = "{\"_placeholder\":true,\"num\":1}";

    // CONNECT
    QTest::newRow("connect") << QByteArray("0") << packet(PacketType::Connect, kRoot, -1, none)
                             << 0;
    QTest::newRow("connect with auth")
        << QByteArray("0{\"token\":\"x\"}")
        << packet(PacketType::Connect, kRoot, -1, json("{\"token\":\"x\"}")) << 0;
    QTest::newRow("connect nsp with auth")
        << QByteArray("0/admin,{\"token\":\"x\"}")
        << packet(PacketType::Connect, kAdmin, -1, json("{\"token\":\"x\"}")) << 0;
    QTest::newRow("connect nsp") << QByteArray("0/admin,")
                                 << packet(PacketType::Connect, kAdmin, -1, none) << 0;
    QTest::newRow("connect nsp without comma")
        << QByteArray("0/admin") << packet(PacketType::Connect, kAdmin, -1, none) << 0;
    QTest::newRow("connect empty auth")
        << QByteArray("0{}") << packet(PacketType::Connect, kRoot, -1, json("{}")) << 0;
    QTest::newRow("connect nested nsp")
        << QByteArray("0/a/b-c_d,{\"k\":[1]}")
        << packet(PacketType::Connect, QStringLiteral("/a/b-c_d"), -1, json("{\"k\":[1]}")) << 0;

    // DISCONNECT
    QTest::newRow("disconnect") << QByteArray("1")
                                << packet(PacketType::Disconnect, kRoot, -1, none) << 0;
    QTest::newRow("disconnect nsp")
        << QByteArray("1/admin,") << packet(PacketType::Disconnect, kAdmin, -1, none) << 0;

    // EVENT
    QTest::newRow("event") << QByteArray("2[\"hello\",1]")
                           << packet(PacketType::Event, kRoot, -1, json("[\"hello\",1]")) << 0;
    QTest::newRow("event nsp ack")
        << QByteArray("2/admin,456[\"project:delete\",123]")
        << packet(PacketType::Event, kAdmin, 456, json("[\"project:delete\",123]")) << 0;
    QTest::newRow("event ack") << QByteArray("212[\"x\"]")
                               << packet(PacketType::Event, kRoot, 12, json("[\"x\"]")) << 0;
    QTest::newRow("event ack id 0")
        << QByteArray("20[\"x\"]") << packet(PacketType::Event, kRoot, 0, json("[\"x\"]")) << 0;
    QTest::newRow("event ack id of 15 digits")
        << QByteArray("2123456789012345[\"x\"]")
        << packet(PacketType::Event, kRoot, Q_INT64_C(123456789012345), json("[\"x\"]")) << 0;
    QTest::newRow("event nsp") << QByteArray("2/admin,[\"x\",{\"a\":[1,2],\"b\":null}]")
                               << packet(PacketType::Event, kAdmin, -1,
                                         json("[\"x\",{\"a\":[1,2],\"b\":null}]"))
                               << 0;
    QTest::newRow("event name only")
        << QByteArray("2[\"ping\"]") << packet(PacketType::Event, kRoot, -1, json("[\"ping\"]"))
        << 0;
    QTest::newRow("event utf-8") << QByteArray("2[\"\xc3\xa9v\",\"\xe2\x82\xac\"]")
                                 << packet(PacketType::Event, kRoot, -1,
                                           json("[\"\xc3\xa9v\",\"\xe2\x82\xac\"]"))
                                 << 0;
    QTest::newRow("event with placeholder-looking data is not binary")
        << QByteArray("2[\"x\"," + placeholder0 + "]")
        << packet(PacketType::Event, kRoot, -1, json("[\"x\"," + placeholder0 + "]")) << 0;

    // ACK
    QTest::newRow("ack nsp") << QByteArray("3/admin,456[]")
                             << packet(PacketType::Ack, kAdmin, 456, json("[]")) << 0;
    QTest::newRow("ack") << QByteArray("313[\"ok\",2]")
                         << packet(PacketType::Ack, kRoot, 13, json("[\"ok\",2]")) << 0;
    QTest::newRow("ack id 0") << QByteArray("30[]") << packet(PacketType::Ack, kRoot, 0, json("[]"))
                              << 0;

    // CONNECT_ERROR
    QTest::newRow("connect error")
        << QByteArray("4{\"message\":\"Not authorized\"}")
        << packet(PacketType::ConnectError, kRoot, -1, json("{\"message\":\"Not authorized\"}"))
        << 0;
    QTest::newRow("connect error nsp with data")
        << QByteArray("4/admin,{\"message\":\"Not authorized\",\"data\":{\"code\":7}}")
        << packet(PacketType::ConnectError, kAdmin, -1,
                  json("{\"message\":\"Not authorized\",\"data\":{\"code\":7}}"))
        << 0;
    QTest::newRow("connect error string")
        << QByteArray("4\"Not authorized\"")
        << packet(PacketType::ConnectError, kRoot, -1, json("\"Not authorized\"")) << 0;

    // BINARY_EVENT / BINARY_ACK
    QTest::newRow("binary event") << QByteArray("51-[\"hello\"," + placeholder0 + "]")
                                  << packet(PacketType::BinaryEvent, kRoot, -1,
                                            json("[\"hello\"," + placeholder0 + "]"))
                                  << 1;
    QTest::newRow("binary event nsp ack two attachments")
        << QByteArray("52-/admin,7[\"up\"," + placeholder0 + ",{\"f\":" + placeholder1 + "}]")
        << packet(PacketType::BinaryEvent, kAdmin, 7,
                  json("[\"up\"," + placeholder0 + ",{\"f\":" + placeholder1 + "}]"))
        << 2;
    QTest::newRow("binary event no attachments")
        << QByteArray("50-[\"x\"]") << packet(PacketType::BinaryEvent, kRoot, -1, json("[\"x\"]"))
        << 0;
    QTest::newRow("binary ack nsp")
        << QByteArray("61-/admin,456[" + placeholder0 + "]")
        << packet(PacketType::BinaryAck, kAdmin, 456, json("[" + placeholder0 + "]")) << 1;
    QTest::newRow("binary ack") << QByteArray("61-9[" + placeholder0 + "]")
                                << packet(PacketType::BinaryAck, kRoot, 9,
                                          json("[" + placeholder0 + "]"))
                                << 1;
    QTest::newRow("binary event 12 attachments")
        << QByteArray("512-[\"x\"]") << packet(PacketType::BinaryEvent, kRoot, -1, json("[\"x\"]"))
        << 12;
}

void TestSioPacket::decode()
{
    QFETCH(QByteArray, text);
    QFETCH(Packet, expected);
    QFETCH(int, attachmentCount);

    QString error;
    const auto decoded = push::socketio::decode(text, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(int(decoded->packet.type), int(expected.type));
    QCOMPARE(decoded->packet.nsp, expected.nsp);
    QCOMPARE(decoded->packet.id, expected.id);
    QCOMPARE(decoded->packet.data, expected.data);
    QVERIFY(decoded->packet.attachments.isEmpty());
    QCOMPARE(decoded->packet, expected);
    QCOMPARE(decoded->attachmentCount, attachmentCount);
}

void TestSioPacket::decodeRejects_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("null") << QByteArray();
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("type 7") << QByteArray("7[\"x\"]");
    QTest::newRow("type 7 alone") << QByteArray("7");
    QTest::newRow("type 9") << QByteArray("9");
    QTest::newRow("type x") << QByteArray("x");
    QTest::newRow("type below 0") << QByteArray("/admin,");
    QTest::newRow("leading space") << QByteArray(" 2[\"x\"]");

    QTest::newRow("event without data") << QByteArray("2");
    QTest::newRow("event nsp without data") << QByteArray("2/admin,");
    QTest::newRow("event object") << QByteArray("2{}");
    QTest::newRow("event string") << QByteArray("2\"x\"");
    QTest::newRow("event empty array") << QByteArray("2[]");
    QTest::newRow("event first not string") << QByteArray("2[1]");
    QTest::newRow("event first null") << QByteArray("2[null,\"x\"]");
    QTest::newRow("event first object") << QByteArray("2[{\"a\":1}]");
    QTest::newRow("event nsp without comma swallows data") << QByteArray("2/admin[\"x\"]");

    QTest::newRow("connect with array") << QByteArray("0[1]");
    QTest::newRow("connect with string") << QByteArray("0\"x\"");
    QTest::newRow("connect with boolean") << QByteArray("0true");
    QTest::newRow("connect trailing garbage") << QByteArray("0/admin,{\"a\":1}x");
    QTest::newRow("disconnect with object") << QByteArray("1{\"a\":1}");
    QTest::newRow("disconnect with array") << QByteArray("1/admin,[]");

    QTest::newRow("ack without id") << QByteArray("3[\"x\"]");
    QTest::newRow("ack nsp without id") << QByteArray("3/admin,[]");
    QTest::newRow("ack without data") << QByteArray("31");
    QTest::newRow("ack object") << QByteArray("31{}");

    QTest::newRow("connect error without data") << QByteArray("4");
    QTest::newRow("connect error array") << QByteArray("4[\"x\"]");
    QTest::newRow("connect error boolean") << QByteArray("4/admin,true");
    QTest::newRow("connect error trailing garbage") << QByteArray("4/admin,\"x\"1");

    QTest::newRow("binary event without count") << QByteArray("5[\"x\"]");
    QTest::newRow("binary event bad count") << QByteArray("5a-[\"x\"]");
    QTest::newRow("binary event empty count") << QByteArray("5-[\"x\"]");
    QTest::newRow("binary event negative count") << QByteArray("5-1-[\"x\"]");
    QTest::newRow("binary event count only") << QByteArray("51-");
    QTest::newRow("binary event dash inside data") << QByteArray("5[\"a-b\"]");
    QTest::newRow("binary event not array") << QByteArray("51-{\"a\":1}");
    QTest::newRow("binary ack without count") << QByteArray("6/admin,1[\"x\"]");
    QTest::newRow("binary ack without id") << QByteArray("61-[{\"_placeholder\":true,\"num\":0}]");

    QTest::newRow("bad JSON") << QByteArray("2[\"x\"");
    QTest::newRow("bad JSON object") << QByteArray("0{\"token\":}");
    QTest::newRow("two JSON values") << QByteArray("2[\"x\"],[1]");
    QTest::newRow("trailing comma") << QByteArray("2[\"x\"],");
    QTest::newRow("trailing garbage") << QByteArray("2[\"x\"]]");
    QTest::newRow("only whitespace data") << QByteArray("2 ");
    QTest::newRow("ack id of 20 digits") << QByteArray("212345678901234567890[\"x\"]");
    QTest::newRow("ack id of 20 nines") << QByteArray("299999999999999999999[\"x\"]");
    QTest::newRow("ack id of 16 digits") << QByteArray("21234567890123456[\"x\"]");
}

void TestSioPacket::decodeRejects()
{
    QFETCH(QByteArray, text);

    QString error;
    const auto decoded = push::socketio::decode(text, &error);
    QVERIFY2(!decoded, qPrintable(QStringLiteral("accepted as type %1, nsp %2, id %3")
                                      .arg(decoded ? int(decoded->packet.type) : -1)
                                      .arg(decoded ? decoded->packet.nsp : QString())
                                      .arg(decoded ? decoded->packet.id : -1)));
    QVERIFY(!error.isEmpty());
}

void TestSioPacket::encode_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArrayList>("attachments");

    const QJsonValue none;
    const QByteArray a = bytes({0x01, 0x02, 0x03});
    const QByteArray b = bytes({0x00, 0xff});
    const QByteArray c = "text bytes";
    const QByteArray d = bytes({0x1e});
    const QByteArray p0 = "{\"_placeholder\":true,\"num\":0}";
    const QByteArray p1 = "{\"_placeholder\":true,\"num\":1}";
    const QByteArray p2 = "{\"_placeholder\":true,\"num\":2}";
    const QByteArray p3 = "{\"_placeholder\":true,\"num\":3}";

    QTest::newRow("connect") << packet(PacketType::Connect, kRoot, -1, none) << QByteArray("0")
                             << QByteArrayList{};
    QTest::newRow("connect empty nsp")
        << packet(PacketType::Connect, QString(), -1, none) << QByteArray("0") << QByteArrayList{};
    QTest::newRow("connect with auth")
        << packet(PacketType::Connect, kRoot, -1, json("{\"token\":\"x\"}"))
        << QByteArray("0{\"token\":\"x\"}") << QByteArrayList{};
    QTest::newRow("connect nsp with auth")
        << packet(PacketType::Connect, kAdmin, -1, json("{\"token\":\"x\"}"))
        << QByteArray("0/admin,{\"token\":\"x\"}") << QByteArrayList{};
    QTest::newRow("connect reply with sid")
        << packet(PacketType::Connect, kAdmin, -1, json("{\"sid\":\"abc\"}"))
        << QByteArray("0/admin,{\"sid\":\"abc\"}") << QByteArrayList{};
    QTest::newRow("disconnect") << packet(PacketType::Disconnect, kRoot, -1, none)
                                << QByteArray("1") << QByteArrayList{};
    QTest::newRow("disconnect nsp") << packet(PacketType::Disconnect, kAdmin, -1, none)
                                    << QByteArray("1/admin,") << QByteArrayList{};
    QTest::newRow("event") << packet(PacketType::Event, kRoot, -1, json("[\"hello\",1]"))
                           << QByteArray("2[\"hello\",1]") << QByteArrayList{};
    QTest::newRow("event nsp ack")
        << packet(PacketType::Event, kAdmin, 456, json("[\"project:delete\",123]"))
        << QByteArray("2/admin,456[\"project:delete\",123]") << QByteArrayList{};
    QTest::newRow("event ack id 0") << packet(PacketType::Event, kRoot, 0, json("[\"x\"]"))
                                    << QByteArray("20[\"x\"]") << QByteArrayList{};
    QTest::newRow("event quote in name")
        << packet(PacketType::Event, kRoot, -1, json("[\"say \\\"hi\\\"\",{}]"))
        << QByteArray("2[\"say \\\"hi\\\"\",{}]") << QByteArrayList{};
    QTest::newRow("ack nsp") << packet(PacketType::Ack, kAdmin, 456, json("[]"))
                             << QByteArray("3/admin,456[]") << QByteArrayList{};
    QTest::newRow("ack") << packet(PacketType::Ack, kRoot, 13, json("[\"ok\",{\"n\":2}]"))
                         << QByteArray("313[\"ok\",{\"n\":2}]") << QByteArrayList{};
    QTest::newRow("connect error")
        << packet(PacketType::ConnectError, kRoot, -1, json("{\"message\":\"Not authorized\"}"))
        << QByteArray("4{\"message\":\"Not authorized\"}") << QByteArrayList{};
    QTest::newRow("connect error nsp")
        << packet(PacketType::ConnectError, kAdmin, -1, json("{\"message\":\"Not authorized\"}"))
        << QByteArray("4/admin,{\"message\":\"Not authorized\"}") << QByteArrayList{};
    QTest::newRow("connect error string")
        << packet(PacketType::ConnectError, kRoot, -1, json("\"Not \\\"authorized\\\"\""))
        << QByteArray("4\"Not \\\"authorized\\\"\"") << QByteArrayList{};

    // Binary values become placeholders; the type becomes BINARY_*.
    QTest::newRow("event with binary")
        << packet(PacketType::Event, kRoot, -1, QJsonArray{QStringLiteral("hello"), bin(a)})
        << QByteArray("51-[\"hello\"," + p0 + "]") << QByteArrayList{a};
    QTest::newRow("ack with binary nsp")
        << packet(PacketType::Ack, kAdmin, 456, QJsonArray{bin(a)})
        << QByteArray("61-/admin,456[" + p0 + "]") << QByteArrayList{a};
    QTest::newRow("event with two binaries nsp ack")
        << packet(PacketType::Event, kAdmin, 7, QJsonArray{QStringLiteral("up"), bin(a), bin(b)})
        << QByteArray("52-/admin,7[\"up\"," + p0 + "," + p1 + "]") << QByteArrayList{a, b};
    QTest::newRow("event with empty binary")
        << packet(PacketType::Event, kRoot, -1, QJsonArray{QStringLiteral("e"), bin({})})
        << QByteArray("51-[\"e\"," + p0 + "]") << QByteArrayList{QByteArray()};
    // Nested: arrays in order, object members in key order (QJsonObject keeps keys sorted).
    QTest::newRow("event with nested binaries")
        << packet(PacketType::Event, kRoot, -1,
                  QJsonArray{QStringLiteral("upload"),
                             QJsonObject{{QStringLiteral("file"), bin(a)},
                                         {QStringLiteral("meta"),
                                          QJsonObject{{QStringLiteral("name"), QStringLiteral("x")},
                                                      {QStringLiteral("thumbs"),
                                                       QJsonArray{bin(b), 1, bin(c)}}}}},
                             bin(d)})
        << QByteArray("54-[\"upload\",{\"file\":" + p0 + ",\"meta\":{\"name\":\"x\",\"thumbs\":[" +
                      p1 + ",1," + p2 + "]}}," + p3 + "]")
        << QByteArrayList{a, b, c, d};
    QTest::newRow("ack with nested binary")
        << packet(PacketType::Ack, kRoot, 3,
                  QJsonArray{QJsonArray{QJsonArray{bin(c)}},
                             QJsonObject{{QStringLiteral("k"), bin(a)}}})
        << QByteArray("62-3[[[" + p0 + "]],{\"k\":" + p1 + "}]") << QByteArrayList{c, a};
    QTest::newRow("same bytes twice")
        << packet(PacketType::Event, kRoot, -1, QJsonArray{QStringLiteral("x"), bin(a), bin(a)})
        << QByteArray("52-[\"x\"," + p0 + "," + p1 + "]") << QByteArrayList{a, a};
}

void TestSioPacket::encode()
{
    QFETCH(Packet, packet);
    QFETCH(QByteArray, text);
    QFETCH(QByteArrayList, attachments);

    const push::socketio::Encoded encoded = push::socketio::encode(packet);
    QCOMPARE(encoded.text, text);
    QCOMPARE(encoded.attachments, attachments);
}

void TestSioPacket::textRoundTrip_data()
{
    QTest::addColumn<Packet>("packet");

    const QJsonValue none;
    QTest::newRow("connect") << packet(PacketType::Connect, kRoot, -1, none);
    QTest::newRow("connect nsp auth")
        << packet(PacketType::Connect, kAdmin, -1, json("{\"token\":\"x\"}"));
    QTest::newRow("disconnect nsp") << packet(PacketType::Disconnect, kAdmin, -1, none);
    QTest::newRow("event") << packet(PacketType::Event, kRoot, -1, json("[\"a\",1,true,null]"));
    QTest::newRow("event nsp ack")
        << packet(PacketType::Event, kAdmin, 456, json("[\"a\",{\"b\":[1.5,\"c\"]}]"));
    QTest::newRow("ack") << packet(PacketType::Ack, kRoot, 0, json("[]"));
    QTest::newRow("ack nsp") << packet(PacketType::Ack, kAdmin, 99, json("[\"x\"]"));
    QTest::newRow("connect error")
        << packet(PacketType::ConnectError, kAdmin, -1, json("{\"message\":\"m\"}"));
    QTest::newRow("connect error string")
        << packet(PacketType::ConnectError, kRoot, -1, json("\"m\""));
}

void TestSioPacket::textRoundTrip()
{
    QFETCH(Packet, packet);

    const push::socketio::Encoded encoded = push::socketio::encode(packet);
    QVERIFY(encoded.attachments.isEmpty());
    QString error;
    const auto decoded = push::socketio::decode(encoded.text, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->attachmentCount, 0);
    QCOMPARE(decoded->packet, packet);
}

void TestSioPacket::eventFrame_data()
{
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<QString>("eventName");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray object = "{\"id\":\"e-1\",\"context\":{\"a\":[1,2]}}";
    QTest::newRow("root nsp") << kRoot << QStringLiteral("ns:name") << object
                              << "42[\"ns:name\"," + object + "]";
    QTest::newRow("empty nsp is root")
        << QString() << QStringLiteral("ns:name") << object << "42[\"ns:name\"," + object + "]";
    QTest::newRow("demo nsp") << QStringLiteral("/demo") << QStringLiteral("ns:name") << object
                              << "42/demo,[\"ns:name\"," + object + "]";
    QTest::newRow("quote in name") << kRoot << QStringLiteral("say \"hi\"") << QByteArray("{}")
                                   << QByteArray("42[\"say \\\"hi\\\"\",{}]");
    QTest::newRow("backslash in name")
        << kRoot << QStringLiteral("a\\b") << QByteArray("1") << QByteArray("42[\"a\\\\b\",1]");
    QTest::newRow("newline in name") << kAdmin << QStringLiteral("a\nb") << QByteArray("null")
                                     << QByteArray("42/admin,[\"a\\nb\",null]");
    QTest::newRow("utf-8 name") << kRoot << QString::fromUtf8("\xc3\xa9v\xe2\x82\xac")
                                << QByteArray("[]")
                                << QByteArray("42[\"\xc3\xa9v\xe2\x82\xac\",[]]");
    QTest::newRow("array json") << kRoot << QStringLiteral("list") << QByteArray("[1,{\"x\":2}]")
                                << QByteArray("42[\"list\",[1,{\"x\":2}]]");
}

void TestSioPacket::eventFrame()
{
    QFETCH(QString, nsp);
    QFETCH(QString, eventName);
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, expected);

    const QByteArray frame = push::socketio::eventFrame(nsp, eventName, json);
    QCOMPARE(frame, expected);

    // The frame is an Engine.IO message carrying a Socket.IO EVENT that decodes back.
    QVERIFY(frame.startsWith('4'));
    QString error;
    const auto decoded = push::socketio::decode(frame.mid(1), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(int(decoded->packet.type), int(PacketType::Event));
    QCOMPARE(decoded->packet.nsp, nsp.isEmpty() ? kRoot : nsp);
    QCOMPARE(decoded->packet.id, qint64(-1));
    const QJsonArray data = decoded->packet.data.toArray();
    QCOMPARE(data.size(), 2);
    QCOMPARE(data.at(0).toString(), eventName);
    QCOMPARE(data.at(1), push::test::json(json));
}

void TestSioPacket::eventFrameWithOffset()
{
    // Connection state recovery: the offset (a log cursor) is one more, last argument.
    const QByteArray object = "{\"n\":1}";
    const QByteArray frame = push::socketio::eventFrame(QStringLiteral("/demo"), "ns:name", object,
                                                        "3fa2c01b.1764966000123-0");
    QCOMPARE(frame, QByteArray("42/demo,[\"ns:name\",{\"n\":1},\"3fa2c01b.1764966000123-0\"]"));
    QString error;
    const auto decoded = push::socketio::decode(frame.mid(1), &error);
    QVERIFY2(decoded, qPrintable(error));
    const QJsonArray data = decoded->packet.data.toArray();
    QCOMPARE(data.size(), 3);
    QCOMPARE(data.at(1), push::test::json(object));
    QCOMPARE(data.at(2).toString(), QStringLiteral("3fa2c01b.1764966000123-0"));
    // No offset: the frame of before.
    QCOMPARE(push::socketio::eventFrame(QStringLiteral("/demo"), "ns:name", object, {}),
             push::socketio::eventFrame(QStringLiteral("/demo"), "ns:name", object));
}

QTEST_APPLESS_MAIN(TestSioPacket)
#include "tst_siopacket.moc"
