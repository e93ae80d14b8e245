// Unit tests of streams: which events a stream carries, combining core and tenant streams,
// the JSON shapes, and reading domain events.
#include "shared/configuration.h"
#include "shared/stream.h"
#include "shared/tenant.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "testjson.h"
#include <QTimeZone>

using push::DomainEvent;
using push::Stream;

namespace {

using push::test::parseObject;

// Events: [0] form-service:form-submitted with criteria context.formId == "f-1",
//         [1] form-service:form-submitted (no criteria),
//         [2] status-service:health-check-started with correlationId "app-1".
Stream sampleStream()
{
    return Stream::fromJson(parseObject(R"({
        "id": "forms", "name": "Forms", "description": "Form events",
        "publicSubscribe": true, "subscriberRoles": ["form-reader", "auditor"],
        "events": [
            {"namespace": "form-service", "name": "form-submitted",
             "map": {"id": "payload.id"}, "criteria": {"context": {"formId": "f-1"}}},
            {"namespace": "form-service", "name": "form-submitted"},
            {"namespace": "status-service", "name": "health-check-started",
             "criteria": {"correlationId": "app-1"}}
        ]
    })"));
}

DomainEvent makeEvent(const QString &tenant, const QString &eventNamespace, const QString &name,
                      const QString &correlationId, const QJsonObject &context)
{
    DomainEvent event;
    event.tenantId = push::tenantUrn(tenant);
    event.eventNamespace = eventNamespace;
    event.name = name;
    event.timestamp = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), QTimeZone::utc());
    event.correlationId = correlationId;
    event.context = context;
    event.payload = QJsonObject{{QStringLiteral("id"), QStringLiteral("p-1")}};
    return event;
}

Stream namedStream(const QString &id, const QString &name)
{
    Stream stream;
    stream.id = id;
    stream.name = name;
    return stream;
}

} // namespace

class TestStreams final : public QObject
{
    Q_OBJECT

private slots:
    void fromJsonReadsEverything();
    void match_data();
    void match();
    void combineStreamsCoreWins();
    void streamsFromConfigurationSkipsWebhooks();
    void streamToJson();
    void domainEventFromJson_data();
    void domainEventFromJson();
    void domainEventTimestamps_data();
    void domainEventTimestamps();
    void domainEventToJson();
};

void TestStreams::fromJsonReadsEverything()
{
    const Stream stream = sampleStream();
    QCOMPARE(stream.id, QStringLiteral("forms"));
    QCOMPARE(stream.name, QStringLiteral("Forms"));
    QCOMPARE(stream.description, QStringLiteral("Form events"));
    QVERIFY(stream.publicSubscribe);
    QCOMPARE(stream.subscriberRoles, QStringList({"form-reader", "auditor"}));
    QCOMPARE(stream.events.size(), 3);
    QCOMPARE(stream.events[0].map.size(), 1);
    QCOMPARE(stream.events[0].map[0].first, QStringLiteral("id"));
    QCOMPARE(stream.events[0].map[0].second, QStringLiteral("payload.id"));
    QCOMPARE(stream.events[0].criteria.context.value(QLatin1String("formId")).toString(),
             QStringLiteral("f-1"));
    QVERIFY(stream.events[1].criteria.isEmpty());
    QCOMPARE(stream.events[2].criteria.correlationId, QStringLiteral("app-1"));

    const Stream bare = Stream::fromJson(parseObject(R"({"id":"b","name":"B"})"));
    QVERIFY(bare.events.isEmpty());
    QVERIFY(bare.subscriberRoles.isEmpty());
    QVERIFY(!bare.publicSubscribe);
}

