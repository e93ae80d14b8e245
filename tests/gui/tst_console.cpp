// The real push-console against a real push-service (QT_QPA_PLATFORM=offscreen): add a
// connection with a development token, create a stream through the form and watch the
// JSON view follow, see a validation error for a bad id, save and find the stream served
// over SSE, see the subscriber appear in the live table and an event in the live view,
// disconnect the subscriber; secrets go to the keychain, never to the settings file.
#include "consoletest.h"
#include "tokenendpoint.h"

#include "client/eventsmodel.h"
#include "client/secretstore.h"
#include "client/session.h"
#include "client/subscriptionsmodel.h"
#include "support/serviceprocess.h"
#include "support/sseclient.h"
#include "widgets/connectiondialog.h"
#include "widgets/documentview.h"
#include "widgets/eventsview.h"
#include "widgets/mainwindow.h"
#include "widgets/streameditor.h"
#include "widgets/subscriptionsview.h"
#include "widgets/webhookeditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace console;

void TestConsole::emptyEditorSaysNothing()
{
    // Nothing selected (before any connection, after a delete): no note about an entry
    // that is not there. A core entry shown read-only says so.
    StreamEditor editor;
    editor.setEntry({}, true);
    QCOMPARE(editor.problemsLabel()->text(), QString());
    editor.setEntry({{QStringLiteral("id"), QStringLiteral("s")},
                     {QStringLiteral("name"), QStringLiteral("S")}},
                    true);
    QVERIFY2(editor.problemsLabel()->text().startsWith(QLatin1String("Read-only")),
             qPrintable(editor.problemsLabel()->text()));
    editor.setEntry({}, true);
    QCOMPARE(editor.problemsLabel()->text(), QString());
}

void TestConsole::addConnectionWithDevelopmentToken()
{
    m_window->addConnection();
    ConnectionDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<ConnectionDialog *>()) && dialog->isVisible());
    QCOMPARE(dialog->urlEdit()->text(), QStringLiteral("http://localhost:3334")); // pre-filled
    dialog->nameEdit()->setText(QStringLiteral("test service"));
    dialog->urlEdit()->setText(m_service.url(QString()).toString());
    dialog->tenantEdit()->setText(QStringLiteral("demo"));
    dialog->authCombo()->setCurrentIndex(int(Connection::Auth::DevIssuer));
    dialog->devBinaryEdit()->setText(QStringLiteral(PUSH_SERVICE_BINARY));
    dialog->devDataDirEdit()->setText(m_service.dataDir());
    dialog->accept();
    QTRY_VERIFY(m_window->session());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->tokens().hasToken(), 15000);
    QCOMPARE(m_window->session()->tokens().claims().value(QLatin1String("sub")).toString(),
             QStringLiteral("push-console"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->activity().state(), ActivityStream::State::Open,
                              10000);
    QTRY_VERIFY(m_window->statusLabel()->text().contains(QLatin1String("live")));
    // the streams of tenant demo and, read-only, the core's
    QTRY_VERIFY(m_window->streams()->entries().contains(QLatin1String("application-health")));
    QCOMPARE(m_window->streams()->tree()->topLevelItemCount(), 2);
    QVERIFY(
        m_window->streams()->tree()->topLevelItem(1)->text(0).contains(QLatin1String("read-only")));
    // remembered
    QSettings reread(settingsPath(), QSettings::IniFormat);
    QCOMPARE(ConnectionStore::load(reread).size(), 1);
    QCOMPARE(ConnectionStore::lastUsed(reread), m_window->session()->connection().id);
}

