// Unit tests of the Socket.IO v5 codec's binary attachments: placeholders out and back
// (round trips of BINARY_EVENT and BINARY_ACK), reconstructing a packet from the
// attachments that follow it, and the value that stands for binary data in JSON. The
// text part of packets is tst_siopacket's.
#include "siopackettest.h"

using push::socketio::Packet;
using push::socketio::PacketType;
using namespace push::test;

class TestSioBinary final : public QObject
{
    Q_OBJECT

private slots:
    void binaryRoundTrip_data();
    void binaryRoundTrip();
    void reconstruct_data();
    void reconstruct();
    void binaryValue_data();
    void binaryValue();
};

void TestSioBinary::binaryRoundTrip_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<int>("binaryType");

    const QByteArray a = bytes({0x00, 0x01, 0xfe, 0xff});
    const QByteArray b = "hello";
    const QByteArray c = QByteArray(300, '\x1e');

    QTest::newRow("event") << packet(PacketType::Event, kRoot, -1,
                                     QJsonArray{QStringLiteral("file"), bin(a)})
                           << 5;
    QTest::newRow("event nsp ack")
        << packet(PacketType::Event, kAdmin, 12,
                  QJsonArray{QStringLiteral("files"), bin(a), QStringLiteral("mid"), bin(b)})
        << 5;
    QTest::newRow("event nested") << packet(PacketType::Event, kAdmin, -1,
                                            QJsonArray{QStringLiteral("n"),
                                                       QJsonObject{{QStringLiteral("z"), bin(a)},
                                                                   {QStringLiteral("a"),
                                                                    QJsonArray{bin(b), bin(c)}},
                                                                   {QStringLiteral("plain"), 3}}})
                                  << 5;
    QTest::newRow("ack") << packet(PacketType::Ack, kRoot, 0, QJsonArray{bin(c)}) << 6;
    QTest::newRow("ack nsp nested")
        << packet(PacketType::Ack, kAdmin, 456,
                  QJsonArray{QJsonObject{{QStringLiteral("data"), bin(a)}}, bin({})})
        << 6;
}

