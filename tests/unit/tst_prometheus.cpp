// console::parsePrometheus / sumOf (the dashboard's reading of GET /metrics): names,
// labels with escapes, comments, timestamps, special values, malformed lines, and sums
// over label matches.
#include "client/prometheus.h"

#include <QtTest>

#include <cmath>

using console::Sample;

class TestPrometheus : public QObject
{
    Q_OBJECT

private slots:
    void emptyInput();
    void commentsAndBlankLinesAreSkipped();
    void sampleWithoutLabels();
    void labels();
    void labelEscapes();
    void labelValueWithBracesAndCommas();
    void trailingCommaAndSpaces();
    void timestampIsIgnored();
    void specialValues();
    void malformedLinesAreDropped();
    void windowsLineEnds();
    void sumOfMatchesNameAndLabels();
};

void TestPrometheus::emptyInput()
{
    QVERIFY(console::parsePrometheus(QByteArray()).isEmpty());
    QVERIFY(console::parsePrometheus("\n\n   \n").isEmpty());
    QCOMPARE(console::sumOf({}, "x"), 0.0);
}

void TestPrometheus::commentsAndBlankLinesAreSkipped()
{
    const QList<Sample> samples =
        console::parsePrometheus("# HELP push_http_connections Open HTTP connections.\n"
                                 "# TYPE push_http_connections gauge\n"
                                 "\n"
                                 "push_http_connections 3\n");
    QCOMPARE(samples.size(), 1);
    QCOMPARE(samples.first().name, QStringLiteral("push_http_connections"));
    QVERIFY(samples.first().labels.isEmpty());
    QCOMPARE(samples.first().value, 3.0);
}

void TestPrometheus::sampleWithoutLabels()
{
    const QList<Sample> samples = console::parsePrometheus("a 1\nb -2.5\nc 1e3");
    QCOMPARE(samples.size(), 3);
    QCOMPARE(samples.at(0).value, 1.0);
    QCOMPARE(samples.at(1).name, QStringLiteral("b"));
    QCOMPARE(samples.at(1).value, -2.5);
    QCOMPARE(samples.at(2).value, 1000.0); // no newline after the last line
}

void TestPrometheus::labels()
{
    const QList<Sample> samples =
        console::parsePrometheus("push_subscriptions{transport=\"sse\",tenant=\"acme\"} 7\n"
                                 "push_subscriptions{transport=\"socketio\",tenant=\"acme\"} 2\n");
    QCOMPARE(samples.size(), 2);
    const QHash<QString, QString> first{{"transport", "sse"}, {"tenant", "acme"}};
    QCOMPARE(samples.at(0).name, QStringLiteral("push_subscriptions"));
    QCOMPARE(samples.at(0).labels, first);
    QCOMPARE(samples.at(0).value, 7.0);
    QCOMPARE(samples.at(1).labels.value("transport"), QStringLiteral("socketio"));
    QCOMPARE(samples.at(1).value, 2.0);
}

void TestPrometheus::labelEscapes()
{
    // The exposition format escapes \, " and newline in label values.
    const QList<Sample> samples =
        console::parsePrometheus(R"(m{path="C:\\dir",quote="say \"hi\"",nl="a\nb"} 1)");
    QCOMPARE(samples.size(), 1);
    QCOMPARE(samples.first().labels.value("path"), QStringLiteral("C:\\dir"));
    QCOMPARE(samples.first().labels.value("quote"), QStringLiteral("say \"hi\""));
    QCOMPARE(samples.first().labels.value("nl"), QStringLiteral("a\nb"));
    QCOMPARE(samples.first().value, 1.0);
}

void TestPrometheus::labelValueWithBracesAndCommas()
{
    const QList<Sample> samples =
        console::parsePrometheus("m{reason=\"a} b, c=\\\"d\",code=\"500\"} 4\n");
    QCOMPARE(samples.size(), 1);
    QCOMPARE(samples.first().labels.value("reason"), QStringLiteral("a} b, c=\"d"));
    QCOMPARE(samples.first().labels.value("code"), QStringLiteral("500"));
    QCOMPARE(samples.first().value, 4.0);
}

