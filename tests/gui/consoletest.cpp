// The fixture of tst_console (consoletest.h): a window per test function, a connection
// without the dialog, streams added through the API.
#include "consoletest.h"

#include "client/secretstore.h"
#include "client/session.h"

#include <QCheckBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QTableWidget>
#include <QTest>
#include <QTreeWidget>

using namespace console;

void TestConsole::initTestCase()
{
    QVERIFY(m_service.start());
    m_defaultConfirm = DocumentView::confirm;
    m_defaultAskToSave = DocumentView::askToSave;
    if (SecretStore().isKeychain())
        qInfo("secrets: the system keychain (QtKeychain's Secret Service backend)");
    else
        qWarning("secrets: NO keychain service on this machine, the test uses QtKeychain's place "
                 "taken by an in-memory store (PUSH_CONSOLE_SECRETS=memory)");
}

void TestConsole::cleanupTestCase()
{
    m_service.stop();
}

void TestConsole::init()
{
    // No modal question in a test: deleting says yes; an unsaved change nobody expected
    // fails the function (and is kept: Cancel).
    DocumentView::confirm = [](QWidget *, const QString &, const QString &) { return true; };
    DocumentView::askToSave = [](QWidget *, const QString &text) {
        qWarning("unexpected question: %s", qPrintable(text));
        return -1;
    };
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(settingsPath(), QSettings::IniFormat);
    m_window = std::make_unique<MainWindow>(*m_settings);
    m_window->show();
}

void TestConsole::cleanup()
{
    m_window.reset();
    m_settings.reset();
    m_dir.reset();
    DocumentView::confirm = m_defaultConfirm;
    DocumentView::askToSave = m_defaultAskToSave;
}

QByteArray TestConsole::tenantAdminToken() const
{
    return m_service.token({QStringLiteral("--tenant"), QStringLiteral("demo"),
                            QStringLiteral("--roles"),
                            QStringLiteral("urn:ads:platform:tenant-service:tenant-admin")});
}

bool TestConsole::connectWindow()
{
    Connection dev;
    dev.id = QStringLiteral("dev");
    dev.name = QStringLiteral("test service");
    dev.url = m_service.url(QString());
    dev.tenant = QStringLiteral("demo");
    dev.auth = Connection::Auth::DevIssuer;
    dev.devBinary = QStringLiteral(PUSH_SERVICE_BINARY);
    dev.devDataDir = m_service.dataDir();
    QString error = QStringLiteral("pending");
    m_window->saveConnection(dev, QString(), [&error](const QString &e) { error = e; });
    if (!QTest::qWaitFor([&] { return error != QLatin1String("pending"); }, 10000) ||
        !error.isEmpty() || !m_window->connectTo(dev.id))
        return false;
    return QTest::qWaitFor(
        [&] {
            Session *session = m_window->session();
            // The trees are filled once both documents (the tenant's, the core's) are in.
            return session && session->tokens().hasToken() &&
                   session->activity().state() == ActivityStream::State::Open &&
                   inTree(m_window->streams(), QStringLiteral("application-health")) &&
                   m_window->webhooks()->tree()->topLevelItemCount() > 0;
        },
        20000);
}

bool TestConsole::addStream(const QString &id, const QString &name) const
{
    const QJsonObject stream{
        {QStringLiteral("id"), id},
        {QStringLiteral("name"), name},
        {QStringLiteral("publicSubscribe"), true},
        {QStringLiteral("events"),
         QJsonArray{QJsonObject{{QStringLiteral("namespace"), QStringLiteral("order-service")},
                                {QStringLiteral("name"), id}}}}};
    const QJsonObject patch{{QStringLiteral("operation"), QStringLiteral("UPDATE")},
                            {QStringLiteral("update"), QJsonObject{{id, stream}}}};
    return m_service
               .request("PATCH",
                        QStringLiteral("/configuration/v2/configuration/platform/push-service"),
                        QJsonDocument(patch).toJson(QJsonDocument::Compact),
                        {{"Authorization", "Bearer " + tenantAdminToken()},
                         {"Content-Type", "application/json"}})
               .status == 200;
}

void TestConsole::fillOrdersForm(const QString &id)
{
    m_window->tabs()->setCurrentIndex(MainWindow::StreamsTab);
    m_window->streams()->newEntry();
    StreamEditor *editor = streamEditor();
    QTest::keyClicks(editor->idEdit(), id);
    QTest::keyClicks(editor->nameEdit(), QStringLiteral("Orders"));
    editor->publicBox()->setChecked(true);
    editor->addEventRow(QStringLiteral("order-service"), QStringLiteral("order-placed"));
    QTableWidget *events = editor->eventsTable();
    events->item(0, 2)->setText(QStringLiteral("order=payload.id, total=payload.total"));
    events->item(0, 4)->setText(QStringLiteral("env=prod"));
}

bool TestConsole::inTree(const DocumentView *view, const QString &id)
{
    for (int g = 0; g < view->tree()->topLevelItemCount(); ++g) {
        const QTreeWidgetItem *group = view->tree()->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i) {
            if (group->child(i)->text(0) == id)
                return true;
        }
    }
    return false;
}

int TestConsole::rowsFor(const SubscriptionsModel *model, const QString &stream)
{
    int rows = 0;
    for (int r = 0; r < model->rowCount(); ++r)
        rows += model->data(model->index(r, SubscriptionsModel::Stream)).toString() == stream;
    return rows;
}
