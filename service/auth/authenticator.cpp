#include "authenticator.h"

#include "http/worker.h"
#include "shared/access.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

Q_LOGGING_CATEGORY(lcAuth, "push.auth")

namespace push::auth {

namespace {

constexpr qint64 kMaxKeyDocumentBytes = 1024 * 1024;
constexpr int kFetchTimeoutMs = 10000;

AuthResult invalid(const QString &reason, const QString &error)
{
    AuthResult result;
    result.kind = AuthResult::Kind::Invalid;
    result.reason = reason;
    result.error = error;
    return result;
}

QString trimmedSlash(QString url)
{
    while (url.endsWith(QLatin1Char('/')))
        url.chop(1);
    return url;
}

} // namespace

std::optional<User> userFromToken(const AuthResult &result, const config::ConfigSnapshot &snapshot,
                                  QString *error)
{
    User user = User::fromClaims(result.claims);
    if (result.realm == QLatin1String(kCoreRealm)) {
        user.isCore = true;
        return user;
    }
    const Tenant *tenant = snapshot.tenantByRealm(result.realm);
    if (!tenant) {
        *error = QStringLiteral("the realm '%1' belongs to no tenant").arg(result.realm);
        return std::nullopt;
    }
    user.tenantId = tenant->id;
    return user;
}

Authenticator::Authenticator(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{}

Authenticator::~Authenticator() = default;

bool Authenticator::configure(const AuthSettings &settings, QString *error)
{
    m_settings = settings;
    m_settings.keycloakUrl = trimmedSlash(settings.keycloakUrl);
    QMutexLocker locker(&m_mutex);
    for (const QString &iss : settings.oidcIssuers) {
        Issuer issuer;
        issuer.source = Issuer::Source::Discovery;
        issuer.url = QUrl(trimmedSlash(iss) + QStringLiteral("/.well-known/openid-configuration"));
        m_issuers.insert(iss, issuer);
    }
    if (settings.issuersFile.isEmpty())
        return true;
    QFile file(settings.issuersFile);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the issuers file %1").arg(settings.issuersFile);
        return false;
    }
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll());
    if (!document.isArray()) {
        *error = QStringLiteral("%1 must hold a JSON array of issuers").arg(settings.issuersFile);
        return false;
    }
    for (const QJsonValue &value : document.array()) {
        const QJsonObject entry = value.toObject();
        const QString iss = entry.value(QLatin1String("issuer")).toString();
        if (iss.isEmpty()) {
            *error =
                QStringLiteral("%1: every entry needs an \"issuer\"").arg(settings.issuersFile);
            return false;
        }
        Issuer issuer;
        issuer.realm = entry.value(QLatin1String("realm")).toString();
        if (entry.contains(QLatin1String("jwksUri"))) {
            issuer.source = Issuer::Source::Jwks;
            issuer.url = QUrl(entry.value(QLatin1String("jwksUri")).toString());
        } else if (entry.contains(QLatin1String("jwksFile")) ||
                   entry.contains(QLatin1String("pemFile"))) {
            const bool jwks = entry.contains(QLatin1String("jwksFile"));
            QFile keys(entry.value(QLatin1String(jwks ? "jwksFile" : "pemFile")).toString());
            KeySet set;
            QString problem;
            if (!keys.open(QIODevice::ReadOnly) ||
                !(jwks ? KeySet::fromJwks(keys.readAll(), &set, &problem)
                       : KeySet::fromPem(keys.readAll(), &set, &problem)) ||
                set.isEmpty()) {
                *error = QStringLiteral("keys of issuer %1 from %2: %3")
                             .arg(iss, keys.fileName(),
                                  problem.isEmpty() ? QStringLiteral("no usable key") : problem);
                return false;
            }
            issuer.source = Issuer::Source::Static;
            issuer.keys = std::make_shared<const KeySet>(set);
            issuer.fetched = true;
        } else if (entry.contains(QLatin1String("hs256Secret"))) {
            issuer.source = Issuer::Source::Secret;
            issuer.secret = entry.value(QLatin1String("hs256Secret")).toString().toUtf8();
            if (issuer.secret.size() < 32) {
                *error = QStringLiteral("the HS256 secret of issuer %1 must be at least 32 bytes")
                             .arg(iss);
                return false;
            }
        } else {
            issuer.source = Issuer::Source::Discovery;
            issuer.url =
                QUrl(trimmedSlash(iss) + QStringLiteral("/.well-known/openid-configuration"));
        }
        m_issuers.insert(iss, issuer);
    }
    return true;
}