void TestConsole::secretsGoToTheKeychain()
{
    Connection bearer;
    bearer.id = QStringLiteral("bearer-test");
    bearer.name = QStringLiteral("pasted");
    bearer.url = m_service.url(QString());
    bearer.tenant = QStringLiteral("demo");
    bearer.auth = Connection::Auth::Bearer;
    const QString secret =
        QStringLiteral("not-a-real-token-%1").arg(QDateTime::currentMSecsSinceEpoch());
    QString error = QStringLiteral("pending");
    m_window->saveConnection(bearer, secret, [&error](const QString &e) { error = e; });
    QTRY_VERIFY_WITH_TIMEOUT(error != QLatin1String("pending"), 10000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // read back through a fresh store: from the keychain, not from this process's memory
    SecretStore fresh;
    QString readBack;
    QString readError = QStringLiteral("pending");
    SecretStore &store = fresh.isKeychain() ? fresh : m_window->secrets();
    store.read(bearer.secretKey(), this, [&](const QString &value, const QString &e) {
        readBack = value;
        readError = e;
    });
    QTRY_VERIFY_WITH_TIMEOUT(readError != QLatin1String("pending"), 10000);
    QCOMPARE(readBack, secret); // through the keychain (or, without one, the memory store)
    m_settings->sync();
    QFile file(settingsPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray ini = file.readAll();
    QVERIFY(ini.contains("pasted"));
    QVERIFY2(!ini.contains(secret.toUtf8()), "the secret is not in the settings file");
    bool removed = false;
    store.remove(bearer.secretKey(), this, [&](const QString &) { removed = true; });
    QTRY_VERIFY(removed);
}

void TestConsole::badIdIsAValidationError()
{
    QVERIFY(connectWindow());
    m_window->tabs()->setCurrentIndex(MainWindow::StreamsTab);
    m_window->streams()->newEntry();
    StreamEditor *editor = streamEditor();
    const QByteArray admin = tenantAdminToken();
    auto revisions = [&] { // the newest revision's number (revisions are paged)
        return m_service
            .request("GET",
                     QStringLiteral(
                         "/configuration/v2/configuration/platform/push-service/revisions?top=1"),
                     {}, {{"Authorization", "Bearer " + admin}})
            .json()
            .value(QLatin1String("results"))
            .toArray()
            .first()
            .toObject()
            .value(QLatin1String("revision"))
            .toInteger();
    };
    const qsizetype before = revisions();
    QVERIFY(before >= 1);
    QTest::keyClicks(editor->idEdit(), QStringLiteral("bad id!"));
    QVERIFY2(editor->problemsLabel()->text().contains(QLatin1String("must match")),
             qPrintable(editor->problemsLabel()->text()));
    QVERIFY(!editor->problems().isEmpty());
    m_window->streams()->save(); // refused before it reaches the server
    QVERIFY(m_window->streams()->banner()->text().startsWith(QLatin1String("Not saved")));
    QVERIFY(m_window->streams()->banner()->text().contains(QLatin1String("must match")));
    QCOMPARE(revisions(), before); // nothing was sent
}

void TestConsole::createStreamThroughTheForm()
{
    QVERIFY(connectWindow());
    fillOrdersForm(QStringLiteral("orders-form"));
    StreamEditor *editor = streamEditor();
    QVERIFY2(editor->problems().isEmpty(), qPrintable(editor->problems().join(QLatin1Char('\n'))));
    // the JSON view follows the form
    const QJsonObject json =
        QJsonDocument::fromJson(editor->jsonEdit()->toPlainText().toUtf8()).object();
    QCOMPARE(json.value(QLatin1String("id")).toString(), QStringLiteral("orders-form"));
    QCOMPARE(json.value(QLatin1String("publicSubscribe")).toBool(), true);
    const QJsonObject event = json.value(QLatin1String("events")).toArray().first().toObject();
    QCOMPARE(event.value(QLatin1String("map")).toObject().value(QLatin1String("order")).toString(),
             QStringLiteral("payload.id"));
    QCOMPARE(event.value(QLatin1String("criteria")).toObject(),
             QJsonObject({{QStringLiteral("context"),
                           QJsonObject{{QStringLiteral("env"), QStringLiteral("prod")}}}}));
    // and the form follows the JSON view
    QString text = editor->jsonEdit()->toPlainText();
    text.replace(QLatin1String("\"Orders\""), QLatin1String("\"Orders placed\""));
    editor->jsonEdit()->setPlainText(text);
    QCOMPARE(editor->nameEdit()->text(), QStringLiteral("Orders placed"));
    QVERIFY(m_window->streams()->isDirty());
}

void TestConsole::savedStreamIsServedOverSse()
{
    QVERIFY(connectWindow());
    fillOrdersForm(QStringLiteral("orders-sse"));
    QVERIFY2(streamEditor()->problems().isEmpty(),
             qPrintable(streamEditor()->problems().join(QLatin1Char('\n'))));
    QSignalSpy saved(m_window->streams(), &DocumentView::saved);
    m_window->streams()->save();
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, 10000);
    QVERIFY(!m_window->streams()->isDirty());
    const QJsonObject stored = m_service.get(QStringLiteral("/stream/v1/streams?tenant=demo"))
                                   .json()
                                   .value(QLatin1String("orders-sse"))
                                   .toObject();
    QCOMPARE(stored.value(QLatin1String("name")).toString(), QStringLiteral("Orders"));
    SseClient sse;
    sse.open(m_service.port(), "/stream/v1/streams/orders-sse?tenant=demo");
    QTRY_COMPARE(sse.status(), 200);
    QCOMPARE(m_service
                 .publish(QStringLiteral("demo"),
                          ServiceProcess::event(
                              QStringLiteral("order-service"), QStringLiteral("order-placed"),
                              {{QStringLiteral("id"), 42}, {QStringLiteral("total"), 9.5}},
                              QStringLiteral("order-42"),
                              {{QStringLiteral("env"), QStringLiteral("prod")}}))
                 .status,
             200);
    QTRY_COMPARE(sse.events().size(), 1);
    const QJsonObject item = sse.events().first().json();
    QCOMPARE(item.value(QLatin1String("order")).toInt(), 42); // the projection from the form
    QCOMPARE(item.value(QLatin1String("total")).toDouble(), 9.5);
    QVERIFY(!item.contains(QLatin1String("payload")));
}

void TestConsole::subscriberAppearsInTheLiveTable()
{
    QVERIFY(addStream(QStringLiteral("orders-live-table"), QStringLiteral("Live table")));
    QVERIFY(addStream(QStringLiteral("orders-live-other"), QStringLiteral("Live table, other")));
    QVERIFY(connectWindow());
    m_window->tabs()->setCurrentIndex(MainWindow::SubscriptionsTab);
    SubscriptionsModel *model = m_window->subscriptions()->model();
    SseClient sse;
    sse.open(m_service.port(), "/stream/v1/streams/orders-live-table?tenant=demo");
    QTRY_COMPARE(sse.status(), 200);
    QTRY_COMPARE(rowsFor(model, QStringLiteral("orders-live-table")), 1);
    int row = -1;
    for (int r = 0; r < model->rowCount(); ++r) {
        if (model->data(model->index(r, SubscriptionsModel::Stream)).toString() ==
            QLatin1String("orders-live-table"))
            row = r;
    }
    QCOMPARE(model->data(model->index(row, SubscriptionsModel::Transport)).toString(),
             QStringLiteral("sse"));
    QCOMPARE(model->data(model->index(row, SubscriptionsModel::Address)).toString(),
             QStringLiteral("127.0.0.1"));
    // a second subscriber, seen through the feed alone (no list read: no polling)
    SseClient other;
    other.open(m_service.port(), "/stream/v1/streams/orders-live-other?tenant=demo");
    QTRY_COMPARE(rowsFor(model, QStringLiteral("orders-live-other")), 1);
    m_window->subscriptions()->filter()->setText(QStringLiteral("orders-live-other"));
    QCOMPARE(m_window->subscriptions()->proxy()->rowCount(), 1);
    m_window->subscriptions()->filter()->clear();
    other.close();
    QTRY_COMPARE(rowsFor(model, QStringLiteral("orders-live-other")), 0); // gone, through the feed
    QCOMPARE(rowsFor(model, QStringLiteral("orders-live-table")), 1);
}

void TestConsole::eventAppearsInTheLiveView()
{
    QVERIFY(addStream(QStringLiteral("orders-live-view"), QStringLiteral("Live view")));
    QVERIFY(connectWindow());
    SseClient sse;
    sse.open(m_service.port(), "/stream/v1/streams/orders-live-view?tenant=demo");
    QTRY_COMPARE(sse.status(), 200);
    m_window->tabs()->setCurrentIndex(MainWindow::EventsTab);
    EventsModel *model = m_window->events()->model();
    QCOMPARE(m_service
                 .publish(QStringLiteral("demo"),
                          ServiceProcess::event(
                              QStringLiteral("order-service"), QStringLiteral("orders-live-view"),
                              {{QStringLiteral("id"), 44}}, QStringLiteral("order-live-44")))
                 .status,
             200);
    QTRY_COMPARE(sse.events().size(), 1);
    int row = -1;
    QTRY_VERIFY([&] {
        for (int r = 0; r < model->rowCount(); ++r) {
            if (model->data(model->index(r, EventsModel::CorrelationId)).toString() ==
                QLatin1String("order-live-44"))
                row = r;
        }
        return row >= 0;
    }());
    QCOMPARE(model->data(model->index(row, EventsModel::Event)).toString(),
             QStringLiteral("order-service:orders-live-view"));
    QCOMPARE(model->data(model->index(row, EventsModel::Streams)).toString(),
             QStringLiteral("orders-live-view"));
    QCOMPARE(model->data(model->index(row, EventsModel::Deliveries)).toInt(), 1);
    // pause keeps new events aside, resume shows them; the detail pane shows the JSON
    m_window->events()->pauseButton()->setChecked(true);
    const int before = model->rowCount();
    QCOMPARE(m_service
                 .publish(QStringLiteral("demo"),
                          ServiceProcess::event(QStringLiteral("order-service"),
                                                QStringLiteral("orders-live-view"),
                                                {{QStringLiteral("id"), 45}}))
                 .status,
             200);
    QTRY_COMPARE(model->pendingCount(), 1);
    QCOMPARE(model->rowCount(), before);
    m_window->events()->pauseButton()->setChecked(false);
    QCOMPARE(model->rowCount(), before + 1);
    m_window->events()->table()->selectRow(row);
    QVERIFY(
        m_window->events()->detail()->toPlainText().contains(QLatin1String("\"order-live-44\"")));
}

void TestConsole::disconnectSubscriber()
{
    QVERIFY(addStream(QStringLiteral("orders-disconnect"), QStringLiteral("Disconnect")));
    QVERIFY(connectWindow());
    SseClient sse;
    sse.open(m_service.port(), "/stream/v1/streams/orders-disconnect?tenant=demo");
    QTRY_COMPARE(sse.status(), 200);
    m_window->tabs()->setCurrentIndex(MainWindow::SubscriptionsTab);
    m_window->subscriptions()->filter()->setText(QStringLiteral("orders-disconnect"));
    QTableView *table = m_window->subscriptions()->table();
    QTRY_COMPARE(table->model()->rowCount(), 1);
    table->selectRow(0);
    m_window->subscriptions()->disconnectSelected();
    QTRY_VERIFY(sse.disconnectedByServer());
    QVERIFY(sse.comments().join('\n').contains(
        "closed: disconnected by an administrator (push-console)"));
    QTRY_COMPARE(rowsFor(m_window->subscriptions()->model(), QStringLiteral("orders-disconnect")),
                 0);
}

void TestConsole::webhookEditorSavesIntoTheWebhooksKey()
{
    QVERIFY(addStream(QStringLiteral("orders-beside-hooks"), QStringLiteral("Beside hooks")));
    QVERIFY(connectWindow());
    m_window->tabs()->setCurrentIndex(MainWindow::WebhooksTab);
    DocumentView *view = m_window->webhooks();
    view->newEntry();
    auto *editor = static_cast<WebhookEditor *>(view->editor());
    QTest::keyClicks(editor->idEdit(), QStringLiteral("orders-hook"));
    QTest::keyClicks(editor->urlEdit(), QStringLiteral("http://127.0.0.1:9/hook"));
    QVERIFY(editor->jsonEdit()->toPlainText().contains(
        QLatin1String("\"url\": \"http://127.0.0.1:9/hook\"")));
    QString json = editor->jsonEdit()->toPlainText();
    json.replace(QLatin1String("\"name\": \"\""), QLatin1String("\"name\": \"Orders hook\""));
    editor->jsonEdit()->setPlainText(json);
    editor->addEventRow(QStringLiteral("order-service"), QStringLiteral("order-placed"));
    QVERIFY2(editor->problems().isEmpty(), qPrintable(editor->problems().join(QLatin1Char('\n'))));
    QSignalSpy saved(view, &DocumentView::saved);
    view->save();
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, 10000);
    const QJsonObject document =
        m_service
            .request("GET", QStringLiteral("/configuration/v2/configuration/platform/push-service"),
                     {}, {{"Authorization", "Bearer " + tenantAdminToken()}})
            .json();
    const QJsonObject hook = document.value(QLatin1String("webhooks"))
                                 .toObject()
                                 .value(QLatin1String("orders-hook"))
                                 .toObject();
    QCOMPARE(hook.value(QLatin1String("url")).toString(),
             QStringLiteral("http://127.0.0.1:9/hook"));
    QCOMPARE(hook.value(QLatin1String("events")).toArray().size(), 1);
    // the streams are left as they were
    QVERIFY(document.contains(QLatin1String("orders-beside-hooks")));
}

