// The fixture of tst_console (consoletest.h): a window per test function, a connection
// without the dialog, streams added through the API.
#include "consoletest.h"
#include "consolehelpers.h"

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
    return consoletest::tenantAdminToken(m_service);
}

bool TestConsole::connectWindow()
{
    return consoletest::connectWindow(*m_window, m_service);
}

bool TestConsole::addStream(const QString &id, const QString &name) const
{
    return consoletest::addStream(m_service, id, name);
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
    return consoletest::inTree(view, id);
}

int TestConsole::rowsFor(const SubscriptionsModel *model, const QString &stream)
{
    int rows = 0;
    for (int r = 0; r < model->rowCount(); ++r)
        rows += model->data(model->index(r, SubscriptionsModel::Stream)).toString() == stream;
    return rows;
}