void TestStreams::match_data()
{
    QTest::addColumn<QString>("eventTenant");
    QTest::addColumn<QString>("contextTenantUrn");
    QTest::addColumn<QString>("eventNamespace");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("correlationId");
    QTest::addColumn<QByteArray>("context");
    QTest::addColumn<int>("expectedIndex"); // -1 = not carried

    const QString demo = push::tenantUrn(QStringLiteral("demo"));
    const QString fs = QStringLiteral("form-service");
    const QString fsName = QStringLiteral("form-submitted");
    const QString ss = QStringLiteral("status-service");
    const QString ssName = QStringLiteral("health-check-started");

    QTest::newRow("same tenant, first event matches by criteria")
        << "demo" << demo << fs << fsName << QString() << QByteArray(R"({"formId":"f-1"})") << 0;
    QTest::newRow("criteria fails, falls to the next event")
        << "demo" << demo << fs << fsName << QString() << QByteArray(R"({"formId":"f-2"})") << 1;
    QTest::newRow("other tenant is filtered out")
        << "other" << demo << fs << fsName << QString() << QByteArray(R"({"formId":"f-1"})") << -1;
    QTest::newRow("cross-tenant context matches any tenant")
        << "other" << QString() << fs << fsName << QString() << QByteArray(R"({"formId":"f-1"})")
        << 0;
    QTest::newRow("namespace differs")
        << "demo" << demo << "task-service" << fsName << QString() << QByteArray("{}") << -1;
    QTest::newRow("name differs") << "demo" << demo << fs << "form-created" << QString()
                                  << QByteArray("{}") << -1;
    QTest::newRow("namespace and name swapped")
        << "demo" << demo << fsName << fs << QString() << QByteArray("{}") << -1;
    QTest::newRow("name of another stream event")
        << "demo" << demo << fs << ssName << QString() << QByteArray("{}") << -1;
    QTest::newRow("correlationId criteria met")
        << "demo" << demo << ss << ssName << "app-1" << QByteArray("{}") << 2;
    QTest::newRow("correlationId criteria not met")
        << "demo" << demo << ss << ssName << "app-2" << QByteArray("{}") << -1;
    QTest::newRow("correlationId criteria, event has none")
        << "demo" << demo << ss << ssName << QString() << QByteArray("{}") << -1;
    QTest::newRow("namespace case differs")
        << "demo" << demo << "Form-Service" << fsName << QString() << QByteArray("{}") << -1;
}

void TestStreams::match()
{
    QFETCH(QString, eventTenant);
    QFETCH(QString, contextTenantUrn);
    QFETCH(QString, eventNamespace);
    QFETCH(QString, name);
    QFETCH(QString, correlationId);
    QFETCH(QByteArray, context);
    QFETCH(int, expectedIndex);

    const Stream stream = sampleStream();
    const DomainEvent event =
        makeEvent(eventTenant, eventNamespace, name, correlationId, parseObject(context));
    const push::StreamEvent *matched = stream.match(event, contextTenantUrn);
    if (expectedIndex < 0) {
        QVERIFY(matched == nullptr);
    } else {
        QVERIFY(matched != nullptr);
        QCOMPARE(matched, &stream.events[expectedIndex]);
    }
}

void TestStreams::combineStreamsCoreWins()
{
    QMap<QString, Stream> core;
    core.insert(QStringLiteral("shared"), namedStream(QStringLiteral("shared"), "Core shared"));
    core.insert(QStringLiteral("core-only"), namedStream(QStringLiteral("core-only"), "Core"));
    QMap<QString, Stream> tenant;
    tenant.insert(QStringLiteral("shared"), namedStream(QStringLiteral("shared"), "Tenant shared"));
    tenant.insert(QStringLiteral("mine"), namedStream(QStringLiteral("mine"), "Mine"));

    const QMap<QString, Stream> combined = push::combineStreams(core, tenant);
    QCOMPARE(combined.keys(), QStringList({"core-only", "mine", "shared"}));
    QCOMPARE(combined.value(QStringLiteral("shared")).name, QStringLiteral("Core shared"));
    QCOMPARE(combined.value(QStringLiteral("mine")).name, QStringLiteral("Mine"));
    QCOMPARE(combined.value(QStringLiteral("core-only")).name, QStringLiteral("Core"));

    QCOMPARE(push::combineStreams({}, tenant).value(QStringLiteral("shared")).name,
             QStringLiteral("Tenant shared"));
    QCOMPARE(push::combineStreams(core, {}).size(), 2);
}

void TestStreams::streamsFromConfigurationSkipsWebhooks()
{
    const QJsonObject document = parseObject(R"({
        "a-stream": {"id": "a-stream", "name": "A",
                     "events": [{"namespace": "n", "name": "e"}]},
        "b stream": {"id": "b stream", "name": "B", "publicSubscribe": true},
        "webhooks": {"hook": {"id": "hook", "name": "Hook", "url": "http:\/\/x\/"}}
    })");
    QVERIFY(push::validateConfiguration(document).isEmpty());
    const QMap<QString, Stream> streams = push::streamsFromConfiguration(document);
    QCOMPARE(streams.keys(), QStringList({"a-stream", "b stream"}));
    QCOMPARE(streams.value(QStringLiteral("a-stream")).events.size(), 1);
    QVERIFY(streams.value(QStringLiteral("b stream")).publicSubscribe);
}

