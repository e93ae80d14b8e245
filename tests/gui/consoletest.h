#pragma once

// The fixture of tst_console: the real push-console against a real push-service.
#include "client/subscriptionsmodel.h"
#include "support/serviceprocess.h"
#include "widgets/documentview.h"
#include "widgets/mainwindow.h"
#include "widgets/streameditor.h"

#include <QObject>
#include <QSettings>
#include <QTemporaryDir>

#include <memory>

// Every test function stands on its own: init() gives it a new main window over a
// settings file of its own (no connection yet), and the streams, subscribers and events
// it looks at are its own (ids no other function uses). cleanup() closes the window and
// puts DocumentView's question hooks back as they were.
class TestConsole final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void emptyEditorSaysNothing();
    void addConnectionWithDevelopmentToken();
    void secretsGoToTheKeychain();
    void badIdIsAValidationError();
    void createStreamThroughTheForm();
    void savedStreamIsServedOverSse();
    void subscriberAppearsInTheLiveTable();
    void eventAppearsInTheLiveView();
    void disconnectSubscriber();
    void webhookEditorSavesIntoTheWebhooksKey();
    void unsavedChangesAreNotLostSilently();
    void clientCredentialsTokensAreRenewed();

private:
    console::StreamEditor *streamEditor() const
    {
        return static_cast<console::StreamEditor *>(m_window->streams()->editor());
    }
    QString settingsPath() const { return m_dir->filePath(QStringLiteral("console.ini")); }
    QByteArray tenantAdminToken() const;
    // Connects the window to the service as a tenant administrator of demo (development
    // issuer), without the dialog; true once the streams and the activity feed are live.
    bool connectWindow();
    // Adds a public stream to demo, through the API, of the events order-service:<id> (its
    // own: no other function's events reach it).
    bool addStream(const QString &id, const QString &name) const;
    // A new stream `id` in the editor, filled in through the form: order-service:order-placed
    // events of context env=prod, projected to order and total.
    void fillOrdersForm(const QString &id);
    // Whether the view's tree lists `id` (entries() has it a moment earlier).
    static bool inTree(const console::DocumentView *view, const QString &id);
    // The rows of the live table for `stream`.
    static int rowsFor(const console::SubscriptionsModel *model, const QString &stream);

    ServiceProcess m_service;
    console::DocumentView::Confirm m_defaultConfirm;
    console::DocumentView::AskToSave m_defaultAskToSave;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<console::MainWindow> m_window;
};
