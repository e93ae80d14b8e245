#pragma once

#include "client/connection.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkAccessManager;
class QProcess;

namespace console {

class SecretStore;

// Where a connection's bearer token comes from, and keeping it fresh:
// - the development issuer: `push-service token` run with the service's data directory,
//   minted again before it expires;
// - OIDC client credentials: the token endpoint with the client id and the secret from the
//   keychain, fetched again at 80 % of its lifetime and at least 30 s before it runs out
//   (retried with a growing delay when the endpoint fails);
// - a pasted bearer token from the keychain: used until its `exp`, then reported expired.
// failed() says, in words for the person, when there is no usable token.
class TokenSource final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenSource)

public:
    TokenSource(Connection connection, SecretStore &secrets, QNetworkAccessManager *network,
                QObject *parent = nullptr);
    ~TokenSource() override;

    void start();
    QByteArray token() const { return m_token; }
    bool hasToken() const { return !m_token.isEmpty(); }
    QDateTime expiresAt() const { return m_expiresAt; }
    QString lastError() const { return m_lastError; }
    // The token's payload, read without verifying it (the service verifies).
    QJsonObject claims() const { return m_claims; }
    // Who the token says the caller is: "name (sub)".
    QString who() const;

    // The payload of a JWT (its middle part), or an empty object.
    static QJsonObject decodeClaims(const QByteArray &token);

signals:
    void tokenChanged();
    void failed(const QString &error);

private:
    void obtain();
    void mintDevToken();
    void fetchClientCredentials();
    void loadBearer();
    void accept(const QByteArray &token, qint64 lifetimeSeconds);
    void fail(const QString &error, int retryMs);

    Connection m_connection;
    SecretStore &m_secrets;
    QNetworkAccessManager *m_network;
    QPointer<QProcess> m_process;
    QTimer m_refresh;
    QByteArray m_token;
    QJsonObject m_claims;
    QDateTime m_expiresAt;
    QString m_lastError;
    int m_retryMs = 2000;
};

} // namespace console