void TestConsole::unsavedChangesAreNotLostSilently()
{
    QVERIFY(addStream(QStringLiteral("orders-unsaved"), QStringLiteral("Unsaved")));
    QVERIFY(connectWindow());
    m_window->tabs()->setCurrentIndex(MainWindow::StreamsTab);
    DocumentView *view = m_window->streams();
    QTRY_VERIFY(inTree(view, QStringLiteral("orders-unsaved")));
    QVERIFY(view->selectEntry(QStringLiteral("orders-unsaved")));
    QTest::keyClicks(streamEditor()->nameEdit(), QStringLiteral(" (edited)"));
    QVERIFY(view->isDirty());
    int asked = 0;
    DocumentView::askToSave = [&asked](QWidget *, const QString &) {
        ++asked;
        return -1; // Cancel
    };
    QVERIFY(!view->selectEntry(QStringLiteral("application-health")));
    QCOMPARE(asked, 1);
    QCOMPARE(view->currentId(), QStringLiteral("orders-unsaved"));
    QVERIFY(view->isDirty());
    DocumentView::askToSave = [&asked](QWidget *, const QString &) {
        ++asked;
        return 0; // Discard
    };
    QVERIFY(view->selectEntry(QStringLiteral("application-health")));
    QCOMPARE(asked, 2);
    QVERIFY(!view->isDirty());
    QCOMPARE(view->currentId(), QStringLiteral("application-health"));

    // Save: the change reaches the server, then the selection moves on
    QVERIFY(view->selectEntry(QStringLiteral("orders-unsaved")));
    QTest::keyClicks(streamEditor()->nameEdit(), QStringLiteral(" (saved on the way)"));
    DocumentView::askToSave = [&asked](QWidget *, const QString &) {
        ++asked;
        return 1; // Save
    };
    QSignalSpy saved(view, &DocumentView::saved);
    QVERIFY(!view->selectEntry(QStringLiteral("application-health"))); // not yet
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, 10000);
    QTRY_COMPARE(view->currentId(), QStringLiteral("application-health"));
    QCOMPARE(asked, 3);
    QCOMPARE(m_service.get(QStringLiteral("/stream/v1/streams?tenant=demo"))
                 .json()
                 .value(QLatin1String("orders-unsaved"))
                 .toObject()
                 .value(QLatin1String("name"))
                 .toString(),
             QStringLiteral("Unsaved (saved on the way)"));
}

