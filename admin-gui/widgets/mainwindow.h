#pragma once

#include "client/connection.h"
#include "client/session.h"

#include <QList>
#include <QMainWindow>
#include <QPointer>

#include <functional>

class QComboBox;
class QLabel;
class QSettings;
class QTabWidget;

namespace console {

class BusyIndicator;
class DashboardView;
class DocumentView;
class EventsView;
class SecretStore;
class Session;
class SubscriptionsView;

// push-console's window: the connections (a combo box in the tool bar, dialogs to add and
// edit them), and the views of the connected service in tabs — Dashboard, Streams,
// Webhooks, Subscriptions, Events. It remembers its layout and the last connection, and
// reconnects to it at start.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum Tab { DashboardTab, StreamsTab, WebhooksTab, SubscriptionsTab, EventsTab };

    MainWindow(QSettings &settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    SecretStore &secrets() { return *m_secrets; }
    Session *session() const { return m_session; }
    QList<Connection> connections() const { return m_connections; }
    QTabWidget *tabs() const { return m_tabs; }
    DashboardView *dashboard() const { return m_dashboard; }
    DocumentView *streams() const { return m_streams; }
    DocumentView *webhooks() const { return m_webhooks; }
    SubscriptionsView *subscriptions() const { return m_subscriptions; }
    EventsView *events() const { return m_events; }
    QLabel *statusLabel() const { return m_status; }

    // Stores a connection (its secret in the keychain first); `done` gets an error or "".
    void saveConnection(const Connection &connection, const QString &secret,
                        std::function<void(const QString &error)> done = {});
    // Connects to a known connection (by id or name), once unsaved changes are saved or
    // discarded; false when there is no such connection.
    bool connectTo(const QString &idOrName);

public slots:
    void addConnection();
    void editConnection();
    void removeConnection();
    void disconnectFromService();
    void showAbout();
    void refreshAll();
    void showMessage(const QString &text, bool error);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void fillConnectionCombo();
    void updateStatus();
    // Runs `proceed` once neither editor has unsaved changes (DocumentView::whenSaved).
    void whenAllSaved(std::function<void()> proceed);
    void open(const Connection &connection);
    void dropSession();
    // Disconnects every signal of `session` from the window and its views.
    void silence(Session *session);
    void forget(const QString &id);
    void openDialog(const Connection &connection, bool editing);

    QSettings &m_settings;
    SecretStore *m_secrets;
    QList<Connection> m_connections;
    QPointer<Session> m_session;
    QComboBox *m_connectionCombo;
    QTabWidget *m_tabs;
    DashboardView *m_dashboard;
    DocumentView *m_streams;
    DocumentView *m_webhooks;
    SubscriptionsView *m_subscriptions;
    EventsView *m_events;
    QLabel *m_status;
    BusyIndicator *m_busy;
    QString m_serverVersion;
    bool m_closing = false;
};

} // namespace console
