#pragma once

#include "client/connection.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QStackedWidget;

namespace console {

// Adds or edits a connection: the service URL, a tenant's view or the core's, and how to
// get a token — OIDC client credentials (token endpoint, client id, secret), a pasted
// bearer token, or the development issuer. The secret or token typed here goes to the
// keychain (the caller writes it); a connection being edited keeps its stored secret when
// the field is left empty.
class ConnectionDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDialog)

public:
    ConnectionDialog(const Connection &connection, bool editing, const QString &secretsBackend,
                     QWidget *parent = nullptr);

    Connection connection() const;
    // The client secret or bearer token typed (empty: unchanged).
    QString secret() const;

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *urlEdit() const { return m_url; }
    QLineEdit *tenantEdit() const { return m_tenant; }
    QRadioButton *coreButton() const { return m_core; }
    QComboBox *authCombo() const { return m_auth; }
    QLineEdit *devBinaryEdit() const { return m_devBinary; }
    QLineEdit *devDataDirEdit() const { return m_devDataDir; }
    QLineEdit *tokenEndpointEdit() const { return m_tokenEndpoint; }
    QLineEdit *clientIdEdit() const { return m_clientId; }
    QLineEdit *secretEdit() const { return m_secret; }
    QLineEdit *bearerEdit() const { return m_bearer; }

    void accept() override;

private:
    void buildTokenPages();
    void updatePages();

    Connection m_connection;
    bool m_editing;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QRadioButton *m_tenantScope;
    QRadioButton *m_core;
    QLineEdit *m_tenant;
    QComboBox *m_auth;
    QStackedWidget *m_pages;
    QLineEdit *m_devBinary;
    QLineEdit *m_devDataDir;
    QLineEdit *m_devRoles;
    QLineEdit *m_tokenEndpoint;
    QLineEdit *m_clientId;
    QLineEdit *m_secret;
    QLineEdit *m_bearer;
    QLabel *m_error;
};

} // namespace console