void TestStreams::streamToJson()
{
    const QJsonObject json = sampleStream().toJson();
    QCOMPARE(json.keys(), QStringList({"description", "events", "id", "name", "publicSubscribe",
                                       "subscriberRoles"}));
    QCOMPARE(json.value(QLatin1String("id")).toString(), QStringLiteral("forms"));
    QCOMPARE(json.value(QLatin1String("publicSubscribe")), QJsonValue(true));
    QCOMPARE(json.value(QLatin1String("subscriberRoles")).toArray(),
             QJsonArray({"form-reader", "auditor"}));
    const QJsonArray events = json.value(QLatin1String("events")).toArray();
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].toObject(), parseObject(R"({"namespace": "form-service",
        "name": "form-submitted", "map": {"id": "payload.id"},
        "criteria": {"context": {"formId": "f-1"}}})"));
    QCOMPARE(events[1].toObject(),
             parseObject(R"({"namespace": "form-service", "name": "form-submitted"})"));
    QCOMPARE(events[2].toObject().value(QLatin1String("criteria")).toObject(),
             parseObject(R"({"correlationId": "app-1"})"));

    // description left out when empty; lists present even when empty.
    const QJsonObject bare = namedStream(QStringLiteral("b"), QStringLiteral("B")).toJson();
    QCOMPARE(bare, parseObject(R"({"id":"b","name":"B","publicSubscribe":false,
        "subscriberRoles":[],"events":[]})"));
    // toJson and fromJson round-trip.
    QCOMPARE(Stream::fromJson(json).toJson(), json);
}

void TestStreams::domainEventFromJson_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error"); // empty = accepted

    QTest::newRow("minimal") << QByteArray(R"({"namespace":"n","name":"e",
        "timestamp":"2026-11-26T20:25:03Z","payload":{}})")
                             << QString();
    QTest::newRow("full") << QByteArray(R"({"namespace":"n","name":"e",
        "timestamp":"2026-11-26T20:25:03.123Z","correlationId":"c","tenantId":"ignored",
        "context":{"s":"x","n":1,"b":false,"z":null},"payload":{"a":[1]}})")
                          << QString();
    QTest::newRow("namespace missing")
        << QByteArray(R"({"name":"e","timestamp":"2026-11-26T20:25:03Z","payload":{}})")
        << QStringLiteral("namespace is required");
    QTest::newRow("namespace empty")
        << QByteArray(R"({"namespace":"","name":"e","timestamp":"2026-11-26T20:25:03Z",
        "payload":{}})")
        << QStringLiteral("namespace must be a non-empty string");
    QTest::newRow("namespace number")
        << QByteArray(R"({"namespace":3,"name":"e","timestamp":"2026-11-26T20:25:03Z",
        "payload":{}})")
        << QStringLiteral("namespace must be a non-empty string");
    QTest::newRow("name missing")
        << QByteArray(R"({"namespace":"n","timestamp":"2026-11-26T20:25:03Z","payload":{}})")
        << QStringLiteral("name is required");
    QTest::newRow("timestamp missing") << QByteArray(R"({"namespace":"n","name":"e","payload":{}})")
                                       << QStringLiteral("timestamp is required");
    QTest::newRow("timestamp garbage")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"yesterday","payload":{}})")
        << QStringLiteral("timestamp must be an ISO-8601 date-time");
    QTest::newRow("timestamp number")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":1764188703000,"payload":{}})")
        << QStringLiteral("timestamp must be an ISO-8601 date-time");
    QTest::newRow("correlationId number")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"2026-11-26T20:25:03Z",
        "correlationId":7,"payload":{}})")
        << QStringLiteral("correlationId must be a string");
    QTest::newRow("with id")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"2026-11-26T20:25:03Z",
        "id":"evt-1","payload":{}})")
        << QString();
    QTest::newRow("id empty")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"2026-11-26T20:25:03Z",
        "id":"","payload":{}})")
        << QStringLiteral("id must be a non-empty string");
    QTest::newRow("id number")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"2026-11-26T20:25:03Z",
        "id":7,"payload":{}})")
        << QStringLiteral("id must be a non-empty string");
    QTest::newRow("context array")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"2026-11-26T20:25:03Z",
        "context":[],"payload":{}})")
        << QStringLiteral("context must be an object");
    QTest::newRow("context nested object")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"2026-11-26T20:25:03Z",
        "context":{"deep":{"x":1}},"payload":{}})")
        << QStringLiteral("context.deep must be a string, number or boolean");
    QTest::newRow("payload missing")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"2026-11-26T20:25:03Z"})")
        << QStringLiteral("payload is required");
    QTest::newRow("payload string")
        << QByteArray(R"({"namespace":"n","name":"e","timestamp":"2026-11-26T20:25:03Z",
        "payload":"text"})")
        << QStringLiteral("payload must be an object");
}

