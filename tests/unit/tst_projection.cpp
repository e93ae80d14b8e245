// Unit tests of the projection a subscriber receives and of the lodash-style path lookup.
#include "shared/stream.h"
#include "shared/tenant.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "testjson.h"
#include <QTimeZone>

using push::DomainEvent;
using push::StreamEvent;

namespace {

using push::test::parseObject;

DomainEvent sampleEvent(bool withCorrelationAndContext)
{
    DomainEvent event;
    event.tenantId = push::tenantUrn(QStringLiteral("demo"));
    event.eventNamespace = QStringLiteral("form-service");
    event.name = QStringLiteral("form-submitted");
    event.timestamp = QDateTime(QDate(2026, 11, 26), QTime(20, 25, 3, 45), QTimeZone::utc());
    if (withCorrelationAndContext) {
        event.correlationId = QStringLiteral("corr-7");
        event.context = parseObject(R"({"formId":"f-1","count":3})");
    }
    event.payload = parseObject(R"({
        "a": {"b": {"c": "deep"}},
        "items": [{"id": "first"}, {"id": "second", "tags": ["x", "y"]}],
        "dotted.key": "dk",
        "0": "zero-key",
        "nothing": null,
        "flag": false
    })");
    return event;
}

StreamEvent withMap(const QList<std::pair<QString, QString>> &map)
{
    StreamEvent streamEvent;
    streamEvent.eventNamespace = QStringLiteral("form-service");
    streamEvent.name = QStringLiteral("form-submitted");
    streamEvent.map = map;
    return streamEvent;
}

} // namespace

class TestProjection final : public QObject
{
    Q_OBJECT

private slots:
    void noMapIsWholeEvent();
    void mappedValues_data();
    void mappedValues();
    void baseFields_data();
    void baseFields();
    void mapCanOverrideBaseField();
    void valueAtPath_data();
    void valueAtPath();
};

void TestProjection::noMapIsWholeEvent()
{
    const DomainEvent event = sampleEvent(true);
    const QJsonObject item = push::project(withMap({}), event);
    QCOMPARE(item, event.toJson());
    QCOMPARE(item.value(QLatin1String("payload")).toObject().value(QLatin1String("flag")),
             QJsonValue(false));
    QCOMPARE(item.value(QLatin1String("timestamp")).toString(),
             QStringLiteral("2026-11-26T20:25:03.045Z"));
}

void TestProjection::mappedValues_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("present");
    QTest::addColumn<QJsonValue>("expected");

    QTest::newRow("nested") << "payload.a.b.c" << true << QJsonValue(QStringLiteral("deep"));
    QTest::newRow("nested object")
        << "payload.a.b" << true << QJsonValue(parseObject(R"({"c":"deep"})"));
    QTest::newRow("array index") << "payload.items[1].id" << true
                                 << QJsonValue(QStringLiteral("second"));
    QTest::newRow("numeric dot segment")
        << "payload.items.0.id" << true << QJsonValue(QStringLiteral("first"));
    QTest::newRow("double quoted key")
        << R"(payload["dotted.key"])" << true << QJsonValue(QStringLiteral("dk"));
    QTest::newRow("single quoted key")
        << "payload['dotted.key']" << true << QJsonValue(QStringLiteral("dk"));
    QTest::newRow("context value") << "context.count" << true << QJsonValue(3);
    QTest::newRow("top-level field")
        << "name" << true << QJsonValue(QStringLiteral("form-submitted"));
    QTest::newRow("timestamp") << "timestamp" << true
                               << QJsonValue(QStringLiteral("2026-11-26T20:25:03.045Z"));
    QTest::newRow("null value kept") << "payload.nothing" << true << QJsonValue();
    QTest::newRow("false value kept") << "payload.flag" << true << QJsonValue(false);
    QTest::newRow("missing key left out") << "payload.a.x" << false << QJsonValue();
    QTest::newRow("index out of range left out") << "payload.items[5].id" << false << QJsonValue();
    QTest::newRow("through a scalar left out") << "payload.a.b.c.d" << false << QJsonValue();
    QTest::newRow("malformed left out") << "payload..a" << false << QJsonValue();
}

void TestProjection::mappedValues()
{
    QFETCH(QString, path);
    QFETCH(bool, present);
    QFETCH(QJsonValue, expected);

    const QJsonObject item =
        push::project(withMap({{QStringLiteral("value"), path}}), sampleEvent(true));
    QCOMPARE(item.contains(QLatin1String("value")), present);
    if (present)
        QCOMPARE(item.value(QLatin1String("value")), expected);
    // Only the base fields and the mapped key: never the payload or timestamp.
    QVERIFY(!item.contains(QLatin1String("payload")));
    QVERIFY(!item.contains(QLatin1String("timestamp")));
}

void TestProjection::baseFields_data()
{
    QTest::addColumn<bool>("withCorrelationAndContext");
    QTest::addColumn<QStringList>("keys");

    QTest::newRow("event with correlationId and context")
        << true << QStringList{"context", "correlationId", "id", "name", "namespace", "tenantId"};
    QTest::newRow("event without them")
        << false << QStringList{"id", "name", "namespace", "tenantId"};
}