void TestPrometheus::trailingCommaAndSpaces()
{
    const QList<Sample> samples =
        console::parsePrometheus("  m{a=\"1\",b=\"2\",}    5   \nn{} 6\n");
    QCOMPARE(samples.size(), 2);
    QCOMPARE(samples.at(0).labels.size(), 2);
    QCOMPARE(samples.at(0).labels.value("b"), QStringLiteral("2"));
    QCOMPARE(samples.at(0).value, 5.0);
    QCOMPARE(samples.at(1).name, QStringLiteral("n"));
    QVERIFY(samples.at(1).labels.isEmpty());
    QCOMPARE(samples.at(1).value, 6.0);
}

void TestPrometheus::timestampIsIgnored()
{
    const QList<Sample> samples =
        console::parsePrometheus("m{a=\"x\"} 12 1700000000000\nn 3 1700000000000\n");
    QCOMPARE(samples.size(), 2);
    QCOMPARE(samples.at(0).value, 12.0);
    QCOMPARE(samples.at(1).value, 3.0);
}

void TestPrometheus::specialValues()
{
    const QList<Sample> samples =
        console::parsePrometheus("h_bucket{le=\"+Inf\"} +Inf\nh_bucket{le=\"0.5\"} 0\n");
    QCOMPARE(samples.size(), 2);
    QCOMPARE(samples.at(0).labels.value("le"), QStringLiteral("+Inf"));
    QVERIFY(std::isinf(samples.at(0).value) && samples.at(0).value > 0);
    QCOMPARE(samples.at(1).value, 0.0);
}

void TestPrometheus::malformedLinesAreDropped()
{
    const QList<Sample> samples = console::parsePrometheus("no_value\n"
                                                           "bad_value abc\n"
                                                           "unquoted{a=b} 1\n"
                                                           "good 2\n"
                                                           "{} 3\n");
    // Only lines with a number survive; a name is not required by the parser.
    QStringList names;
    for (const Sample &sample : samples)
        names.append(sample.name);
    QVERIFY(names.contains("good"));
    QVERIFY(!names.contains("no_value"));
    QVERIFY(!names.contains("bad_value"));
    QVERIFY(!names.contains("unquoted"));
    QCOMPARE(console::sumOf(samples, "good"), 2.0);
}

void TestPrometheus::windowsLineEnds()
{
    const QList<Sample> samples = console::parsePrometheus("a 1\r\nb{x=\"y\"} 2\r\n");
    QCOMPARE(samples.size(), 2);
    QCOMPARE(samples.at(0).value, 1.0);
    QCOMPARE(samples.at(1).labels.value("x"), QStringLiteral("y"));
    QCOMPARE(samples.at(1).value, 2.0);
}

void TestPrometheus::sumOfMatchesNameAndLabels()
{
    const QList<Sample> samples =
        console::parsePrometheus("push_subscriptions{transport=\"sse\",tenant=\"a\"} 3\n"
                                 "push_subscriptions{transport=\"sse\",tenant=\"b\"} 4\n"
                                 "push_subscriptions{transport=\"socketio\",tenant=\"a\"} 5\n"
                                 "push_subscriptions_total 100\n"
                                 "push_disconnects_total{reason=\"timeout\"} 1.5\n");
    QCOMPARE(console::sumOf(samples, "push_subscriptions"), 12.0);
    QCOMPARE(console::sumOf(samples, "push_subscriptions", {{"transport", "sse"}}), 7.0);
    QCOMPARE(
        console::sumOf(samples, "push_subscriptions", {{"transport", "socketio"}, {"tenant", "a"}}),
        5.0);
    QCOMPARE(console::sumOf(samples, "push_subscriptions", {{"tenant", "c"}}), 0.0);
    QCOMPARE(console::sumOf(samples, "push_disconnects_total", {{"reason", "timeout"}}), 1.5);
    // A label the sample does not have matches only an empty value.
    QCOMPARE(console::sumOf(samples, "push_subscriptions_total", {{"tenant", "a"}}), 0.0);
    QCOMPARE(console::sumOf(samples, "missing"), 0.0);
}

QTEST_GUILESS_MAIN(TestPrometheus)
#include "tst_prometheus.moc"
