#include "mainwindow.h"

#include "client/secretstore.h"
#include "client/session.h"
#include "widgets/busyindicator.h"
#include "widgets/connectiondialog.h"
#include "widgets/dashboardview.h"
#include "widgets/documentview.h"
#include "widgets/eventsview.h"
#include "widgets/replaypanel.h"
#include "widgets/subscriptionsview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

namespace console {

MainWindow::MainWindow(QSettings &settings, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_secrets(new SecretStore(this))
    , m_connectionCombo(new QComboBox)
    , m_tabs(new QTabWidget)
    , m_dashboard(new DashboardView)
    , m_streams(new DocumentView(DocumentView::Kind::Streams))
    , m_webhooks(new DocumentView(DocumentView::Kind::Webhooks))
    , m_subscriptions(new SubscriptionsView)
    , m_events(new EventsView)
    , m_status(new QLabel)
    , m_busy(new BusyIndicator)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("push-console"));
    m_connectionCombo->setObjectName(QStringLiteral("connectionCombo"));
    m_connectionCombo->setMinimumContentsLength(40);
    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_tabs->addTab(m_dashboard, tr("&Dashboard"));
    m_tabs->addTab(m_streams, tr("&Streams"));
    m_tabs->addTab(m_webhooks, tr("&Webhooks"));
    m_tabs->addTab(m_subscriptions, tr("S&ubscriptions"));
    m_tabs->addTab(m_events, tr("&Events"));
    setCentralWidget(m_tabs);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_busy);
    for (DocumentView *view : {m_streams, m_webhooks})
        connect(view, &DocumentView::message, this, &MainWindow::showMessage);
    connect(m_subscriptions, &SubscriptionsView::message, this, &MainWindow::showMessage);
    connect(m_events, &EventsView::message, this, &MainWindow::showMessage);
    buildMenus();

    m_connections = ConnectionStore::load(m_settings);
    fillConnectionCombo();
    restoreGeometry(m_settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(m_settings.value(QStringLiteral("window/state")).toByteArray());
    m_tabs->setCurrentIndex(m_settings.value(QStringLiteral("window/tab"), StreamsTab).toInt());
    if (!restoreGeometry(m_settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1200, 760);
    updateStatus();
}

MainWindow::~MainWindow()
{
    // The session's parts report their state as they go: not to a half-destroyed window.
    if (m_session) {
        silence(m_session);
        delete m_session.data();
    }
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Add connection…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N), this,
                    &MainWindow::addConnection);
    file->addAction(tr("&Edit connection…"), this, &MainWindow::editConnection);
    file->addAction(tr("&Remove connection"), this, &MainWindow::removeConnection);
    file->addAction(tr("&Disconnect"), this, &MainWindow::disconnectFromService);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    const QStringList names{tr("Dashboard"), tr("Streams"), tr("Webhooks"), tr("Subscriptions"),
                            tr("Events")};
    for (int i = 0; i < names.size(); ++i)
        view->addAction(names.at(i), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this,
                        [this, i] { m_tabs->setCurrentIndex(i); });
    view->addSeparator();
    view->addAction(tr("&Refresh"), QKeySequence(Qt::Key_F5), this, &MainWindow::refreshAll);

    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(tr("&Publish test event…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
                     m_events, &EventsView::publishTestEvent);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About push-console"), this, &MainWindow::showAbout);

    QToolBar *bar = addToolBar(tr("Connection"));
    bar->setObjectName(QStringLiteral("connectionBar"));
    bar->addWidget(new QLabel(tr(" Service: ")));
    bar->addWidget(m_connectionCombo);
    bar->addAction(tr("Connect"), this,
                   [this] { connectTo(m_connectionCombo->currentData().toString()); });
    bar->addAction(tr("Add…"), this, &MainWindow::addConnection);
    bar->addAction(tr("Edit…"), this, &MainWindow::editConnection);
}

void MainWindow::fillConnectionCombo()
{
    const QString current =
        m_session ? m_session->connection().id : ConnectionStore::lastUsed(m_settings);
    m_connectionCombo->clear();
    for (const Connection &c : std::as_const(m_connections))
        m_connectionCombo->addItem(c.title(), c.id);
    const int index = m_connectionCombo->findData(current);
    if (index >= 0)
        m_connectionCombo->setCurrentIndex(index);
}

