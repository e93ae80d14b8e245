// Unit tests of EventCriteria: the match rule and reading criteria from JSON.
#include "shared/criteria.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using push::EventCriteria;

namespace {

QJsonObject parseObject(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

} // namespace

class TestCriteria final : public QObject
{
    Q_OBJECT

private slots:
    void matches_data();
    void matches();
    void matchesExtractedFields_data();
    void matchesExtractedFields();
    void fromJson_data();
    void fromJson();
    void fromJsonText_data();
    void fromJsonText();
    void toJsonRoundTrip();
};

void TestCriteria::matches_data()
{
    QTest::addColumn<QByteArray>("criteria");
    QTest::addColumn<QByteArray>("item");
    QTest::addColumn<bool>("expected");

    const QByteArray event = R"({"correlationId":"c-1","context":{"a":"x","n":1,"b":true,
        "z":null,"extra":"ignored"}})";

    QTest::newRow("empty criteria") << QByteArray("{}") << event << true;
    QTest::newRow("empty criteria, bare item") << QByteArray("{}") << QByteArray("{}") << true;
    QTest::newRow("correlationId equal")
        << QByteArray(R"({"correlationId":"c-1"})") << event << true;
    QTest::newRow("correlationId different")
        << QByteArray(R"({"correlationId":"c-2"})") << event << false;
    QTest::newRow("correlationId case differs")
        << QByteArray(R"({"correlationId":"C-1"})") << event << false;
    QTest::newRow("correlationId empty string means unset")
        << QByteArray(R"({"correlationId":""})") << QByteArray(R"({"correlationId":"other"})")
        << true;
    QTest::newRow("correlationId set, item has none")
        << QByteArray(R"({"correlationId":"c-1"})") << QByteArray(R"({"context":{}})") << false;
    QTest::newRow("correlationId set, item has a number")
        << QByteArray(R"({"correlationId":"1"})") << QByteArray(R"({"correlationId":1})") << false;
    QTest::newRow("context string equal")
        << QByteArray(R"({"context":{"a":"x"}})") << event << true;
    QTest::newRow("context string different")
        << QByteArray(R"({"context":{"a":"y"}})") << event << false;
    QTest::newRow("context number equal") << QByteArray(R"({"context":{"n":1}})") << event << true;
    QTest::newRow("context number as double equal")
        << QByteArray(R"({"context":{"n":1.0}})") << event << true;
    QTest::newRow("context 1 vs \"1\"") << QByteArray(R"({"context":{"n":"1"}})") << event << false;
    QTest::newRow("context \"1\" vs 1")
        << QByteArray(R"({"context":{"a":1}})") << QByteArray(R"({"context":{"a":"1"}})") << false;
    QTest::newRow("context true equal") << QByteArray(R"({"context":{"b":true}})") << event << true;
    QTest::newRow("context true vs \"true\"")
        << QByteArray(R"({"context":{"b":"true"}})") << event << false;
    QTest::newRow("context false vs true")
        << QByteArray(R"({"context":{"b":false}})") << event << false;
    QTest::newRow("context 0 vs false") << QByteArray(R"({"context":{"b":0}})")
                                        << QByteArray(R"({"context":{"b":false}})") << false;
    QTest::newRow("context null equals null")
        << QByteArray(R"({"context":{"z":null}})") << event << true;
    QTest::newRow("context null vs missing key")
        << QByteArray(R"({"context":{"missing":null}})") << event << false;
    QTest::newRow("context null vs string")
        << QByteArray(R"({"context":{"a":null}})") << event << false;
    QTest::newRow("context missing key")
        << QByteArray(R"({"context":{"q":"x"}})") << event << false;
    QTest::newRow("item without context") << QByteArray(R"({"context":{"a":"x"}})")
                                          << QByteArray(R"({"correlationId":"c-1"})") << false;
    QTest::newRow("object value never matches")
        << QByteArray(R"({"context":{"o":{"k":1}}})") << QByteArray(R"({"context":{"o":{"k":1}}})")
        << false;
    QTest::newRow("array value never matches") << QByteArray(R"({"context":{"o":[1]}})")
                                               << QByteArray(R"({"context":{"o":[1]}})") << false;
    QTest::newRow("extra event keys fine")
        << QByteArray(R"({"context":{"a":"x","n":1}})") << event << true;
    QTest::newRow("all keys must match")
        << QByteArray(R"({"context":{"a":"x","n":2}})") << event << false;
    QTest::newRow("correlationId and context both match")
        << QByteArray(R"({"correlationId":"c-1","context":{"b":true}})") << event << true;
    QTest::newRow("correlationId matches, context does not")
        << QByteArray(R"({"correlationId":"c-1","context":{"b":false}})") << event << false;
    QTest::newRow("context matches, correlationId does not")
        << QByteArray(R"({"correlationId":"c-9","context":{"b":true}})") << event << false;
}

