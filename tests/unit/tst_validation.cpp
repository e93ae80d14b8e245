// Unit tests of validateConfiguration: good documents pass, bad ones name the property.
#include "configuration.h"

#include <QJsonDocument>
#include <QTest>

#include "testjson.h"

using push::test::parseObject;

class TestValidation final : public QObject
{
    Q_OBJECT

private slots:
    void validate_data();
    void validate();
    void reportsEveryError();
};

void TestValidation::validate_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("property"); // empty = valid
    QTest::addColumn<QString>("messageStart");

    // Good documents.
    QTest::newRow("empty document") << QByteArray("{}") << QString() << QString();
    QTest::newRow("minimal stream")
        << QByteArray(R"({"s":{"id":"s","name":"S"}})") << QString() << QString();
    QTest::newRow("full stream") << QByteArray(R"({"my-stream":{"id":"my-stream","name":"Mine",
        "description":"d","publicSubscribe":false,"subscriberRoles":["a","b"],
        "events":[{"namespace":"n","name":"e","map":{"k":"payload.a[0].b"},
                   "criteria":{"correlationId":"c","context":{"x":1,"y":"z"}}}]}})")
                                 << QString() << QString();
    QTest::newRow("id with space, underscore, dash")
        << QByteArray(R"({"A b_c-1":{"id":"A b_c-1","name":"S"}})") << QString() << QString();
    QTest::newRow("id of 50 characters")
        << QByteArray(R"({"s":{"id":"12345678901234567890123456789012345678901234567890",
        "name":"S"}})")
        << QString() << QString();
    QTest::newRow("empty events and roles")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":[],"subscriberRoles":[]}})")
        << QString() << QString();
    // "\/" in JSON is "/": moc takes "//" inside a multi-line raw string for a comment.
    QTest::newRow("webhooks object") << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H",
        "url":"https:\/\/example.com\/","events":[{"namespace":"n","name":"e"}]}}})")
                                     << QString() << QString();
    QTest::newRow("webhooks array")
        << QByteArray(R"({"webhooks":[{"id":"h","name":"H","url":"http:\/\/x\/"}]})") << QString()
        << QString();
    QTest::newRow("webhooks key not checked as a stream")
        << QByteArray(R"({"webhooks":{}})") << QString() << QString();

    // Bad documents.
    QTest::newRow("stream not an object") << QByteArray(R"({"s":"stream"})") << "s"
                                          << "s must be an object";
    QTest::newRow("id missing") << QByteArray(R"({"s":{"name":"S"}})") << "s.id"
                                << "s.id is required";
    QTest::newRow("id number") << QByteArray(R"({"s":{"id":5,"name":"S"}})") << "s.id"
                               << "s.id must be a string";
    QTest::newRow("id with dot") << QByteArray(R"({"s":{"id":"a.b","name":"S"}})") << "s.id"
                                 << "s.id must match";
    QTest::newRow("id empty") << QByteArray(R"({"s":{"id":"","name":"S"}})") << "s.id"
                              << "s.id must match";
    QTest::newRow("id of 51 characters")
        << QByteArray(R"({"s":{"id":"123456789012345678901234567890123456789012345678901",
        "name":"S"}})")
        << "s.id"
        << "s.id must match";
    QTest::newRow("name missing") << QByteArray(R"({"s":{"id":"s"}})") << "s.name"
                                  << "s.name is required";
    QTest::newRow("name null") << QByteArray(R"({"s":{"id":"s","name":null}})") << "s.name"
                               << "s.name must be a string";
    QTest::newRow("description number")
        << QByteArray(R"({"s":{"id":"s","name":"S","description":1}})") << "s.description"
        << "s.description must be a string";
    QTest::newRow("publicSubscribe string")
        << QByteArray(R"({"s":{"id":"s","name":"S","publicSubscribe":"true"}})")
        << "s.publicSubscribe"
        << "s.publicSubscribe must be a boolean";
    QTest::newRow("subscriberRoles string")
        << QByteArray(R"({"s":{"id":"s","name":"S","subscriberRoles":"admin"}})")
        << "s.subscriberRoles"
        << "s.subscriberRoles must be an array";
    QTest::newRow("subscriberRoles item number")
        << QByteArray(R"({"s":{"id":"s","name":"S","subscriberRoles":["a",2]}})")
        << "s.subscriberRoles[1]"
        << "s.subscriberRoles[1] must be a string";
    QTest::newRow("events object")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":{}}})") << "s.events"
        << "s.events must be an array";
    QTest::newRow("event not an object")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":["n:e"]}})") << "s.events[0]"
        << "s.events[0] must be an object";
    QTest::newRow("event namespace missing")
        << QByteArray(R"({"my-stream":{"id":"my-stream","name":"S","events":[{"name":"e"}]}})")
        << "my-stream.events[0].namespace"
        << "my-stream.events[0].namespace is required";
    QTest::newRow("second event name missing")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":[{"namespace":"n","name":"e"},
        {"namespace":"n"}]}})")
        << "s.events[1].name"
        << "s.events[1].name is required";
    QTest::newRow("event name number")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":[{"namespace":"n","name":1}]}})")
        << "s.events[0].name"
        << "s.events[0].name must be a string";
    QTest::newRow("map not an object")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":[{"namespace":"n","name":"e",
        "map":"payload"}]}})")
        << "s.events[0].map"
        << "s.events[0].map must be an object";
    QTest::newRow("map value number")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":[{"namespace":"n","name":"e",
        "map":{"ok":"payload.a","bad":3}}]}})")
        << "s.events[0].map.bad"
        << "s.events[0].map.bad must be a string";
    QTest::newRow("criteria array")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":[{"namespace":"n","name":"e",
        "criteria":[]}]}})")
        << "s.events[0].criteria"
        << "s.events[0].criteria must be an object";
    QTest::newRow("criteria correlationId number")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":[{"namespace":"n","name":"e",
        "criteria":{"correlationId":1}}]}})")
        << "s.events[0].criteria.correlationId"
        << "s.events[0].criteria.correlationId must be a string";
    QTest::newRow("criteria context string")
        << QByteArray(R"({"s":{"id":"s","name":"S","events":[{"namespace":"n","name":"e",
        "criteria":{"context":"x"}}]}})")
        << "s.events[0].criteria.context"
        << "s.events[0].criteria.context must be an object";
    QTest::newRow("webhooks string") << QByteArray(R"({"webhooks":"none"})") << "webhooks"
                                     << "webhooks must be an object or an array";
    QTest::newRow("webhook url missing")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H"}}})") << "webhooks.h.url"
        << "webhooks.h.url is required";
    QTest::newRow("webhook in array, name number")
        << QByteArray(R"({"webhooks":[{"id":"h","name":2,"url":"http:\/\/x\/"}]})")
        << "webhooks[0].name"
        << "webhooks[0].name must be a string";
    QTest::newRow("webhook not an object")
        << QByteArray(R"({"webhooks":{"h":true}})") << "webhooks.h"
        << "webhooks.h must be an object";
    QTest::newRow("application-status webhook")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"http:\/\/x\/",
        "targetId":"app","intervalMinutes":5,"eventTypes":[{"id":"status-service:x"}]}}})")
        << QString() << QString();
    QTest::newRow("webhook event without a name")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"u",
        "events":[{"namespace":"n"}]}}})")
        << "webhooks.h.events[0].name"
        << "webhooks.h.events[0].name is required";
    QTest::newRow("webhook criteria context not an object")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"u",
        "events":[{"namespace":"n","name":"e","criteria":{"context":1}}]}}})")
        << "webhooks.h.events[0].criteria.context"
        << "webhooks.h.events[0].criteria.context must be an object";
    QTest::newRow("webhook targetId a number")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"u","targetId":1}}})")
        << "webhooks.h.targetId"
        << "webhooks.h.targetId must be a string";
    QTest::newRow("webhook eventTypes entry without id")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"u","eventTypes":[{}]}}})")
        << "webhooks.h.eventTypes[0].id"
        << "webhooks.h.eventTypes[0].id is required";
    QTest::newRow("webhook intervalMinutes a string")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"u","intervalMinutes":"5"}}})")
        << "webhooks.h.intervalMinutes"
        << "webhooks.h.intervalMinutes must be a number";
}