void Authenticator::trustLocalIssuer(const QString &issuerPrefix, const KeySet &keys)
{
    QMutexLocker locker(&m_mutex);
    m_localPrefixes.insert(issuerPrefix, keys);
}

void Authenticator::setRealmFilter(std::function<bool(const QString &)> filter)
{
    QMutexLocker locker(&m_mutex);
    m_realmFilter = std::move(filter);
}

bool Authenticator::hasExternalIssuers() const
{
    QMutexLocker locker(&m_mutex);
    return !m_settings.keycloakUrl.isEmpty() || !m_issuers.isEmpty();
}

QByteArray Authenticator::tokenFrom(const QByteArray &authorizationHeader,
                                    const QString &queryToken, const QJsonObject &handshakeAuth)
{
    if (!authorizationHeader.isEmpty()) {
        const QByteArray value = authorizationHeader.trimmed();
        if (value.size() > 7 && value.left(7).toLower() == "bearer ")
            return value.mid(7).trimmed();
        return value; // not Bearer: verification will say it is not a JWT
    }
    if (!queryToken.isEmpty())
        return queryToken.toUtf8();
    return handshakeAuth.value(QLatin1String("token")).toString().toUtf8();
}

Authenticator::Issuer *Authenticator::issuerFor(const QString &iss)
{
    auto it = m_issuers.find(iss);
    if (it != m_issuers.end())
        return &it.value();
    const QString realm = realmOfIssuer(iss);
    if (realm.isEmpty() || !m_realmFilter || !m_realmFilter(realm))
        return nullptr;
    for (auto local = m_localPrefixes.constBegin(); local != m_localPrefixes.constEnd(); ++local) {
        if (iss == local.key() + realm) {
            Issuer issuer;
            issuer.source = Issuer::Source::Static;
            issuer.keys = std::make_shared<const KeySet>(local.value());
            issuer.fetched = true;
            return &m_issuers.insert(iss, issuer).value();
        }
    }
    if (!m_settings.keycloakUrl.isEmpty() &&
        (iss == m_settings.keycloakUrl + QStringLiteral("/auth/realms/") + realm ||
         iss == m_settings.keycloakUrl + QStringLiteral("/realms/") + realm)) {
        Issuer issuer;
        issuer.source = Issuer::Source::Jwks;
        issuer.url = QUrl(iss + QStringLiteral("/protocol/openid-connect/certs"));
        return &m_issuers.insert(iss, issuer).value();
    }
    return nullptr;
}

void Authenticator::verify(const QByteArray &token, http::Worker *worker,
                           std::function<void(AuthResult)> done)
{
    if (token.isEmpty()) {
        done(AuthResult{});
        return;
    }
    if (token.size() > m_settings.maxTokenBytes) {
        done(invalid(
            QStringLiteral("malformed"),
            QStringLiteral("the token is larger than %1 bytes").arg(m_settings.maxTokenBytes)));
        return;
    }
    QString error;
    const std::optional<ParsedToken> parsed = ParsedToken::parse(token, &error);
    if (!parsed) {
        done(invalid(QStringLiteral("malformed"), error));
        return;
    }
    if (const QString crit = criticalHeaderError(parsed->header); !crit.isEmpty()) {
        done(invalid(QStringLiteral("malformed"), crit));
        return;
    }
    const QString alg = parsed->alg();
    if (!isSupportedAlgorithm(alg)) {
        done(invalid(QStringLiteral("algorithm"),
                     QStringLiteral("the token's algorithm '%1' is not accepted").arg(alg)));
        return;
    }
    const QJsonValue issValue = parsed->claims.value(QLatin1String("iss"));
    if (!issValue.isString() || issValue.toString().isEmpty()) {
        done(invalid(QStringLiteral("issuer"), QStringLiteral("the token names no issuer")));
        return;
    }
    const QString iss = issValue.toString();
    bool needsFetch = false;
    AuthResult result = check(*parsed, iss, true, &needsFetch);
    if (!needsFetch) {
        done(result);
        return;
    }
    // Wait for the issuer's keys; the first waiter starts the fetch. Once it ends (on the
    // Authenticator's thread), the check runs again on the worker: Worker::run.
    bool start = false;
    {
        QMutexLocker locker(&m_mutex);
        Issuer *issuer = issuerFor(iss);
        if (!issuer) {
            locker.unlock(); // gone meanwhile: check again here, without a fetch
            bool again = false;
            done(check(*parsed, iss, false, &again));
            return;
        }
        QPointer<http::Worker> guard(worker);
        issuer->waiting.append([this, guard, parsed = *parsed, iss, done = std::move(done)] {
            if (!guard)
                return;
            guard->run([this, parsed, iss, done] {
                bool again = false;
                done(check(parsed, iss, false, &again));
            });
        });
        if (!issuer->fetching) {
            issuer->fetching = true;
            start = true;
        }
    }
    if (start) {
        ++m_keyFetches;
        QMetaObject::invokeMethod(
            this, [this, iss] { fetch(iss); }, Qt::QueuedConnection);
    }
}