void TestStreams::domainEventFromJson()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);

    QString actualError;
    const std::optional<DomainEvent> event = DomainEvent::fromJson(parseObject(body), &actualError);
    QCOMPARE(actualError, error);
    QCOMPARE(event.has_value(), error.isEmpty());
    if (event) {
        QCOMPARE(event->eventNamespace, QStringLiteral("n"));
        QCOMPARE(event->name, QStringLiteral("e"));
        QVERIFY(event->tenantId.isEmpty()); // tenantId is the caller's business
        QVERIFY(event->timestamp.isValid());
        QVERIFY(event->payload.isObject());
    }
}

void TestStreams::domainEventTimestamps_data()
{
    QTest::addColumn<QString>("timestamp");
    QTest::addColumn<QString>("expected"); // empty = rejected

    QTest::newRow("Z") << "2026-11-26T20:25:03Z"
                       << "2026-11-26T20:25:03.000Z";
    QTest::newRow("ms Z") << "2026-11-26T20:25:03.123Z"
                          << "2026-11-26T20:25:03.123Z";
    QTest::newRow("offset") << "2026-11-26T20:25:03+02:00"
                            << "2026-11-26T18:25:03.000Z";
    QTest::newRow("ms offset") << "2026-11-26T20:25:03.123+02:00"
                               << "2026-11-26T18:25:03.123Z";
    QTest::newRow("negative offset over midnight") << "2026-11-26T22:00:00-05:00"
                                                   << "2026-11-27T03:00:00.000Z";
    QTest::newRow("no offset read as UTC") << "2026-11-26T20:25:03"
                                           << "2026-11-26T20:25:03.000Z";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("garbage") << "not a date"
                             << "";
    QTest::newRow("date only") << "2026-11-26"
                               << "";
    QTest::newRow("space separator") << "2026-11-26 20:25:03Z"
                                     << "";
    QTest::newRow("month 13") << "2026-13-26T20:25:03Z"
                              << "";
    QTest::newRow("hour 25") << "2026-11-26T25:25:03Z"
                             << "";
    QTest::newRow("trailing text") << "2026-11-26T20:25:03Zjunk"
                                   << "";
}

void TestStreams::domainEventTimestamps()
{
    QFETCH(QString, timestamp);
    QFETCH(QString, expected);

    const QJsonObject body{
        {"namespace", "n"}, {"name", "e"}, {"timestamp", timestamp}, {"payload", QJsonObject()}};
    QString error;
    const std::optional<DomainEvent> event = DomainEvent::fromJson(body, &error);
    QCOMPARE(event.has_value(), !expected.isEmpty());
    if (event) {
        QCOMPARE(DomainEvent::formatTimestamp(event->timestamp), expected);
        QCOMPARE(event->toJson().value(QLatin1String("timestamp")).toString(), expected);
    } else {
        QCOMPARE(error, QStringLiteral("timestamp must be an ISO-8601 date-time"));
    }
}

void TestStreams::domainEventToJson()
{
    DomainEvent event = makeEvent(QStringLiteral("demo"), QStringLiteral("n"), QStringLiteral("e"),
                                  QString(), QJsonObject());
    QJsonObject json = event.toJson();
    QCOMPARE(json.keys(), QStringList({"name", "namespace", "payload", "tenantId", "timestamp"}));
    QCOMPARE(json.value(QLatin1String("tenantId")).toString(),
             QStringLiteral("urn:ads:platform:tenant-service:v2:/tenants/demo"));
    QCOMPARE(json.value(QLatin1String("timestamp")).toString(),
             QStringLiteral("2026-01-02T03:04:05.000Z"));
    QCOMPARE(json.value(QLatin1String("payload")).toObject().value(QLatin1String("id")),
             QJsonValue(QStringLiteral("p-1")));

    // An empty (but not null) correlationId is present; context appears when it has keys.
    event.correlationId = QStringLiteral("");
    event.context = parseObject(R"({"k":1})");
    json = event.toJson();
    QVERIFY(json.contains(QLatin1String("correlationId")));
    QCOMPARE(json.value(QLatin1String("context")).toObject(), event.context);

    // A timestamp in another zone is written in UTC.
    event.timestamp = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 6), QTimeZone(3600));
    QCOMPARE(DomainEvent::formatTimestamp(event.timestamp),
             QStringLiteral("2026-01-02T02:04:05.006Z"));

    // The JSON a subscriber gets reads back into the same event.
    QString error;
    const std::optional<DomainEvent> back = DomainEvent::fromJson(event.toJson(), &error);
    QVERIFY2(back.has_value(), qPrintable(error));
    QCOMPARE(back->timestamp, event.timestamp);
    QCOMPARE(back->context, event.context);
    QCOMPARE(back->payload, event.payload);
}

QTEST_APPLESS_MAIN(TestStreams)
#include "tst_streams.moc"