void TestCriteria::matches()
{
    QFETCH(QByteArray, criteria);
    QFETCH(QByteArray, item);
    QFETCH(bool, expected);

    QString error;
    const auto parsed = EventCriteria::fromJsonText(criteria, &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    const QJsonObject itemObject = QJsonDocument::fromJson(item).object();
    QCOMPARE(parsed->matches(itemObject), expected);
}

void TestCriteria::matchesExtractedFields_data()
{
    QTest::addColumn<QString>("criteriaCorrelationId");
    QTest::addColumn<QJsonValue>("correlationId");
    QTest::addColumn<bool>("expected");

    QTest::newRow("unset matches null") << QString() << QJsonValue() << true;
    QTest::newRow("unset matches undefined")
        << QString() << QJsonValue(QJsonValue::Undefined) << true;
    QTest::newRow("set vs null") << QStringLiteral("c") << QJsonValue() << false;
    QTest::newRow("set vs equal string")
        << QStringLiteral("c") << QJsonValue(QStringLiteral("c")) << true;
    QTest::newRow("set vs other string")
        << QStringLiteral("c") << QJsonValue(QStringLiteral("d")) << false;
}

void TestCriteria::matchesExtractedFields()
{
    QFETCH(QString, criteriaCorrelationId);
    QFETCH(QJsonValue, correlationId);
    QFETCH(bool, expected);

    EventCriteria criteria;
    criteria.correlationId = criteriaCorrelationId;
    criteria.context = parseObject(R"({"k":"v"})");
    QCOMPARE(criteria.matches(correlationId, parseObject(R"({"k":"v"})")), expected);
    // The context rule still applies on the extracted-fields overload.
    QVERIFY(!criteria.matches(correlationId, parseObject(R"({"k":"w"})")));
}

void TestCriteria::fromJson_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("correlationId");
    QTest::addColumn<int>("contextKeys");

    QTest::newRow("empty object") << QJsonValue(QJsonObject()) << true << QString() << QString()
                                  << 0;
    QTest::newRow("missing value is no criteria")
        << QJsonValue(QJsonValue::Undefined) << true << QString() << QString() << 0;
    QTest::newRow("null is no criteria") << QJsonValue() << true << QString() << QString() << 0;
    QTest::newRow("full") << QJsonValue(parseObject(R"({"correlationId":"x","context":{"a":1,
        "b":"2"}})")) << true
                          << QString() << QStringLiteral("x") << 2;
    QTest::newRow("string is not an object")
        << QJsonValue(QStringLiteral("x")) << false
        << QStringLiteral("s.criteria must be an object") << QString() << 0;
    QTest::newRow("array is not an object")
        << QJsonValue(QJsonArray{1}) << false << QStringLiteral("s.criteria must be an object")
        << QString() << 0;
    QTest::newRow("correlationId number")
        << QJsonValue(parseObject(R"({"correlationId":5})")) << false
        << QStringLiteral("s.criteria.correlationId must be a string") << QString() << 0;
    QTest::newRow("context string")
        << QJsonValue(parseObject(R"({"context":"a=1"})")) << false
        << QStringLiteral("s.criteria.context must be an object") << QString() << 0;
    QTest::newRow("context array")
        << QJsonValue(parseObject(R"({"context":[]})")) << false
        << QStringLiteral("s.criteria.context must be an object") << QString() << 0;
}

void TestCriteria::fromJson()
{
    QFETCH(QJsonValue, value);
    QFETCH(bool, ok);
    QFETCH(QString, error);
    QFETCH(QString, correlationId);
    QFETCH(int, contextKeys);

    QString actualError;
    const auto criteria =
        EventCriteria::fromJson(value, QStringLiteral("s.criteria"), &actualError);
    QCOMPARE(criteria.has_value(), ok);
    QCOMPARE(actualError, error);
    if (ok) {
        QCOMPARE(criteria->correlationId, correlationId);
        QCOMPARE(criteria->context.size(), contextKeys);
    }
}

void TestCriteria::fromJsonText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("errorStart");

    QTest::newRow("empty text") << QByteArray() << true << QString();
    QTest::newRow("null") << QByteArray("null") << true << QString();
    QTest::newRow("object") << QByteArray(R"({"context":{"a":"b"}})") << true << QString();
    QTest::newRow("whitespace around object")
        << QByteArray(" {\"correlationId\":\"x\"} ") << true << QString();
    QTest::newRow("truncated json")
        << QByteArray(R"({"context":)") << false << QStringLiteral("criteria is not valid JSON");
    QTest::newRow("not json") << QByteArray("context=a") << false
                              << QStringLiteral("criteria is not valid JSON");
    QTest::newRow("array") << QByteArray("[1]") << false
                           << QStringLiteral("criteria must be an object");
    QTest::newRow("bad correlationId") << QByteArray(R"({"correlationId":true})") << false
                                       << QStringLiteral("criteria.correlationId must be a string");
    QTest::newRow("bad context") << QByteArray(R"({"context":1})") << false
                                 << QStringLiteral("criteria.context must be an object");
}

void TestCriteria::fromJsonText()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);
    QFETCH(QString, errorStart);

    QString error;
    const auto criteria = EventCriteria::fromJsonText(text, &error);
    QCOMPARE(criteria.has_value(), ok);
    if (ok)
        QVERIFY(error.isEmpty());
    else
        QVERIFY2(error.startsWith(errorStart), qPrintable(error));
}

void TestCriteria::toJsonRoundTrip()
{
    EventCriteria empty;
    QVERIFY(empty.isEmpty());
    QCOMPARE(empty.toJson(), QJsonObject());

    EventCriteria criteria;
    criteria.correlationId = QStringLiteral("abc");
    criteria.context = parseObject(R"({"n":1,"s":"t"})");
    QVERIFY(!criteria.isEmpty());
    const QJsonObject json = criteria.toJson();
    QCOMPARE(json.value(QLatin1String("correlationId")).toString(), QStringLiteral("abc"));
    QCOMPARE(json.value(QLatin1String("context")).toObject(), criteria.context);

    QString error;
    const auto back = EventCriteria::fromJson(json, QString(), &error);
    QVERIFY(back.has_value());
    QCOMPARE(back->correlationId, criteria.correlationId);
    QCOMPARE(back->context, criteria.context);

    EventCriteria contextOnly;
    contextOnly.context = parseObject(R"({"a":true})");
    QVERIFY(!contextOnly.toJson().contains(QLatin1String("correlationId")));
}

QTEST_APPLESS_MAIN(TestCriteria)
#include "tst_criteria.moc"