AuthResult Authenticator::check(const ParsedToken &token, const QString &iss, bool mayFetch,
                                bool *needsFetch)
{
    *needsFetch = false;
    const QString alg = token.alg();
    const QString kid = token.kid();
    std::shared_ptr<const KeySet> keys;
    QByteArray secret;
    QString lastError;
    {
        QMutexLocker locker(&m_mutex);
        Issuer *issuer = issuerFor(iss);
        if (!issuer)
            return invalid(QStringLiteral("issuer"),
                           QStringLiteral("the issuer %1 is not trusted").arg(iss));
        if (isHmacAlgorithm(alg) != (issuer->source == Issuer::Source::Secret))
            return invalid(
                QStringLiteral("algorithm"),
                QStringLiteral("the algorithm %1 is not accepted for issuer %2").arg(alg, iss));
        keys = issuer->keys;
        secret = issuer->secret;
        lastError = issuer->lastError;
        const bool known = issuer->source == Issuer::Source::Secret ||
                           (kid.isEmpty() ? !keys->isEmpty() : keys->find(kid) != nullptr);
        if (!known) {
            const bool fetchable = issuer->source == Issuer::Source::Discovery ||
                                   issuer->source == Issuer::Source::Jwks;
            const bool allowed =
                issuer->fetching || !issuer->fetched ||
                issuer->lastFetch.elapsed() >= qint64(m_settings.keyRefreshSeconds) * 1000;
            if (mayFetch && fetchable && allowed) {
                *needsFetch = true;
                return {};
            }
            if (keys->isEmpty() && !lastError.isEmpty()) {
                AuthResult unavailable;
                unavailable.kind = AuthResult::Kind::Unavailable;
                unavailable.reason = QStringLiteral("keys");
                unavailable.error = QStringLiteral("the signing keys of %1 are unavailable: %2")
                                        .arg(iss, lastError);
                return unavailable;
            }
            return invalid(
                QStringLiteral("key"),
                QStringLiteral("the token's key id '%1' is unknown to issuer %2").arg(kid, iss));
        }
    }
    bool verified = false;
    if (isHmacAlgorithm(alg)) {
        verified = verifyHmac(alg, secret, token.signingInput, token.signature);
    } else {
        for (const VerificationKey &key : keys->keys()) {
            if (!kid.isEmpty() && key.kid != kid)
                continue;
            if (!key.alg.isEmpty() && key.alg != alg)
                continue; // the key is for another algorithm
            if (verifySignature(alg, key.key, token.signingInput, token.signature)) {
                verified = true;
                break;
            }
        }
    }
    if (!verified)
        return invalid(QStringLiteral("signature"),
                       QStringLiteral("the token's signature is not valid"));
    return checkClaims(token, iss);
}

