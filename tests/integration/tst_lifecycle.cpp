// Operating the process: start-up settings, the descriptive routes, persistence across a
// restart, and a clean shutdown on SIGTERM that closes open streams.
#include "support/serviceprocess.h"
#include "support/sseclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

class TestLifecycle final : public QObject
{
    Q_OBJECT

private slots:
    void rootHealthAndDocs();
    void openApiDescribesEveryRoute();
    void settingsPrecedence();
    void rejectsBadSettings_data();
    void rejectsBadSettings();
    void adminCommandsValidate();
    void configSetRefusesClearly_data();
    void configSetRefusesClearly();
    void storedRevisionBeyondTheBoundsIsSkipped();
    void keepsConfigurationAcrossRestart();
    void sigtermClosesStreamsAndExitsCleanly();
};

void TestLifecycle::rootHealthAndDocs()
{
    ServiceProcess service;
    QVERIFY(service.start());
    const auto root = service.get("/");
    QCOMPARE(root.status, 200);
    const QJsonObject links = root.json().value("_links").toObject();
    for (const char *key : {"self", "health", "api", "docs"})
        QVERIFY2(links.value(QLatin1String(key))
                     .toObject()
                     .value("href")
                     .toString()
                     .startsWith(service.url("/").toString().chopped(1)),
                 key);
    const auto health = service.get("/health");
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value("status").toString(), "ok");
    QCOMPARE(health.json().value("store").toString(), "ok");
    const auto streams = service.get("/stream/v1/streams?tenant=demo");
    QCOMPARE(streams.status, 200);
    const QJsonObject stream = streams.json().value("application-health").toObject();
    QCOMPARE(stream.value("id").toString(), "application-health");
    QCOMPARE(stream.value("publicSubscribe").toBool(), true);
    QCOMPARE(stream.value("events").toArray().first().toObject().value("namespace").toString(),
             "status-service");
    QCOMPARE(service.get("/stream/v1/streams").status, 400);
}

void TestLifecycle::openApiDescribesEveryRoute()
{
    ServiceProcess service;
    QVERIFY(service.start());
    const auto docs = service.get("/swagger/docs/v1");
    QCOMPARE(docs.status, 200);
    const QJsonObject paths = docs.json().value("paths").toObject();
    QVERIFY(docs.json().value("openapi").toString().startsWith("3."));
    // Served as built in; tst_openapi checks it against the registered routes.
    QVERIFY(paths.value("/event/v1/events").toObject().contains("post"));
    QVERIFY(paths.value("/configuration/v2/configuration/platform/push-service")
                .toObject()
                .contains("patch"));
}

void TestLifecycle::settingsPrecedence()
{
    // INI file < environment < command line. The INI asks for log level "error" and a
    // bind address; the environment overrides the log level; --port 0 beats PORT.
    QTemporaryDir dir;
    const QString ini = dir.filePath("push.ini");
    QFile file(ini);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[service]\nlogLevel=error\nbind=127.0.0.1\nport=1\n");
    file.close();
    ServiceProcess service;
    service.setEnv("LOG_LEVEL", "info");
    service.setEnv("PORT", "2"); // would fail to bind (privileged) if it won
    QVERIFY(service.start({"--config", ini}));
    QVERIFY(service.log().contains("listening on http://127.0.0.1:")); // info is on: env beat INI
}

void TestLifecycle::rejectsBadSettings_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("port") << QStringList{"--port", "70000"} << "port must be a whole number";
    QTest::newRow("bind") << QStringList{"--bind", "not-an-ip"} << "not an IP address";
    QTest::newRow("log level") << QStringList{"--log-level", "loud"} << "log level 'loud'";
    QTest::newRow("config file") << QStringList{"--config", "/nonexistent/push.ini"}
                                 << "cannot read the settings file";
}

void TestLifecycle::rejectsBadSettings()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(PUSH_SERVICE_BINARY),
                  arguments + QStringList{"--data-dir", dir.path()});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    const QString output = QString::fromUtf8(process.readAll());
    QVERIFY2(output.contains(message), qPrintable(output));
}