void MainWindow::saveConnection(const Connection &connection, const QString &secret,
                                std::function<void(const QString &)> done)
{
    auto store = [this, connection, done] {
        bool replaced = false;
        for (Connection &c : m_connections) {
            if (c.id == connection.id) {
                c = connection;
                replaced = true;
            }
        }
        if (!replaced)
            m_connections.append(connection);
        ConnectionStore::save(m_settings, m_connections);
        m_settings.sync();
        fillConnectionCombo();
        if (done)
            done(QString());
    };
    if (secret.isEmpty()) {
        store();
        return;
    }
    m_secrets->write(connection.secretKey(), secret, this,
                     [this, store, done](const QString &error) {
                         if (!error.isEmpty()) {
                             showMessage(tr("The secret could not be stored in %1: %2")
                                             .arg(m_secrets->backendName(), error),
                                         true);
                             if (done)
                                 done(error);
                             return;
                         }
                         store();
                     });
}

void MainWindow::openDialog(const Connection &connection, bool editing)
{
    auto *dialog = new ConnectionDialog(connection, editing, m_secrets->backendName(), this);
    dialog->setObjectName(QStringLiteral("connectionDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const Connection c = dialog->connection();
        saveConnection(c, dialog->secret(), [this, c](const QString &error) {
            if (error.isEmpty())
                connectTo(c.id);
        });
    });
    dialog->open();
}

void MainWindow::addConnection()
{
    Connection blank;
    blank.url = QUrl(QStringLiteral("http://localhost:3334"));
    blank.tenant = QStringLiteral("demo");
    blank.name = QStringLiteral("local");
    openDialog(blank, false);
}

void MainWindow::editConnection()
{
    const QString id = m_connectionCombo->currentData().toString();
    for (const Connection &c : std::as_const(m_connections)) {
        if (c.id == id) {
            openDialog(c, true);
            return;
        }
    }
}

void MainWindow::removeConnection()
{
    const QString id = m_connectionCombo->currentData().toString();
    if (id.isEmpty() || !DocumentView::confirm(this, tr("Remove connection"),
                                               tr("Forget this connection and its stored secret?")))
        return;
    if (m_session && m_session->connection().id == id) {
        whenAllSaved([this, id] {
            dropSession();
            forget(id);
        });
        return;
    }
    forget(id);
}

void MainWindow::forget(const QString &id)
{
    for (qsizetype i = 0; i < m_connections.size(); ++i) {
        if (m_connections.at(i).id == id) {
            m_secrets->remove(m_connections.at(i).secretKey(), this);
            m_connections.removeAt(i);
            break;
        }
    }
    ConnectionStore::save(m_settings, m_connections);
    fillConnectionCombo();
}

void MainWindow::whenAllSaved(std::function<void()> proceed)
{
    m_streams->whenSaved([this, proceed] { m_webhooks->whenSaved(proceed); });
}

bool MainWindow::connectTo(const QString &idOrName)
{
    const Connection *found = nullptr;
    for (const Connection &c : std::as_const(m_connections)) {
        if (c.id == idOrName || c.name == idOrName)
            found = &c;
    }
    if (!found)
        return false;
    whenAllSaved([this, connection = *found] { open(connection); });
    return true;
}

void MainWindow::open(const Connection &connection)
{
    const Connection *found = &connection;
    dropSession();
    auto *session = new Session(*found, *m_secrets, this);
    m_session = session;
    ConnectionStore::setLastUsed(m_settings, found->id);
    setWindowTitle(QStringLiteral("push-console — %1").arg(found->title()));
    connect(&session->client(), &ServiceClient::callStarted, m_busy, &BusyIndicator::track);
    connect(session, &Session::tokenFailed, this, [this](const QString &error) {
        showMessage(tr("No token: %1").arg(error), true);
        updateStatus();
    });
    connect(&session->tokens(), &TokenSource::tokenChanged, this, &MainWindow::updateStatus);
    connect(&session->activity(), &ActivityStream::stateChanged, this, &MainWindow::updateStatus);
    connect(&session->activity(), &ActivityStream::itemReceived, this,
            [this](const QString &type, const QJsonObject &item) {
                m_subscriptions->onActivity(type, item);
                m_events->onActivity(type, item);
                if (type == QLatin1String("configuration-changed")) {
                    m_streams->onConfigurationChanged(item);
                    m_webhooks->onConfigurationChanged(item);
                }
            });
    connect(&session->activity(), &ActivityStream::resyncNeeded, m_subscriptions,
            &SubscriptionsView::refresh);
    connect(session, &Session::ready, this, [this, session] {
        for (DocumentView *view : {m_streams, m_webhooks})
            view->setSession(session);
        m_subscriptions->setSession(session);
        m_events->setSession(session);
        m_dashboard->setSession(session);
        ApiReply *root = session->client().get(QStringLiteral("/"));
        connect(root, &ApiReply::finished, this, [this, root] {
            m_serverVersion = root->object().value(QLatin1String("version")).toString();
            updateStatus();
        });
        updateStatus();
    });
    session->start();
    updateStatus();
}

