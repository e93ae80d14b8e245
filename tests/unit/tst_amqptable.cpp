// The AMQP wire format of ADSP's events: headers built for publishing read back as the
// same event, and malformed deliveries are refused with the reason.
#include "bus/amqptable.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

using namespace push;
using namespace push::bus;

namespace {

// A delivery as rabbitmq-c hands it over, pointing into `headers` and `body`.
amqp_envelope_t envelope(HeaderTable *headers, const QByteArray &body, bool withHeaders = true)
{
    amqp_envelope_t e{};
    if (withHeaders) {
        e.message.properties._flags = AMQP_BASIC_HEADERS_FLAG;
        e.message.properties.headers = headers->table();
    }
    e.message.body = amqp_bytes_t{size_t(body.size()), const_cast<char *>(body.constData())};
    return e;
}

DomainEvent sample()
{
    DomainEvent event;
    event.tenantId = QStringLiteral("urn:ads:platform:tenant-service:v2:/tenants/demo");
    event.eventNamespace = QStringLiteral("status-service");
    event.name = QStringLiteral("health-check-started");
    event.timestamp = QDateTime(QDate(2026, 11, 26), QTime(20, 25, 3, 120), QTimeZone::utc());
    event.correlationId = QStringLiteral("corr-1");
    event.context = QJsonObject{{QStringLiteral("app"), QStringLiteral("a1")},
                                {QStringLiteral("attempt"), 3},
                                {QStringLiteral("ratio"), 0.5},
                                {QStringLiteral("final"), true}};
    event.payload = QJsonObject{{QStringLiteral("n"), 1}};
    return event;
}

} // namespace

class TestAmqpTable : public QObject
{
    Q_OBJECT

private slots:
    void routingKeyIsNamespaceNameTenant()
    {
        QCOMPARE(routingKey(sample()),
                 QByteArray("status-service.health-check-started."
                            "urn:ads:platform:tenant-service:v2:/tenants/demo"));
    }

    void headersCarryAdspFields()
    {
        HeaderTable headers = messageHeaders(sample(), "00-abc-def-01");
        amqp_field_value_t table{};
        table.kind = AMQP_FIELD_KIND_TABLE;
        table.value.table = headers.table();
        const QJsonObject json = fieldToJson(table).toObject();
        QCOMPARE(json.value("namespace").toString(), QStringLiteral("status-service"));
        QCOMPARE(json.value("name").toString(), QStringLiteral("health-check-started"));
        QCOMPARE(json.value("tenantId").toString(), sample().tenantId);
        QCOMPARE(json.value("correlationId").toString(), QStringLiteral("corr-1"));
        QCOMPARE(json.value("timestamp").toString(), QStringLiteral("2026-11-26T20:25:03.120Z"));
        QCOMPARE(json.value("traceparent").toString(), QStringLiteral("00-abc-def-01"));
        QCOMPARE(json.value("context").toObject(), sample().context);
    }

    void publishedEventReadsBack()
    {
        const DomainEvent original = sample();
        HeaderTable headers = messageHeaders(original, QByteArray());
        const QByteArray body = QJsonDocument(original.payload.toObject()).toJson();
        QString error;
        const std::optional<DomainEvent> event = eventFromMessage(envelope(&headers, body), &error);
        QVERIFY2(event, qPrintable(error));
        QCOMPARE(event->toJson(), original.toJson());
    }

    void noCorrelationIdStaysAbsent()
    {
        DomainEvent original = sample();
        original.correlationId = QString();
        HeaderTable headers = messageHeaders(original, QByteArray());
        QString error;
        const auto event = eventFromMessage(envelope(&headers, "{}"), &error);
        QVERIFY2(event, qPrintable(error));
        QVERIFY(event->correlationId.isNull());
    }

    void messageIdIsTheEventId()
    {
        HeaderTable headers = messageHeaders(sample(), QByteArray());
        const QByteArray body("{}"); // the envelope points into it
        amqp_envelope_t e = envelope(&headers, body);
        QString error;
        auto event = eventFromMessage(e, &error);
        QVERIFY2(event, qPrintable(error));
        QVERIFY(event->id.isNull()); // none: no id
        const QByteArray id("evt-42");
        e.message.properties._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
        e.message.properties.message_id =
            amqp_bytes_t{size_t(id.size()), const_cast<char *>(id.constData())};
        event = eventFromMessage(e, &error);
        QVERIFY2(event, qPrintable(error));
        QCOMPARE(event->id, QStringLiteral("evt-42"));
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("drop"); // a header left out
        QTest::addColumn<QString>("key");  // or one set to `value`
        QTest::addColumn<QString>("value");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("withHeaders");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no headers") << ""
                                    << ""
                                    << "" << QByteArray("{}") << false << "no headers";
        QTest::newRow("body not JSON") << ""
                                       << ""
                                       << "" << QByteArray("{oops") << true << "not JSON";
        QTest::newRow("payload not an object") << ""
                                               << ""
                                               << "" << QByteArray("[1]") << true << "payload";
        QTest::newRow("no tenant") << "tenantId"
                                   << ""
                                   << "" << QByteArray("{}") << true << "tenantId";
        QTest::newRow("no name") << "name"
                                 << ""
                                 << "" << QByteArray("{}") << true << "name";
        QTest::newRow("no namespace") << "namespace"
                                      << ""
                                      << "" << QByteArray("{}") << true << "namespace";
        QTest::newRow("no timestamp") << "timestamp"
                                      << ""
                                      << "" << QByteArray("{}") << true << "timestamp";
        QTest::newRow("bad timestamp") << ""
                                       << "timestamp"
                                       << "yesterday" << QByteArray("{}") << true << "timestamp";
    }

    void malformed()
    {
        QFETCH(QString, drop);
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QByteArray, body);
        QFETCH(bool, withHeaders);
        QFETCH(QString, reason);
        QJsonObject fields = QJsonObject{
            {QStringLiteral("namespace"), QStringLiteral("status-service")},
            {QStringLiteral("name"), QStringLiteral("health-check-started")},
            {QStringLiteral("tenantId"), sample().tenantId},
            {QStringLiteral("timestamp"), QStringLiteral("2026-11-26T20:25:03.120Z")},
        };
        fields.remove(drop);
        if (!key.isEmpty())
            fields.insert(key, value);
        HeaderTable headers;
        for (auto it = fields.begin(); it != fields.end(); ++it)
            headers.insert(it.key(), it.value());
        QString error;
        QVERIFY(!eventFromMessage(envelope(&headers, body, withHeaders), &error));
        QVERIFY2(error.contains(reason), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestAmqpTable)
#include "tst_amqptable.moc"
