// console::keyvalue, the editors' "key=value, key2=value2" text: formatting and parsing of
// projection maps (string paths) and criteria context (JSON scalars), their round trips,
// quoting of commas, quotes and look-alike values, and the errors for malformed text.
#include "client/keyvalue.h"

#include <QJsonValue>
#include <QtTest>

using Map = QList<std::pair<QString, QString>>;
namespace kv = console::keyvalue;

class TestKeyValue : public QObject
{
    Q_OBJECT

private slots:
    void emptyText();
    void formatMapPlain();
    void formatMapQuotesWhatNeedsIt();
    void parseMapTrimsAndSkipsEmptyItems();
    void parseMapUnquotesJsonStrings();
    void parseMapErrors_data();
    void parseMapErrors();
    void mapRoundTrip_data();
    void mapRoundTrip();
    void formatContextTypes();
    void parseContextTypes();
    void parseContextErrors_data();
    void parseContextErrors();
    void contextRoundTrip_data();
    void contextRoundTrip();
};

void TestKeyValue::emptyText()
{
    QString error;
    QCOMPARE(kv::formatMap({}), QString());
    QCOMPARE(kv::formatContext({}), QString());
    const auto map = kv::parseMap(QString(), &error);
    QVERIFY(map);
    QVERIFY(map->isEmpty());
    const auto blank = kv::parseMap(QStringLiteral(" , ,  "), &error);
    QVERIFY(blank);
    QVERIFY(blank->isEmpty());
    const auto context = kv::parseContext(QString(), &error);
    QVERIFY(context);
    QVERIFY(context->isEmpty());
}

void TestKeyValue::formatMapPlain()
{
    const Map map{{"title", "payload.title"}, {"id", "id"}};
    QCOMPARE(kv::formatMap(map), QStringLiteral("title=payload.title, id=id"));
}

void TestKeyValue::formatMapQuotesWhatNeedsIt()
{
    QCOMPARE(kv::formatMap({{"a", "x,y"}}), QStringLiteral("a=\"x,y\""));
    QCOMPARE(kv::formatMap({{"a", " padded"}}), QStringLiteral("a=\" padded\""));
    QCOMPARE(kv::formatMap({{"a", "\"q\""}}), QStringLiteral("a=\"\\\"q\\\"\""));
    QCOMPARE(kv::formatMap({{"a", ""}}), QStringLiteral("a=\"\""));
    // Inside a value quotes and backslashes are only escaped when the value is quoted.
    QCOMPARE(kv::formatMap({{"a", "x\"y\\z"}}), QStringLiteral("a=x\"y\\z"));
}

void TestKeyValue::parseMapTrimsAndSkipsEmptyItems()
{
    QString error;
    const auto map = kv::parseMap(QStringLiteral("  a = b.c ,, d=e,  "), &error);
    QVERIFY2(map, qPrintable(error));
    QCOMPARE(*map, (Map{{"a", "b.c"}, {"d", "e"}}));
}

void TestKeyValue::parseMapUnquotesJsonStrings()
{
    QString error;
    const auto map =
        kv::parseMap(QStringLiteral(R"(a="x, y", b="say \"hi\"", c="tab\tend", d=plain)"), &error);
    QVERIFY2(map, qPrintable(error));
    QCOMPARE(*map, (Map{{"a", "x, y"}, {"b", "say \"hi\""}, {"c", "tab\tend"}, {"d", "plain"}}));
}

void TestKeyValue::parseMapErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("no '='") << "a";
    QTest::newRow("no key") << "=b";
    QTest::newRow("empty value") << "a=";
    QTest::newRow("empty quoted value") << "a=\"\"";
    QTest::newRow("unterminated quote") << "a=\"x";
    QTest::newRow("quote then text") << "a=\"x\"y";
    QTest::newRow("second item bad") << "a=b, c";
}

void TestKeyValue::parseMapErrors()
{
    QFETCH(QString, text);
    QString error;
    QVERIFY(!kv::parseMap(text, &error));
    QVERIFY(!error.isEmpty());
}