void TestValidation::validate()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, property);
    QFETCH(QString, messageStart);

    const QList<push::ValidationError> errors = push::validateConfiguration(parseObject(document));
    if (property.isEmpty()) {
        QVERIFY2(errors.isEmpty(),
                 qPrintable(errors.isEmpty() ? QString() : errors.first().message));
        return;
    }
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().property, property);
    QVERIFY2(errors.first().message.startsWith(messageStart), qPrintable(errors.first().message));
}

void TestValidation::reportsEveryError()
{
    // The key and the id are checked separately; errors in several streams all come back.
    const QList<push::ValidationError> errors = push::validateConfiguration(parseObject(R"({
        "bad.key": {"id": "bad.id", "name": "S"},
        "ok": {"id": "ok", "name": "OK"},
        "other": {"id": "other", "events": [{"namespace": 1, "name": "e"}]}
    })"));
    QStringList properties;
    for (const push::ValidationError &error : errors) {
        properties.append(error.property);
        QVERIFY2(error.message.contains(error.property), qPrintable(error.message));
    }
    properties.sort();
    QCOMPARE(properties,
             QStringList({"bad.key", "bad.key.id", "other.events[0].namespace", "other.name"}));
}

QTEST_APPLESS_MAIN(TestValidation)
#include "tst_validation.moc"