void TestConsole::clientCredentialsTokensAreRenewed()
{
    // The endpoint hands out tokens the service trusts (the development issuer's), with a
    // short lifetime, so that the renewal comes within the test.
    TokenEndpoint endpoint;
    const QByteArray token = m_service.token(
        {QStringLiteral("--tenant"), QStringLiteral("demo"), QStringLiteral("--sub"),
         QStringLiteral("robot"), QStringLiteral("--roles"),
         QStringLiteral("urn:ads:platform:tenant-service:tenant-admin")});
    endpoint.answer = {{QStringLiteral("access_token"), QString::fromLatin1(token)},
                       {QStringLiteral("expires_in"), 6},
                       {QStringLiteral("token_type"), QStringLiteral("Bearer")}};
    Connection robot;
    robot.id = QStringLiteral("robot");
    robot.name = QStringLiteral("robot");
    robot.url = m_service.url(QString());
    robot.tenant = QStringLiteral("demo");
    robot.auth = Connection::Auth::ClientCredentials;
    robot.tokenEndpoint = endpoint.url();
    robot.clientId = QStringLiteral("push console");
    QString error = QStringLiteral("pending");
    m_window->saveConnection(robot, QStringLiteral("s3cret+/="),
                             [&error](const QString &e) { error = e; });
    QTRY_VERIFY_WITH_TIMEOUT(error != QLatin1String("pending"), 10000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(m_window->connectTo(QStringLiteral("robot")));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session() &&
                                 m_window->session()->connection().id == QLatin1String("robot") &&
                                 m_window->session()->tokens().hasToken(),
                             10000);
    QCOMPARE(m_window->session()->tokens().token(), token);
    QCOMPARE(endpoint.bodies.size(), 1);
    // the secret from the keychain, every value percent-encoded ('+' is not a space)
    QCOMPARE(endpoint.bodies.first(), QByteArray("grant_type=client_credentials&client_id=push%"
                                                 "20console&client_secret=s3cret%2B%2F%3D"));
    QTRY_VERIFY(m_window->streams()->entries().contains(
        QLatin1String("application-health")));                   // the token works
    QTRY_COMPARE_WITH_TIMEOUT(endpoint.bodies.size(), 2, 15000); // renewed before expiry
    // an endpoint that refuses: said in words, in the status bar
    endpoint.status = 401;
    endpoint.answer = {
        {QStringLiteral("error"), QStringLiteral("invalid_client")},
        {QStringLiteral("error_description"), QStringLiteral("Invalid client secret")}};
    QTRY_VERIFY_WITH_TIMEOUT(
        m_window->statusLabel()->text().contains(QLatin1String("Invalid client secret")) ||
            m_window->session()->tokens().lastError().contains(
                QLatin1String("Invalid client secret")),
        15000);
}

QTEST_MAIN(TestConsole)