void TestKeyValue::mapRoundTrip_data()
{
    QTest::addColumn<Map>("map");
    QTest::newRow("plain") << Map{{"title", "payload.title"}, {"n", "meta.n"}};
    QTest::newRow("comma") << Map{{"a", "x,y"}, {"b", "z"}};
    QTest::newRow("spaces") << Map{{"a", " x "}, {"b", "y z"}};
    QTest::newRow("quotes") << Map{{"a", "\"x\""}, {"b", "x\"y"}};
    QTest::newRow("backslash") << Map{{"a", "x\\y"}, {"b", "\\"}};
    QTest::newRow("unicode") << Map{{"titre", "données.é"}};
    QTest::newRow("equals in value") << Map{{"a", "x=y"}};
    // A value ending in a backslash is quoted as "...\\": that quote still closes it.
    QTest::newRow("backslash before a closing quote") << Map{{"a", "x,y\\"}, {"b", "c"}};
    // A quote inside a plain value is an ordinary character, not the start of a string.
    QTest::newRow("quote inside a plain value") << Map{{"a", "x\"y"}, {"b", "c"}};
}

void TestKeyValue::mapRoundTrip()
{
    QFETCH(Map, map);
    const QString text = kv::formatMap(map);
    QString error;
    const auto parsed = kv::parseMap(text, &error);
    QVERIFY2(parsed, qPrintable(text + QStringLiteral(": ") + error));
    QCOMPARE(*parsed, map);
}

void TestKeyValue::formatContextTypes()
{
    const QJsonObject context{{"env", "prod"}, {"n", 1},
                              {"flag", true},  {"none", QJsonValue::Null},
                              {"s", "1"},      {"t", "true"}};
    // QJsonObject keeps its keys sorted.
    QCOMPARE(kv::formatContext(context),
             QStringLiteral("env=prod, flag=true, n=1, none=null, s=\"1\", t=\"true\""));
    QCOMPARE(kv::formatContext({{"x", 2.5}, {"y", "a,b"}, {"z", ""}}),
             QStringLiteral("x=2.5, y=\"a,b\", z=\"\""));
}

void TestKeyValue::parseContextTypes()
{
    QString error;
    const auto context = kv::parseContext(
        QStringLiteral(R"(env=prod, n=1, x=-2.5, flag=false, none=null, s="1", q="a, b")"), &error);
    QVERIFY2(context, qPrintable(error));
    QCOMPARE(context->value("env"), QJsonValue("prod"));
    QCOMPARE(context->value("n"), QJsonValue(1));
    QCOMPARE(context->value("x"), QJsonValue(-2.5));
    QCOMPARE(context->value("flag"), QJsonValue(false));
    QVERIFY(context->contains("none"));
    QVERIFY(context->value("none").isNull());
    QCOMPARE(context->value("s"), QJsonValue("1"));
    QCOMPARE(context->value("q"), QJsonValue("a, b"));
    QCOMPARE(context->size(), 7);
}

void TestKeyValue::parseContextErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("no '='") << "a";
    QTest::newRow("no key") << "=1";
    QTest::newRow("array") << "a=[1]";
    QTest::newRow("object") << "a={\"b\":1}";
    QTest::newRow("unterminated quote") << "a=\"x";
    QTest::newRow("second item bad") << "a=1, b";
}

void TestKeyValue::parseContextErrors()
{
    QFETCH(QString, text);
    QString error;
    QVERIFY(!kv::parseContext(text, &error));
    QVERIFY(!error.isEmpty());
}

void TestKeyValue::contextRoundTrip_data()
{
    QTest::addColumn<QJsonObject>("context");
    QTest::newRow("scalars") << QJsonObject{
        {"a", "prod"}, {"b", 3}, {"c", true}, {"d", QJsonValue::Null}, {"e", 0.25}};
    QTest::newRow("look-alike strings")
        << QJsonObject{{"a", "1"}, {"b", "false"}, {"c", "null"}, {"d", "-0.5"}};
    QTest::newRow("quoting") << QJsonObject{
        {"a", "x,y"}, {"b", " pad "}, {"c", ""}, {"d", "\"q\""}, {"e", "back\\slash"}};
    QTest::newRow("quote inside a plain value") << QJsonObject{{"a", "x\"y"}, {"b", "c"}};
    QTest::newRow("backslash before a closing quote") << QJsonObject{{"a", "x,y\\"}, {"b", "c"}};
    // Strings that read as JSON arrays or objects are quoted, their quotes escaped.
    QTest::newRow("JSON-looking strings")
        << QJsonObject{{"a", "{\"k\":1}"}, {"b", "[\"x\"]"}, {"c", "[1, 2]"}};
}

void TestKeyValue::contextRoundTrip()
{
    QFETCH(QJsonObject, context);
    const QString text = kv::formatContext(context);
    QString error;
    const auto parsed = kv::parseContext(text, &error);
    QVERIFY2(parsed, qPrintable(text + QStringLiteral(": ") + error));
    QCOMPARE(*parsed, context);
}

QTEST_GUILESS_MAIN(TestKeyValue)
#include "tst_keyvalue.moc"
