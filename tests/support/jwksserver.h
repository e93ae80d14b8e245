#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTcpServer>

// A small real HTTP server on 127.0.0.1 that plays an identity server for tests: it
// serves a JWKS at Keycloak's /auth/realms/<realm>/protocol/openid-connect/certs, at
// /jwks, and OIDC discovery documents at <any path>/.well-known/openid-configuration
// (pointing at /jwks). It counts the requests per path.
class JwksServer final : public QObject
{
    Q_OBJECT

public:
    explicit JwksServer(QObject *parent = nullptr);
    bool start();
    quint16 port() const { return m_server.serverPort(); }
    QString baseUrl() const;

    void setJwks(const QJsonObject &jwks) { m_jwks = jwks; }
    // Requests served so far for paths containing `fragment` (all paths when empty).
    int requests(const QString &fragment = {}) const;

private:
    void onConnection();

    QTcpServer m_server;
    QJsonObject m_jwks;
    QHash<QString, int> m_requests;
};
