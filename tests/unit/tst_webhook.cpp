// Unit tests of Webhook (shared/webhook.h): which events trigger a plain and an
// application-status webhook, and the push-service:webhook-triggered event it makes.
#include "shared/webhook.h"

#include <QJsonDocument>
#include <QTest>

#include "testjson.h"

// "\/" in JSON is "/": moc takes "//" inside a multi-line raw string for a comment.
namespace {

using push::test::parseObject;

push::DomainEvent eventFrom(const QByteArray &json)
{
    QJsonObject body = parseObject(json);
    body.insert(QStringLiteral("timestamp"), QStringLiteral("2026-11-26T12:00:00Z"));
    if (!body.contains(QLatin1String("payload")))
        body.insert(QStringLiteral("payload"), QJsonObject());
    QString error;
    auto event = push::DomainEvent::fromJson(body, &error);
    if (!event)
        qFatal("bad test event: %s", qPrintable(error));
    event->tenantId = QStringLiteral("urn:ads:platform:tenant-service:v2:/tenants/demo");
    return *event;
}

const QByteArray kPlain = R"({"id":"p","name":"Plain","url":"https:\/\/example.org/hook",
    "events":[{"namespace":"order-service","name":"order-placed",
               "criteria":{"correlationId":"c1","context":{"env":"prod","n":1}}},
              {"namespace":"order-service","name":"order-cancelled"}]})";
const QByteArray kStatus = R"({"id":"s","name":"Status","url":"http:\/\/example.org/s",
    "targetId":"portal","intervalMinutes":5,
    "eventTypes":[{"id":"status-service:application-status-changed"}]})";

} // namespace

using push::DomainEvent;
using push::Webhook;

class TestWebhook final : public QObject
{
    Q_OBJECT

private slots:
    void triggeredBy_data();
    void triggeredBy();
    void documentForms();
    void roundTrip();
    void triggeredEvent();
};

void TestWebhook::triggeredBy_data()
{
    QTest::addColumn<QByteArray>("webhook");
    QTest::addColumn<QByteArray>("event");
    QTest::addColumn<bool>("fires");

    QTest::newRow("plain: all criteria match")
        << kPlain
        << QByteArray(R"({"namespace":"order-service","name":"order-placed","correlationId":"c1",
                         "context":{"env":"prod","n":1,"extra":true}})")
        << true;
    QTest::newRow("plain: context value differs")
        << kPlain
        << QByteArray(R"({"namespace":"order-service","name":"order-placed","correlationId":"c1",
                         "context":{"env":"test","n":1}})")
        << false;
    QTest::newRow("plain: context type differs (strict)")
        << kPlain
        << QByteArray(R"({"namespace":"order-service","name":"order-placed","correlationId":"c1",
                         "context":{"env":"prod","n":"1"}})")
        << false;
    QTest::newRow("plain: correlation id missing")
        << kPlain << QByteArray(R"({"namespace":"order-service","name":"order-placed",
                         "context":{"env":"prod","n":1}})")
        << false;
    QTest::newRow("plain: second entry, no criteria")
        << kPlain << QByteArray(R"({"namespace":"order-service","name":"order-cancelled"})")
        << true;
    QTest::newRow("plain: other name")
        << kPlain << QByteArray(R"({"namespace":"order-service","name":"order-shipped"})") << false;
    QTest::newRow("plain: other namespace")
        << kPlain << QByteArray(R"({"namespace":"billing","name":"order-cancelled"})") << false;
    QTest::newRow("not http: never")
        << QByteArray(R"({"id":"f","name":"F","url":"ftp:\/\/example.org/x",
                         "events":[{"namespace":"a","name":"b"}]})")
        << QByteArray(R"({"namespace":"a","name":"b"})") << false;
    QTest::newRow("no events: never")
        << QByteArray(R"({"id":"f","name":"F","url":"http:\/\/example.org/x"})")
        << QByteArray(R"({"namespace":"a","name":"b"})") << false;
    QTest::newRow("webhook-triggered never triggers")
        << QByteArray(R"({"id":"l","name":"L","url":"http:\/\/example.org/x",
                         "events":[{"namespace":"push-service","name":"webhook-triggered"}]})")
        << QByteArray(R"({"namespace":"push-service","name":"webhook-triggered"})") << false;
    QTest::newRow("status: appKey is the target")
        << kStatus
        << QByteArray(R"({"namespace":"status-service","name":"application-status-changed",
                         "payload":{"application":{"appKey":"portal"}}})")
        << true;
    QTest::newRow("status: id is the target")
        << kStatus
        << QByteArray(R"({"namespace":"status-service","name":"application-status-changed",
                         "payload":{"application":{"id":"portal"}}})")
        << true;
    QTest::newRow("status: another application")
        << kStatus
        << QByteArray(R"({"namespace":"status-service","name":"application-status-changed",
                         "payload":{"application":{"appKey":"billing","id":"billing"}}})")
        << false;
    QTest::newRow("status: no application in the payload")
        << kStatus
        << QByteArray(R"({"namespace":"status-service","name":"application-status-changed"})")
        << false;
    QTest::newRow("status: not one of its event types")
        << kStatus << QByteArray(R"({"namespace":"status-service","name":"health-check-started",
                         "payload":{"application":{"appKey":"portal"}}})")
        << false;
}