AuthResult Authenticator::checkClaims(const ParsedToken &token, const QString &iss) const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QJsonValue exp = token.claims.value(QLatin1String("exp"));
    if (exp.isUndefined())
        return invalid(QStringLiteral("expired"), QStringLiteral("the token has no expiry (exp)"));
    // RFC 7519 §2: NumericDate claims are JSON numbers; anything else is refused, never ignored.
    for (const QLatin1String name :
         {QLatin1String("exp"), QLatin1String("nbf"), QLatin1String("iat")}) {
        const QJsonValue value = token.claims.value(name);
        if (!value.isUndefined() && !value.isDouble())
            return invalid(QStringLiteral("malformed"),
                           QStringLiteral("the token's %1 is not a number").arg(name));
    }
    if (now > qint64(exp.toDouble()) + m_settings.leewaySeconds)
        return invalid(QStringLiteral("expired"), QStringLiteral("the token has expired"));
    const QJsonValue nbf = token.claims.value(QLatin1String("nbf"));
    if (nbf.isDouble() && now + m_settings.leewaySeconds < qint64(nbf.toDouble()))
        return invalid(QStringLiteral("not-yet-valid"),
                       QStringLiteral("the token is not valid yet (nbf)"));
    if (m_settings.verifyAudience) {
        const QJsonValue aud = token.claims.value(QLatin1String("aud"));
        const bool ok = aud.isString() ? aud.toString() == m_settings.audience
                                       : aud.toArray().contains(QJsonValue(m_settings.audience));
        if (!ok)
            return invalid(
                QStringLiteral("audience"),
                QStringLiteral("the token is not for audience %1").arg(m_settings.audience));
    }
    AuthResult result;
    result.kind = AuthResult::Kind::Valid;
    result.claims = token.claims;
    result.issuer = iss;
    {
        QMutexLocker locker(&m_mutex);
        auto it = m_issuers.constFind(iss);
        result.realm =
            it != m_issuers.constEnd() && !it->realm.isEmpty() ? it->realm : realmOfIssuer(iss);
    }
    return result;
}

void Authenticator::fetch(const QString &iss)
{
    Issuer::Source source;
    QUrl url;
    {
        QMutexLocker locker(&m_mutex);
        Issuer *issuer = issuerFor(iss);
        if (!issuer) {
            locker.unlock();
            finishFetch(iss, nullptr, QStringLiteral("the issuer is no longer trusted"));
            return;
        }
        source = issuer->source;
        url = issuer->url;
    }
    qCInfo(lcAuth).noquote() << "fetching the signing keys of" << iss << "from" << url.toString();
    if (source == Issuer::Source::Jwks) {
        fetchJwks(iss, url);
        return;
    }
    QNetworkRequest request(url);
    request.setTransferTimeout(kFetchTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, iss] {
        reply->deleteLater();
        const QByteArray body = reply->read(kMaxKeyDocumentBytes);
        const QJsonObject discovery = QJsonDocument::fromJson(body).object();
        const QString jwksUri = discovery.value(QLatin1String("jwks_uri")).toString();
        if (reply->error() != QNetworkReply::NoError || jwksUri.isEmpty()) {
            finishFetch(iss, nullptr,
                        reply->error() != QNetworkReply::NoError
                            ? reply->errorString()
                            : QStringLiteral("the discovery document has no jwks_uri"));
            return;
        }
        fetchJwks(iss, QUrl(jwksUri));
    });
}

void Authenticator::fetchJwks(const QString &iss, const QUrl &url)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(kFetchTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, iss] {
        reply->deleteLater();
        if (reply->error() != QNetworkReply::NoError) {
            finishFetch(iss, nullptr, reply->errorString());
            return;
        }
        KeySet set;
        QString error;
        QStringList skipped;
        if (!KeySet::fromJwks(reply->read(kMaxKeyDocumentBytes), &set, &error, &skipped)) {
            finishFetch(iss, nullptr, error);
            return;
        }
        for (const QString &problem : std::as_const(skipped))
            qCInfo(lcAuth).noquote() << "skipped a key of" << iss << ":" << problem;
        finishFetch(iss, std::make_shared<const KeySet>(set), QString());
    });
}

void Authenticator::finishFetch(const QString &iss, std::shared_ptr<const KeySet> keys,
                                const QString &error)
{
    QList<std::function<void()>> waiting;
    {
        QMutexLocker locker(&m_mutex);
        auto it = m_issuers.find(iss);
        if (it != m_issuers.end()) {
            it->fetching = false;
            it->fetched = true;
            it->lastFetch.start();
            it->lastError = error;
            if (keys)
                it->keys = std::move(keys);
            waiting.swap(it->waiting);
        }
    }
    if (!error.isEmpty())
        qCWarning(lcAuth).noquote() << "cannot fetch the signing keys of" << iss << ":" << error;
    for (const auto &resume : std::as_const(waiting))
        resume();
}

} // namespace push::auth