void TestSioBinary::binaryRoundTrip()
{
    QFETCH(Packet, packet);
    QFETCH(int, binaryType);

    const push::socketio::Encoded encoded = push::socketio::encode(packet);
    QVERIFY(!encoded.attachments.isEmpty());
    QVERIFY(!encoded.text.contains("_binary"));

    QString error;
    auto decoded = push::socketio::decode(encoded.text, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(int(decoded->packet.type), binaryType);
    QCOMPARE(decoded->packet.nsp, packet.nsp);
    QCOMPARE(decoded->packet.id, packet.id);
    QCOMPARE(decoded->attachmentCount, int(encoded.attachments.size()));

    // The attachments arrive as binary messages after the text part.
    decoded->packet.attachments = encoded.attachments;
    QVERIFY(push::socketio::reconstruct(decoded->packet));
    QCOMPARE(decoded->packet.data, packet.data);

    // Re-encoding gives the same frames.
    const push::socketio::Encoded again = push::socketio::encode(decoded->packet);
    QCOMPARE(again.text, encoded.text);
    QCOMPARE(again.attachments, encoded.attachments);
}

void TestSioBinary::reconstruct_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArrayList>("attachments");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QJsonValue>("expected");

    const QByteArray a = "AAA";
    const QByteArray b = bytes({0xff});
    QTest::newRow("one placeholder")
        << QByteArray("51-[\"x\",{\"_placeholder\":true,\"num\":0}]") << QByteArrayList{a} << true
        << QJsonValue(QJsonArray{QStringLiteral("x"), bin(a)});
    QTest::newRow("placeholders out of order")
        << QByteArray("52-[\"x\",{\"_placeholder\":true,\"num\":1},"
                      "{\"k\":{\"_placeholder\":true,\"num\":0}}]")
        << QByteArrayList{a, b} << true
        << QJsonValue(
               QJsonArray{QStringLiteral("x"), bin(b), QJsonObject{{QStringLiteral("k"), bin(a)}}});
    QTest::newRow("no placeholders") << QByteArray("50-[\"x\",1]") << QByteArrayList{} << true
                                     << QJsonValue(QJsonArray{QStringLiteral("x"), 1});
    QTest::newRow("num out of range") << QByteArray("51-[\"x\",{\"_placeholder\":true,\"num\":1}]")
                                      << QByteArrayList{a} << false << QJsonValue();
    QTest::newRow("negative num") << QByteArray("51-[\"x\",{\"_placeholder\":true,\"num\":-1}]")
                                  << QByteArrayList{a} << false << QJsonValue();
    QTest::newRow("no attachments received")
        << QByteArray("51-[\"x\",{\"_placeholder\":true,\"num\":0}]") << QByteArrayList{} << false
        << QJsonValue();
    // The reference parser throws "illegal attachments" for any object with
    // "_placeholder": true whose num is not a valid index.
    QTest::newRow("placeholder without num") << QByteArray("51-[\"x\",{\"_placeholder\":true}]")
                                             << QByteArrayList{a} << false << QJsonValue();
    QTest::newRow("placeholder with string num")
        << QByteArray("51-[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]") << QByteArrayList{a}
        << false << QJsonValue();
    QTest::newRow("placeholder with fractional num")
        << QByteArray("51-[\"x\",{\"_placeholder\":true,\"num\":0.5}]") << QByteArrayList{a}
        << false << QJsonValue();
    // Found by tests/fuzz/siopacket: a num beyond int's range was converted to int before
    // the range check (undefined behaviour, reported by -fsanitize=float-cast-overflow).
    QTest::newRow("num beyond int")
        << QByteArray("51-[\"x\",{\"_placeholder\":true,\"num\":90071992547409930}]")
        << QByteArrayList{a} << false << QJsonValue();
    QTest::newRow("num beyond double's int range")
        << QByteArray("51-[\"x\",{\"_placeholder\":true,\"num\":-1e300}]") << QByteArrayList{a}
        << false << QJsonValue();
    QTest::newRow("nested num out of range")
        << QByteArray("61-5[{\"a\":[{\"_placeholder\":true,\"num\":3}]}]") << QByteArrayList{a}
        << false << QJsonValue();
}

void TestSioBinary::reconstruct()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArrayList, attachments);
    QFETCH(bool, ok);
    QFETCH(QJsonValue, expected);

    QString error;
    auto decoded = push::socketio::decode(text, &error);
    QVERIFY2(decoded, qPrintable(error));
    decoded->packet.attachments = attachments;
    QCOMPARE(push::socketio::reconstruct(decoded->packet), ok);
    if (ok)
        QCOMPARE(decoded->packet.data, expected);
}

void TestSioBinary::binaryValue_data()
{
    QTest::addColumn<QByteArray>("data");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("one byte") << QByteArray("x");
    QTest::newRow("all byte values") << [] {
        QByteArray all;
        for (int i = 0; i < 256; ++i)
            all.append(char(i));
        return all;
    }();
}

void TestSioBinary::binaryValue()
{
    QFETCH(QByteArray, data);

    const QJsonValue value = push::socketio::binaryValue(data);
    QVERIFY(push::socketio::isBinaryValue(value));
    QCOMPARE(push::socketio::binaryBytes(value), data);

    QVERIFY(!push::socketio::isBinaryValue(QJsonValue(QString::fromLatin1(data.toBase64()))));
    QJsonObject extra = value.toObject();
    extra.insert(QStringLiteral("other"), 1);
    QVERIFY(!push::socketio::isBinaryValue(extra));
    QVERIFY(!push::socketio::isBinaryValue(QJsonArray{value}));
    QVERIFY(!push::socketio::isBinaryValue(json("{\"_binary\":1}")));
}

QTEST_APPLESS_MAIN(TestSioBinary)
#include "tst_siobinary.moc"