void MainWindow::disconnectFromService()
{
    whenAllSaved([this] { dropSession(); });
}

void MainWindow::silence(Session *session)
{
    session->disconnect(this);
    session->activity().disconnect(this);
    session->activity().disconnect(m_subscriptions);
    session->tokens().disconnect(this);
    session->client().disconnect(m_busy);
}

void MainWindow::dropSession()
{
    if (!m_session)
        return;
    // Nothing of the old session reaches the window any more (its replies are aborted
    // below; the object itself goes later).
    silence(m_session);
    for (DocumentView *view : {m_streams, m_webhooks})
        view->setSession(nullptr);
    m_subscriptions->setSession(nullptr);
    m_events->setSession(nullptr);
    m_dashboard->setSession(nullptr);
    m_busy->cancelAll();
    m_session->deleteLater();
    m_session = nullptr;
    m_serverVersion.clear();
    setWindowTitle(QStringLiteral("push-console"));
    updateStatus();
}

void MainWindow::updateStatus()
{
    if (!m_session) {
        m_status->setText(m_connections.isEmpty() ? tr("No connection yet: File ▸ Add connection…")
                                                  : tr("Not connected"));
        return;
    }
    TokenSource &tokens = m_session->tokens();
    QString text;
    if (!tokens.hasToken()) {
        text = tokens.lastError().isEmpty() ? tr("Getting a token…")
                                            : tr("No token: %1").arg(tokens.lastError());
    } else {
        text =
            tr("Connected to %1 as %2").arg(m_session->connection().url.toString(), tokens.who());
        if (tokens.expiresAt().isValid())
            text += tr("; token until %1")
                        .arg(tokens.expiresAt().toLocalTime().toString(QStringLiteral("HH:mm")));
        if (!tokens.lastError().isEmpty())
            text += tr("; cannot renew the token: %1").arg(tokens.lastError());
        switch (m_session->activity().state()) {
        case ActivityStream::State::Open:
            text += tr("; live");
            break;
        case ActivityStream::State::Connecting:
            text +=
                m_session->activity().lastError().isEmpty()
                    ? tr("; opening the activity feed…")
                    : tr("; activity feed: %1 (retrying)").arg(m_session->activity().lastError());
            break;
        case ActivityStream::State::Stopped:
            break;
        }
        if (!m_serverVersion.isEmpty())
            text += tr("; push-service %1").arg(m_serverVersion);
    }
    m_status->setText(text);
}

void MainWindow::showMessage(const QString &text, bool error)
{
    statusBar()->showMessage(text, error ? 15000 : 5000);
}

void MainWindow::refreshAll()
{
    if (!m_session)
        return;
    m_streams->reload();
    m_webhooks->reload();
    m_subscriptions->refresh();
    m_events->replay()->loadStreams();
    m_dashboard->sample();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About push-console"),
        tr("<h3>push-console %1</h3>"
           "<p>The admin console of Qt Push Service: stream and webhook configuration, live "
           "subscriptions and events.</p>"
           "<p>Qt %2 (built with %3)<br>QtKeychain, secrets in %4<br>Connected service: %5</p>")
            .arg(QStringLiteral(PUSH_VERSION), QString::fromLatin1(qVersion()),
                 QStringLiteral(QT_VERSION_STR), m_secrets->backendName(),
                 m_serverVersion.isEmpty() ? tr("none")
                                           : tr("push-service %1").arg(m_serverVersion)));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_closing && (m_streams->isDirty() || m_webhooks->isDirty())) {
        // Asked (and saved) first; the window closes once that is done.
        event->ignore();
        whenAllSaved([this] {
            m_closing = true;
            close();
        });
        return;
    }
    m_settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings.setValue(QStringLiteral("window/state"), saveState());
    m_settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    m_settings.sync();
    QMainWindow::closeEvent(event);
}

} // namespace console
