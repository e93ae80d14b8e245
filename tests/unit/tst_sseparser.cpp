#include "shared/sseparser.h"

#include <QTest>

using push::SseParser;

class TestSseParser final : public QObject
{
    Q_OBJECT

private slots:
    void parses_data();
    void parses();
    void splitAnywhereReadsTheSame();
};

void TestSseParser::parses_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QStringList>("types");
    QTest::addColumn<QList<QByteArray>>("data");
    QTest::addColumn<QList<QByteArray>>("ids");
    QTest::addColumn<QList<QByteArray>>("comments");

    QTest::newRow("one event") << QByteArray("id: 1\ndata: {\"a\":1}\n\n")
                               << QStringList{QStringLiteral("message")}
                               << QList<QByteArray>{"{\"a\":1}"} << QList<QByteArray>{"1"}
                               << QList<QByteArray>{};
    QTest::newRow("data lines joined with \\n")
        << QByteArray("data: a\ndata: b\ndata:c\n\n") << QStringList{QStringLiteral("message")}
        << QList<QByteArray>{"a\nb\nc"} << QList<QByteArray>{QByteArray()} << QList<QByteArray>{};
    QTest::newRow("CRLF lines") << QByteArray("event: ready\r\ndata: x\r\n\r\n")
                                << QStringList{QStringLiteral("ready")} << QList<QByteArray>{"x"}
                                << QList<QByteArray>{QByteArray()} << QList<QByteArray>{};
    QTest::newRow("comments apart, no event without data")
        << QByteArray(": keep-alive\n\n: closed: gone\n\n") << QStringList{} << QList<QByteArray>{}
        << QList<QByteArray>{} << QList<QByteArray>{"keep-alive", "closed: gone"};
    QTest::newRow("empty data is an event")
        << QByteArray("data:\n\n") << QStringList{QStringLiteral("message")}
        << QList<QByteArray>{""} << QList<QByteArray>{QByteArray()} << QList<QByteArray>{};
    QTest::newRow("unfinished event not dispatched")
        << QByteArray("data: a\n\ndata: b\n") << QStringList{QStringLiteral("message")}
        << QList<QByteArray>{"a"} << QList<QByteArray>{QByteArray()} << QList<QByteArray>{};
    QTest::newRow("unknown fields ignored")
        << QByteArray("retry: 10\nfoo\ndata: a\n\n") << QStringList{QStringLiteral("message")}
        << QList<QByteArray>{"a"} << QList<QByteArray>{QByteArray()} << QList<QByteArray>{};
}

void TestSseParser::parses()
{
    QFETCH(QByteArray, stream);
    QFETCH(QStringList, types);
    QFETCH(QList<QByteArray>, data);
    QFETCH(QList<QByteArray>, ids);
    QFETCH(QList<QByteArray>, comments);

    SseParser parser;
    parser.feed(stream);
    const QList<SseParser::Event> events = parser.takeEvents();
    QCOMPARE(events.size(), types.size());
    for (qsizetype i = 0; i < events.size(); ++i) {
        QCOMPARE(events.at(i).type, types.at(i));
        QCOMPARE(events.at(i).data, data.at(i));
        QCOMPARE(events.at(i).id, ids.at(i));
    }
    QCOMPARE(parser.takeComments(), comments);
    QVERIFY(parser.takeEvents().isEmpty()); // taken once
}

void TestSseParser::splitAnywhereReadsTheSame()
{
    const QByteArray stream = "event: a\r\nid: 7\r\ndata: x\r\ndata: y\r\n\r\n: c\n\ndata: z\n\n";
    for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
        SseParser parser;
        parser.feed(stream.left(cut));
        QList<SseParser::Event> events = parser.takeEvents();
        parser.feed(stream.mid(cut));
        events += parser.takeEvents();
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(0).type, QStringLiteral("a"));
        QCOMPARE(events.at(0).id, QByteArray("7"));
        QCOMPARE(events.at(0).data, QByteArray("x\ny"));
        QCOMPARE(events.at(1).data, QByteArray("z"));
        QCOMPARE(parser.takeComments(), QList<QByteArray>{"c"});
    }
}

QTEST_APPLESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
