#include "connectiondialog.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QStackedWidget>
#include <QUuid>
#include <QVBoxLayout>

namespace console {

ConnectionDialog::ConnectionDialog(const Connection &connection, bool editing,
                                   const QString &secretsBackend, QWidget *parent)
    : QDialog(parent)
    , m_connection(connection)
    , m_editing(editing)
    , m_name(new QLineEdit(connection.name))
    , m_url(new QLineEdit(connection.url.toString()))
    , m_tenantScope(new QRadioButton(tr("A tenant's administrator")))
    , m_core(new QRadioButton(tr("A core (platform) administrator")))
    , m_tenant(new QLineEdit(connection.tenant))
    , m_auth(new QComboBox)
    , m_pages(new QStackedWidget)
    , m_devBinary(new QLineEdit(connection.devBinary))
    , m_devDataDir(new QLineEdit(connection.devDataDir))
    , m_devRoles(new QLineEdit(connection.devRoles.join(QStringLiteral(", "))))
    , m_tokenEndpoint(new QLineEdit(connection.tokenEndpoint.toString()))
    , m_clientId(new QLineEdit(connection.clientId))
    , m_secret(new QLineEdit)
    , m_bearer(new QLineEdit)
    , m_error(new QLabel)
{
    setWindowTitle(editing ? tr("Edit connection") : tr("Add a connection"));
    m_name->setObjectName(QStringLiteral("connectionName"));
    m_url->setObjectName(QStringLiteral("connectionUrl"));
    m_url->setPlaceholderText(QStringLiteral("http://localhost:3334"));
    m_tenant->setPlaceholderText(tr("demo"));
    m_auth->addItems({tr("Development issuer (push-service token, same machine)"),
                      tr("OIDC client credentials"), tr("Pasted bearer token")});
    m_auth->setCurrentIndex(int(connection.auth));
    (connection.core ? m_core : m_tenantScope)->setChecked(true);
    auto *scopes = new QButtonGroup(this);
    scopes->addButton(m_tenantScope);
    scopes->addButton(m_core);

    buildTokenPages();

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Service URL"), m_url);
    auto *scopeBox = new QVBoxLayout;
    scopeBox->addWidget(m_tenantScope);
    scopeBox->addWidget(m_core);
    form->addRow(tr("As"), scopeBox);
    form->addRow(tr("Tenant"), m_tenant);
    form->addRow(tr("Token"), m_auth);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->setObjectName(QStringLiteral("connectionError"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_pages);
    layout->addWidget(
        new QLabel(tr("Secrets are kept in %1, never in the settings file.").arg(secretsBackend)));
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    connect(m_auth, &QComboBox::currentIndexChanged, this, &ConnectionDialog::updatePages);
    connect(m_core, &QRadioButton::toggled, this, &ConnectionDialog::updatePages);
    updatePages();
}

// One page per way of getting a token, shown by the "Token" choice.
void ConnectionDialog::buildTokenPages()
{
    m_devBinary->setPlaceholderText(tr("found next to the console or on PATH"));
    m_devDataDir->setPlaceholderText(tr("the service's default (~/.local/share/push-service)"));
    m_devRoles->setPlaceholderText(tr("administrator, event sender and stream listener"));
    auto *dev = new QWidget;
    auto *devForm = new QFormLayout(dev);
    devForm->addRow(tr("push-service"), m_devBinary);
    devForm->addRow(tr("Data directory"), m_devDataDir);
    devForm->addRow(tr("Roles"), m_devRoles);
    devForm->addRow(new QLabel(tr("Mints short-lived tokens with the service's development key. "
                                  "For development only.")));
    m_tokenEndpoint->setPlaceholderText(QStringLiteral(
        "https://access.example.org/auth/realms/demo/protocol/openid-connect/token"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_bearer->setEchoMode(QLineEdit::Password);
    if (m_editing) {
        m_secret->setPlaceholderText(tr("unchanged (kept in the keychain)"));
        m_bearer->setPlaceholderText(tr("unchanged (kept in the keychain)"));
    }
    auto *credentials = new QWidget;
    auto *credentialsForm = new QFormLayout(credentials);
    credentialsForm->addRow(tr("Token endpoint"), m_tokenEndpoint);
    credentialsForm->addRow(tr("Client id"), m_clientId);
    credentialsForm->addRow(tr("Client secret"), m_secret);
    auto *bearer = new QWidget;
    auto *bearerForm = new QFormLayout(bearer);
    bearerForm->addRow(tr("Token"), m_bearer);
    bearerForm->addRow(new QLabel(tr("A pasted token cannot be renewed: the console says when it "
                                     "expires.")));
    m_pages->addWidget(dev);
    m_pages->addWidget(credentials);
    m_pages->addWidget(bearer);
}

void ConnectionDialog::updatePages()
{
    m_pages->setCurrentIndex(m_auth->currentIndex());
    m_tenant->setPlaceholderText(m_core->isChecked()
                                     ? tr("the tenant to manage (empty: the core document)")
                                     : tr("the tenant, e.g. demo"));
}

Connection ConnectionDialog::connection() const
{
    Connection c = m_connection;
    if (c.id.isEmpty())
        c.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    c.name = m_name->text().trimmed();
    c.url = QUrl::fromUserInput(m_url->text().trimmed());
    c.core = m_core->isChecked();
    c.tenant = m_tenant->text().trimmed();
    c.auth = Connection::Auth(m_auth->currentIndex());
    c.devBinary = m_devBinary->text().trimmed();
    c.devDataDir = m_devDataDir->text().trimmed();
    c.devRoles.clear();
    for (const QString &role : m_devRoles->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        c.devRoles.append(role.trimmed());
    c.tokenEndpoint = QUrl(m_tokenEndpoint->text().trimmed());
    c.clientId = m_clientId->text().trimmed();
    if (c.name.isEmpty())
        c.name = c.url.host();
    return c;
}

QString ConnectionDialog::secret() const
{
    switch (Connection::Auth(m_auth->currentIndex())) {
    case Connection::Auth::ClientCredentials:
        return m_secret->text();
    case Connection::Auth::Bearer:
        return m_bearer->text().trimmed();
    case Connection::Auth::DevIssuer:
        break;
    }
    return QString();
}

void ConnectionDialog::accept()
{
    const Connection c = connection();
    QString problem;
    const QString scheme = c.url.scheme();
    if (!c.url.isValid() || c.url.host().isEmpty() ||
        (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        problem = tr("The service URL must be http:// or https:// with a host");
    else if (!c.core && c.tenant.isEmpty())
        problem = tr("A tenant's administrator names the tenant");
    else if (c.auth == Connection::Auth::ClientCredentials &&
             (!c.tokenEndpoint.isValid() || c.tokenEndpoint.host().isEmpty() ||
              c.clientId.isEmpty()))
        problem = tr("Client credentials need the token endpoint and the client id");
    else if (c.auth == Connection::Auth::ClientCredentials && !m_editing &&
             m_secret->text().isEmpty())
        problem = tr("Client credentials need the client secret");
    else if (c.auth == Connection::Auth::Bearer && !m_editing &&
             m_bearer->text().trimmed().isEmpty())
        problem = tr("Paste the bearer token");
    if (!problem.isEmpty()) {
        m_error->setText(problem);
        return;
    }
    QDialog::accept();
}

} // namespace console