void TestProjection::baseFields()
{
    QFETCH(bool, withCorrelationAndContext);
    QFETCH(QStringList, keys);

    const DomainEvent event = sampleEvent(withCorrelationAndContext);
    const QJsonObject item = push::project(
        withMap({{QStringLiteral("id"), QStringLiteral("payload.items[0].id")}}), event);
    QCOMPARE(item.keys(), keys);
    QCOMPARE(item.value(QLatin1String("tenantId")).toString(),
             QStringLiteral("urn:ads:platform:tenant-service:v2:/tenants/demo"));
    QCOMPARE(item.value(QLatin1String("namespace")).toString(), QStringLiteral("form-service"));
    QCOMPARE(item.value(QLatin1String("name")).toString(), QStringLiteral("form-submitted"));
    QCOMPARE(item.value(QLatin1String("id")).toString(), QStringLiteral("first"));
    if (withCorrelationAndContext) {
        QCOMPARE(item.value(QLatin1String("correlationId")).toString(), QStringLiteral("corr-7"));
        QCOMPARE(item.value(QLatin1String("context")).toObject(), event.context);
    }
}

void TestProjection::mapCanOverrideBaseField()
{
    const QJsonObject item =
        push::project(withMap({{QStringLiteral("name"), QStringLiteral("payload.a.b.c")},
                               {QStringLiteral("correlationId"), QStringLiteral("payload.none")}}),
                      sampleEvent(true));
    QCOMPARE(item.value(QLatin1String("name")).toString(), QStringLiteral("deep"));
    // As in JavaScript: a key mapped to nothing is undefined, so it is left out.
    QVERIFY(!item.contains(QLatin1String("correlationId")));
}

void TestProjection::valueAtPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("found");
    QTest::addColumn<QJsonValue>("expected");

    const auto s = [](const char *text) { return QJsonValue(QString::fromUtf8(text)); };
    QTest::newRow("single key") << "k" << true << s("v");
    QTest::newRow("dot path") << "a.b.c" << true << s("deep");
    QTest::newRow("bracket index") << "items[1].id" << true << s("second");
    QTest::newRow("nested indices") << "items[1].tags[0]" << true << s("x");
    QTest::newRow("index then index") << "grid[1][0]" << true << QJsonValue(3);
    QTest::newRow("numeric dot index") << "items.1.tags.1" << true << s("y");
    QTest::newRow("leading bracket") << "[\"k\"]" << true << s("v");
    QTest::newRow("double quoted") << R"(["with.dot"])" << true << s("wd");
    QTest::newRow("single quoted") << "['with.dot']" << true << s("wd");
    QTest::newRow("quoted key with bracket") << R"(["a]b"])" << true << s("ab");
    QTest::newRow("quoted key with escaped quote") << R"(["q\"q"])" << true << s("qq");
    QTest::newRow("unquoted bracket key") << "a[b].c" << true << s("deep");
    QTest::newRow("numeric key on object") << "obj.0" << true << s("zero");
    QTest::newRow("bracket numeric key on object") << "obj[0]" << true << s("zero");
    QTest::newRow("quoted index on array") << "items[\"0\"].id" << true << s("first");
    QTest::newRow("null resolves to null") << "n" << true << QJsonValue();
    QTest::newRow("into null is nothing") << "n.x" << false << QJsonValue();
    QTest::newRow("missing key") << "a.x" << false << QJsonValue();
    QTest::newRow("index out of range") << "items[2]" << false << QJsonValue();
    QTest::newRow("negative index") << "items[-1]" << false << QJsonValue();
    QTest::newRow("leading zero index") << "items[01]" << false << QJsonValue();
    QTest::newRow("key on array") << "items.id" << false << QJsonValue();
    QTest::newRow("through a string") << "k.length" << false << QJsonValue();
    QTest::newRow("empty path") << "" << false << QJsonValue();
    QTest::newRow("empty segment") << "a..b" << false << QJsonValue();
    QTest::newRow("leading dot") << ".a" << false << QJsonValue();
    QTest::newRow("trailing dot") << "a." << false << QJsonValue();
    QTest::newRow("unclosed bracket") << "items[0" << false << QJsonValue();
    QTest::newRow("unopened bracket") << "items0]" << false << QJsonValue();
    QTest::newRow("empty brackets") << "items[]" << false << QJsonValue();
    QTest::newRow("empty brackets, object has empty key") << "[]" << false << QJsonValue();
    QTest::newRow("dot before bracket") << "items.[0]" << false << QJsonValue();
    QTest::newRow("unclosed quote") << "[\"k]" << false << QJsonValue();
    QTest::newRow("quote without bracket close") << "[\"k\"" << false << QJsonValue();
    QTest::newRow("text after bracket") << "items[0]id" << false << QJsonValue();
    QTest::newRow("nested open bracket") << "items[[0]]" << false << QJsonValue();
}

void TestProjection::valueAtPath()
{
    QFETCH(QString, path);
    QFETCH(bool, found);
    QFETCH(QJsonValue, expected);

    const QJsonObject root = parseObject(R"({
        "k": "v",
        "a": {"b": {"c": "deep"}},
        "items": [{"id": "first"}, {"id": "second", "tags": ["x", "y"]}],
        "grid": [[1, 2], [3, 4]],
        "with.dot": "wd",
        "a]b": "ab",
        "q\"q": "qq",
        "obj": {"0": "zero"},
        "n": null,
        "": "empty key"
    })");
    const std::optional<QJsonValue> value = push::valueAtPath(root, path);
    QCOMPARE(value.has_value(), found);
    if (found)
        QCOMPARE(*value, expected);
}

QTEST_APPLESS_MAIN(TestProjection)
#include "tst_projection.moc"