void TestLifecycle::adminCommandsValidate()
{
    ServiceProcess service;
    QByteArray output;
    QCOMPARE(service.admin({"tenant", "list"}, &output), 0);
    QVERIFY(output.contains("demo\tDemo\tdemo"));
    QCOMPARE(service.admin({"tenant", "add", "--name", "Demo"}, &output), 1); // name taken
    QCOMPARE(service.admin({"tenant", "add", "--name", "Bad Id", "--id", "bad id"}, &output), 1);
    QVERIFY(output.contains("tenant id 'bad id'"));
    // An invalid document names the property and changes nothing.
    QTemporaryDir dir;
    QFile bad(dir.filePath("bad.json"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write(R"({"s":{"id":"s","name":"S","events":[{"name":"x"}]}})");
    bad.close();
    QCOMPARE(service.admin({"config", "set", "--tenant", "demo", bad.fileName()}, &output), 1);
    QVERIFY2(output.contains("s.events[0].namespace"), output.constData());
    QCOMPARE(service.admin({"config", "get", "--tenant", "demo"}, &output), 0);
    QVERIFY(QJsonDocument::fromJson(output).object().contains("application-health"));
}

void TestLifecycle::configSetRefusesClearly_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("message");
    QTest::newRow("an array") << QByteArray("[1,2]")
                              << "holds a JSON array, not an object of streams keyed by id";
    QTest::newRow("not JSON") << QByteArray("{\"s\":") << "is not valid JSON";
    QTest::newRow("a key that is not its id")
        << QByteArray(R"({"a":{"id":"b","name":"S"}})")
        << R"(a.id is "b", but the stream is stored under key "a")";
    QTest::newRow("a key with a NUL byte")
        << QByteArray(R"({"a\u0000b":{"id":"s","name":"S"}})") << R"(Stream key "a\u0000b")";
    QTest::newRow("a webhook to ftp")
        << QByteArray(R"({"webhooks":{"h":{"id":"h","name":"H","url":"ftp://x/"}}})")
        << "webhooks.h.url must be an absolute http or https URL";
    // 200,000 streams (about 7.5 MB): what the API would refuse, the CLI refuses too.
    QByteArray huge = "{";
    for (int i = 0; i < 200000; ++i)
        huge += QByteArray(i ? "," : "") + "\"s" + QByteArray::number(i) + "\":{\"id\":\"s" +
                QByteArray::number(i) + "\",\"name\":\"S\"}";
    huge += "}";
    QTest::newRow("200,000 streams")
        << huge << "the configuration has 200000 streams and webhooks; at most 5000 are allowed";
    QTest::newRow("a file too large to parse") << QByteArray(9 * 1024 * 1024, ' ') + "{}"
                                               << "a configuration is at most 1048576 bytes";
}

void TestLifecycle::configSetRefusesClearly()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, message);
    ServiceProcess service;
    QTemporaryDir dir;
    QFile file(dir.filePath("doc.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(document);
    file.close();
    QByteArray output;
    QCOMPARE(service.admin({"config", "set", "--tenant", "demo", file.fileName()}, &output), 1);
    QVERIFY2(output.contains(message.toUtf8()), output.left(2000).constData());
    QVERIFY2(!output.contains("no error occurred"), output.constData());
    QVERIFY2(!output.contains('\0'), "a raw NUL byte in the message");
    QCOMPARE(service.admin({"config", "get", "--tenant", "demo"}, &output), 0);
    QVERIFY(QJsonDocument::fromJson(output).object().contains("application-health"));
}

void TestLifecycle::storedRevisionBeyondTheBoundsIsSkipped()
{
    // A revision written by something that did not check the bounds (another instance's
    // older version, a hand-made row) is skipped; the newest one within them stays.
    ServiceProcess service;
    QVERIFY(service.setConfiguration(
        "demo",
        {{"kept", QJsonObject{{"id", "kept"}, {"name", "Kept"}, {"publicSubscribe", true}}}}));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "direct");
        db.setDatabaseName(QDir(service.dataDir()).filePath("push-service.db"));
        QVERIFY(db.open());
        const QJsonObject huge{{"huge", QJsonObject{{"id", "huge"},
                                                    {"name", "Huge"},
                                                    {"publicSubscribe", true},
                                                    {"description", QString(1100000, 'x')}}}};
        QSqlQuery query(db);
        QVERIFY(query.prepare(
            "INSERT INTO configuration_revisions (tenant_id, service, revision, document, author,"
            " created_at) SELECT 'demo', 'platform:push-service', MAX(revision) + 1, ?, "
            "'elsewhere',"
            " '2026-01-01T00:00:00.000Z' FROM configuration_revisions WHERE tenant_id = 'demo'"));
        query.addBindValue(QString::fromUtf8(QJsonDocument(huge).toJson(QJsonDocument::Compact)));
        QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase("direct");
    QVERIFY(service.start());
    const QJsonObject streams = service.get("/stream/v1/streams?tenant=demo").json();
    QVERIFY2(streams.contains("kept") && !streams.contains("huge"),
             qPrintable(QStringList(streams.keys()).join(',')));
    QVERIFY2(service.log().contains("exceeds the configuration bounds and is skipped"),
             qPrintable(service.log()));
}

void TestLifecycle::keepsConfigurationAcrossRestart()
{
    ServiceProcess service;
    QVERIFY(service.setConfiguration(
        "demo",
        {{"kept", QJsonObject{{"id", "kept"}, {"name", "Kept"}, {"publicSubscribe", true}}}}));
    QVERIFY(service.start());
    QCOMPARE(service.get("/stream/v1/streams?tenant=demo").json().keys(), QStringList{"kept"});
    service.stop();
    QVERIFY(service.start());
    QCOMPARE(service.get("/stream/v1/streams?tenant=demo").json().keys(), QStringList{"kept"});
}

void TestLifecycle::sigtermClosesStreamsAndExitsCleanly()
{
    ServiceProcess service;
    QVERIFY(service.start());
    SseClient client;
    client.open(service.port(), "/stream/v1/streams/application-health?tenant=demo");
    QSignalSpy head(&client, &SseClient::headReceived);
    QVERIFY(head.wait(5000));
    service.stop(); // SIGTERM
    QVERIFY(!service.isRunning());
    QCOMPARE(service.exitCode(), 0);
    QTRY_VERIFY(client.disconnectedByServer());
    QVERIFY2(client.comments().contains("closed: the service is shutting down"),
             qPrintable(client.comments().join('|')));
    QVERIFY(service.log().contains("stopped"));
}

QTEST_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
