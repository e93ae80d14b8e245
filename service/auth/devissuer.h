#pragma once

#include "auth/keys.h"

#include <QString>
#include <QStringList>

namespace push::auth {

// The development token issuer of the embedded default: an RSA key kept in the data
// directory, trusted as the issuer of a local realm per tenant and `core`, so a newcomer
// can try private streams without a Keycloak. Tokens are shaped like Keycloak's.
class DevIssuer
{
public:
    static constexpr auto kIssuerPrefix = "http://push-service.localhost/auth/realms/";
    static constexpr auto kClientId = "push-service-dev";

    struct TokenRequest
    {
        QString realm;
        QString subject;
        QString name;
        QString email;
        QStringList roles; // "role" → realm_access; "<client>:<role>" → resource_access
        int ttlSeconds = 3600;
    };

    // Loads <dataDir>/dev-issuer-key.pem, creating it (mode 0600) when absent.
    bool open(const QString &dataDir, QString *error);
    KeySet publicKeys() const;
    QString kid() const { return m_kid; }
    QByteArray mint(const TokenRequest &request) const;

private:
    KeyPtr m_key;
    QString m_kid;
};

} // namespace push::auth
