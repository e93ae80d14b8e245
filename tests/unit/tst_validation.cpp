// Unit tests of validateConfiguration: good documents pass, bad ones name the property.
#include "shared/configuration.h"

#include <QJsonArray>
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
    void keyMustBeTheId_data();
    void keyMustBeTheId();
    void webhookUrlMustBeHttp_data();
    void webhookUrlMustBeHttp();
    void controlCharactersAreEscaped();
    void boundsEveryDocument();
    void idWithATrailingNewlineIsRefused();
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
        << QByteArray(R"({"12345678901234567890123456789012345678901234567890":
        {"id":"12345678901234567890123456789012345678901234567890",
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
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"http:\/\/x\/",
        "events":[{"namespace":"n"}]}}})")
        << "webhooks.h.events[0].name"
        << "webhooks.h.events[0].name is required";
    QTest::newRow("webhook criteria context not an object")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"http:\/\/x\/",
        "events":[{"namespace":"n","name":"e","criteria":{"context":1}}]}}})")
        << "webhooks.h.events[0].criteria.context"
        << "webhooks.h.events[0].criteria.context must be an object";
    QTest::newRow("webhook targetId a number")
        << QByteArray(
               R"({"webhooks":{"h":{"id":"h","name":"H","url":"http:\/\/x\/","targetId":1}}})")
        << "webhooks.h.targetId"
        << "webhooks.h.targetId must be a string";
    QTest::newRow("webhook eventTypes entry without id")
        << QByteArray(
               R"({"webhooks":{"h":{"id":"h","name":"H","url":"http:\/\/x\/","eventTypes":[{}]}}})")
        << "webhooks.h.eventTypes[0].id"
        << "webhooks.h.eventTypes[0].id is required";
    QTest::newRow("webhook intervalMinutes a string")
        << QByteArray(
               R"({"webhooks":{"h":{"id":"h","name":"H","url":"http:\/\/x\/","intervalMinutes":"5"}}})")
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

void TestValidation::keyMustBeTheId_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("property");
    QTest::addColumn<QString>("message");
    QTest::newRow("stream") << QByteArray(R"({"a":{"id":"b","name":"S"}})") << "a.id"
                            << R"(a.id is "b", but the stream is stored under key "a": a )"
                               R"(stream's key must be its id)";
    QTest::newRow("webhook") << QByteArray(R"({"webhooks":{"a":{"id":"b","name":"H",
        "url":"http:\/\/x\/"}}})")
                             << "webhooks.a.id"
                             << R"(webhooks.a.id is "b", but the webhook is stored under key )"
                                R"("a": a webhook's key must be its id)";
}

void TestValidation::keyMustBeTheId()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, property);
    QFETCH(QString, message);
    const QList<push::ValidationError> errors = push::validateConfiguration(parseObject(document));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().property, property);
    QCOMPARE(errors.first().message, message);
}

void TestValidation::webhookUrlMustBeHttp_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("valid");
    QTest::newRow("http") << "http://127.0.0.1:9000/hook" << true;
    QTest::newRow("https") << "https://example.org/x?y=1" << true;
    QTest::newRow("upper-case scheme") << "HTTPS://example.org/" << true;
    QTest::newRow("ftp") << "ftp://example.org/x" << false;
    QTest::newRow("file") << "file:///etc/passwd" << false;
    QTest::newRow("javascript") << "javascript:alert(1)" << false;
    QTest::newRow("relative") << "/hook" << false;
    QTest::newRow("no host") << "http://" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("bare word") << "u" << false;
}

void TestValidation::webhookUrlMustBeHttp()
{
    QFETCH(QString, url);
    QFETCH(bool, valid);
    const QJsonObject hook{{"id", "h"}, {"name", "H"}, {"url", url}};
    for (const QJsonValue &webhooks :
         {QJsonValue(QJsonObject{{"h", hook}}), QJsonValue(QJsonArray{hook})}) {
        const QList<push::ValidationError> errors =
            push::validateConfiguration(QJsonObject{{"webhooks", webhooks}});
        if (valid) {
            QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).message));
            continue;
        }
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors.first().property.endsWith(".url"));
        QVERIFY2(errors.first().message.contains("must be an absolute http or https URL"),
                 qPrintable(errors.first().message));
    }
}

void TestValidation::controlCharactersAreEscaped()
{
    // A key with a NUL byte (and other control characters) is named, escaped: a message
    // never carries a raw control character to a terminal or a log.
    const QString key = QStringLiteral("a") + QChar(0) + QStringLiteral("b\x1b[2J\"q");
    const QList<push::ValidationError> errors =
        push::validateConfiguration(QJsonObject{{key, QJsonObject{{"id", key}, {"name", "S"}}}});
    QVERIFY(!errors.isEmpty());
    for (const push::ValidationError &error : errors) {
        for (const QChar c : error.message)
            QVERIFY2(c.unicode() >= 0x20, qPrintable(error.message));
        QVERIFY2(error.message.contains(QStringLiteral(R"(a\u0000b\u001b[2J\"q)")),
                 qPrintable(error.message));
    }
    QCOMPARE(push::printableKey(QStringLiteral("plain-key")), QStringLiteral("plain-key"));
}

void TestValidation::boundsEveryDocument()
{
    // One bound for the API, the CLI and a stored revision: entries, then compact bytes.
    QJsonObject many;
    for (qsizetype i = 0; i <= push::kMaxConfigurationEntries; ++i) {
        const QString id = QStringLiteral("s%1").arg(i);
        many.insert(id, QJsonObject{{"id", id}, {"name", "S"}});
    }
    QList<push::ValidationError> errors = push::validateConfiguration(many);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.first().message.contains(
                 QStringLiteral("at most %1 are allowed").arg(push::kMaxConfigurationEntries)),
             qPrintable(errors.first().message));
    many.remove(QStringLiteral("s0"));
    QVERIFY(push::configurationLimitError(many).isEmpty());

    const QString description(push::kMaxConfigurationBytes, QLatin1Char('x'));
    const QJsonObject big{
        {"s", QJsonObject{{"id", "s"}, {"name", "S"}, {"description", description}}}};
    errors = push::validateConfiguration(big);
    QCOMPARE(errors.size(), 1);
    QVERIFY2(errors.first().message.contains(
                 QStringLiteral("at most %1 are allowed").arg(push::kMaxConfigurationBytes)),
             qPrintable(errors.first().message));
    // Webhooks count as entries too.
    QJsonArray hooks;
    for (qsizetype i = 0; i <= push::kMaxConfigurationEntries; ++i)
        hooks.append(QJsonObject{{"id", "h"}, {"name", "H"}, {"url", "http://x/"}});
    QVERIFY(!push::configurationLimitError(QJsonObject{{"webhooks", hooks}}).isEmpty());
}

QTEST_APPLESS_MAIN(TestValidation)
void TestValidation::idWithATrailingNewlineIsRefused()
{
    // A pattern ending in "$" matches before a final newline: the id pattern is anchored.
    const QList<push::ValidationError> errors =
        push::validateConfiguration(parseObject(R"({"s\n":{"id":"s\n","name":"S"}})"));
    QVERIFY(!errors.isEmpty());
    for (const push::ValidationError &error : errors)
        QVERIFY2(error.message.contains(QLatin1String("must match")), qPrintable(error.message));
}

#include "tst_validation.moc"