void TestWebhook::triggeredBy()
{
    QFETCH(QByteArray, webhook);
    QFETCH(QByteArray, event);
    QFETCH(bool, fires);
    QCOMPARE(Webhook::fromJson(parseObject(webhook)).triggeredBy(eventFrom(event)), fires);
}

void TestWebhook::documentForms()
{
    const QByteArray keyed =
        R"({"s":{"id":"s","name":"S"},"webhooks":{"a":)" + kPlain + R"(,"b":)" + kStatus + "}}";
    const QList<Webhook> fromObject = push::webhooksFromConfiguration(parseObject(keyed));
    QCOMPARE(fromObject.size(), 2);
    QCOMPARE(fromObject.at(0).id, QStringLiteral("p"));
    QVERIFY(fromObject.at(1).isApplicationStatus());
    const QByteArray listed = R"({"webhooks":[)" + kStatus + "]}";
    const QList<Webhook> fromArray = push::webhooksFromConfiguration(parseObject(listed));
    QCOMPARE(fromArray.size(), 1);
    QCOMPARE(fromArray.first().eventTypes,
             QStringList{QStringLiteral("status-service:application-status-changed")});
    QCOMPARE(fromArray.first().intervalMinutes, 5);
    QVERIFY(
        push::webhooksFromConfiguration(parseObject(R"({"s":{"id":"s","name":"S"}})")).isEmpty());
}

void TestWebhook::roundTrip()
{
    for (const QByteArray &json : {kPlain, kStatus})
        QCOMPARE(Webhook::fromJson(parseObject(json)).toJson(), parseObject(json));
}

void TestWebhook::triggeredEvent()
{
    const Webhook status = Webhook::fromJson(parseObject(kStatus));
    const DomainEvent trigger = eventFrom(R"({"namespace":"status-service",
        "name":"application-status-changed","context":{"k":"v"},
        "payload":{"application":{"appKey":"portal"}}})");
    const QDateTime at = QDateTime::fromString(QStringLiteral("2026-11-26T12:00:01Z"), Qt::ISODate);
    const DomainEvent event =
        push::webhookTriggeredEvent(status, trigger, QStringLiteral("OK"), 200, at, 42);
    QCOMPARE(event.tenantId, trigger.tenantId);
    QCOMPARE(event.eventNamespace, QStringLiteral("push-service"));
    QCOMPARE(event.name, QStringLiteral("webhook-triggered"));
    QCOMPARE(event.correlationId, QStringLiteral("s")); // no correlation id: the webhook's id
    QCOMPARE(event.context, parseObject(R"({"name":"Status"})"));
    QCOMPARE(event.payload.toObject(), parseObject(R"({
        "webhook":{"name":"Status","url":"http:\/\/example.org/s","targetId":"portal"},
        "trigger":{"namespace":"status-service","name":"application-status-changed","context":{"k":"v"}},
        "response":{"status":"OK","statusCode":200,"timestamp":"2026-11-26T12:00:01.000Z"},
        "responseTime":42})"));
    const DomainEvent withId = eventFrom(R"({"namespace":"a","name":"b","correlationId":"c-7"})");
    QCOMPARE(push::webhookTriggeredEvent(status, withId, QString(), 0, at, 1).correlationId,
             QStringLiteral("c-7"));
}

QTEST_GUILESS_MAIN(TestWebhook)
#include "tst_webhook.moc"
