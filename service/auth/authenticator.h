#pragma once

#include "auth/jwt.h"
#include "auth/keys.h"
#include "config/configsnapshot.h"
#include "shared/access.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace push::http {
class Worker;
}

namespace push::auth {

struct AuthSettings
{
    // Keycloak: trust <keycloakUrl>/auth/realms/<realm> (and <keycloakUrl>/realms/<realm>)
    // for the core realm and every tenant's realm; keys from the realm's
    // /protocol/openid-connect/certs. ADSP's KEYCLOAK_ROOT_URL.
    QString keycloakUrl;
    // Other OIDC issuers (exact `iss` values); keys found through discovery.
    QStringList oidcIssuers;
    // A JSON array of {issuer, jwksUri | jwksFile | pemFile | hs256Secret}.
    QString issuersFile;
    QString audience = QStringLiteral("urn:ads:platform:push-service");
    bool verifyAudience = true;
    int leewaySeconds = 30;
    // At most one key fetch per issuer in this many seconds: a flood of tokens with
    // unknown key ids cannot hammer the identity server.
    int keyRefreshSeconds = 30;
    int maxTokenBytes = 16 * 1024;
};

struct AuthResult
{
    enum class Kind { Anonymous, Valid, Invalid, Unavailable };
    Kind kind = Kind::Anonymous;
    QJsonObject claims;
    QString issuer;
    QString realm;
    QString error;  // why, for Invalid / Unavailable: logged and returned to the client
    QString reason; // a short machine word for metrics: "expired", "signature", ...
};

// The user of a valid token: realm `core` makes a core user, another realm the member of
// the tenant whose realm it is. nullopt (with *error) when the realm is no tenant's.
std::optional<User> userFromToken(const AuthResult &result, const config::ConfigSnapshot &snapshot,
                                  QString *error);

// Verifies access tokens. verify() is thread-safe and runs on the caller's thread,
// signature included; only a key fetch (unknown kid, first use of an issuer) goes to
// the Authenticator's own thread (where its QNetworkAccessManager lives) and comes back.
class Authenticator final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Authenticator)

public:
    explicit Authenticator(QObject *parent = nullptr);
    ~Authenticator() override;

    // Loads static keys; false with *error when a configured file is unusable.
    bool configure(const AuthSettings &settings, QString *error);
    // Trusts a local issuer prefix (the development issuer) with fixed keys.
    void trustLocalIssuer(const QString &issuerPrefix, const KeySet &keys);
    // Only realms this accepts may name a Keycloak issuer (core and tenants' realms), so
    // tokens naming made-up realms cause no fetch.
    void setRealmFilter(std::function<bool(const QString &realm)> filter);
    bool hasExternalIssuers() const;

    // Runs on `worker`'s thread (its caller's); so does `done`: at once when no fetch is
    // needed, otherwise after the fetch, through Worker::run. `worker` may be null only
    // where no fetch can happen (unit tests). An empty token gives Kind::Anonymous.
    void verify(const QByteArray &token, http::Worker *worker,
                std::function<void(AuthResult)> done);

    quint64 keyFetches() const { return m_keyFetches.load(); }

    // The token from a request: the Authorization header (Bearer) wins over the `token`
    // query parameter; for socket.io, the handshake's auth.token comes last.
    static QByteArray tokenFrom(const QByteArray &authorizationHeader, const QString &queryToken,
                                const QJsonObject &handshakeAuth = {});

private:
    struct Issuer
    {
        enum class Source { Discovery, Jwks, Static, Secret };
        Source source = Source::Static;
        QUrl url; // discovery document or JWKS
        std::shared_ptr<const KeySet> keys = std::make_shared<KeySet>();
        QByteArray secret;
        QString realm; // when the issuer's URL does not name it
        QString lastError;
        bool fetched = false;
        bool fetching = false;
        QElapsedTimer lastFetch;
        QList<std::function<void()>> waiting; // re-run once the fetch ends
    };

    // The issuer entry trusted for `iss`, creating Keycloak realm entries on demand;
    // nullptr when untrusted. Caller holds m_mutex.
    Issuer *issuerFor(const QString &iss);
    AuthResult check(const ParsedToken &token, const QString &iss, bool mayFetch, bool *needsFetch);
    AuthResult checkClaims(const ParsedToken &token, const QString &iss) const;
    void fetch(const QString &iss);
    void fetchJwks(const QString &iss, const QUrl &url);
    void finishFetch(const QString &iss, std::shared_ptr<const KeySet> keys, const QString &error);

    AuthSettings m_settings;
    mutable QMutex m_mutex;
    QHash<QString, Issuer> m_issuers;       // exact iss → issuer
    QHash<QString, KeySet> m_localPrefixes; // issuer prefix → keys (development issuer)
    std::function<bool(const QString &)> m_realmFilter;
    QNetworkAccessManager *m_network = nullptr;
    std::atomic<quint64> m_keyFetches{0};
};

} // namespace push::auth
