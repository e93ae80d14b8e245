#include "tokensource.h"

#include "client/secretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QStandardPaths>

namespace console {

namespace {

constexpr int kDevTokenSeconds = 3600;

// push-service next to the console (an installed pair, or the build tree), else on PATH.
QString findServiceBinary(const QString &configured)
{
    if (!configured.isEmpty())
        return configured;
    const QString here = QCoreApplication::applicationDirPath();
    for (const QString &candidate :
         {here + QStringLiteral("/push-service"), here + QStringLiteral("/../service/push-service"),
          here + QStringLiteral("/push-service.exe")}) {
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return QStandardPaths::findExecutable(QStringLiteral("push-service"));
}

} // namespace

TokenSource::TokenSource(Connection connection, SecretStore &secrets,
                         QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_connection(std::move(connection))
    , m_secrets(secrets)
    , m_network(network)
{
    m_refresh.setSingleShot(true);
    connect(&m_refresh, &QTimer::timeout, this, &TokenSource::obtain);
}

TokenSource::~TokenSource()
{
    if (m_process)
        m_process->kill();
}

void TokenSource::start()
{
    obtain();
}

QString TokenSource::who() const
{
    const QString name = m_claims.value(QLatin1String("name")).toString();
    const QString sub = m_claims.value(QLatin1String("sub")).toString();
    return name.isEmpty() ? sub : QStringLiteral("%1 (%2)").arg(name, sub);
}

QJsonObject TokenSource::decodeClaims(const QByteArray &token)
{
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3)
        return {};
    const QByteArray payload = QByteArray::fromBase64(
        parts.at(1), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return QJsonDocument::fromJson(payload).object();
}

void TokenSource::obtain()
{
    switch (m_connection.auth) {
    case Connection::Auth::DevIssuer:
        mintDevToken();
        return;
    case Connection::Auth::ClientCredentials:
        fetchClientCredentials();
        return;
    case Connection::Auth::Bearer:
        loadBearer();
        return;
    }
}

void TokenSource::accept(const QByteArray &token, qint64 lifetimeSeconds)
{
    m_token = token;
    m_claims = decodeClaims(token);
    m_lastError.clear();
    m_retryMs = 2000;
    // The earlier of the token's own exp and the endpoint's expires_in.
    const qint64 exp = m_claims.value(QLatin1String("exp")).toVariant().toLongLong();
    const QDateTime now = QDateTime::currentDateTime();
    m_expiresAt = exp > 0 ? QDateTime::fromSecsSinceEpoch(exp) : QDateTime();
    if (lifetimeSeconds > 0 &&
        (!m_expiresAt.isValid() || now.addSecs(lifetimeSeconds) < m_expiresAt))
        m_expiresAt = now.addSecs(lifetimeSeconds);
    emit tokenChanged();
    if (!m_expiresAt.isValid())
        return;
    const qint64 left = QDateTime::currentDateTime().msecsTo(m_expiresAt);
    if (m_connection.auth == Connection::Auth::Bearer) {
        // Nothing can renew a pasted token: say so when it runs out.
        m_refresh.start(int(std::clamp<qint64>(left + 1000, 1000, 24LL * 3600 * 1000)));
        return;
    }
    // Renew at 80 % of the lifetime, and at least 30 s before it runs out (not sooner than 5 s).
    const qint64 renewIn = std::max<qint64>(5000, std::min(left - 30000, left * 4 / 5));
    m_refresh.start(int(std::min<qint64>(renewIn, 24LL * 3600 * 1000)));
}

void TokenSource::fail(const QString &error, int retryMs)
{
    m_lastError = error;
    if (!m_token.isEmpty() && m_expiresAt.isValid() &&
        m_expiresAt <= QDateTime::currentDateTime()) {
        m_token.clear(); // an expired token is no token: say so rather than send it
        emit tokenChanged();
    }
    emit failed(error);
    if (retryMs > 0) {
        m_refresh.start(retryMs);
        m_retryMs = std::min(m_retryMs * 2, 60000);
    }
}

void TokenSource::mintDevToken()
{
    const QString binary = findServiceBinary(m_connection.devBinary);
    if (binary.isEmpty()) {
        fail(tr("push-service was not found next to the console or on PATH; name it in the "
                "connection"),
             0);
        return;
    }
    QStringList arguments{QStringLiteral("token")};
    if (m_connection.core)
        arguments << QStringLiteral("--core");
    else
        arguments << QStringLiteral("--tenant") << m_connection.tenant;
    const QStringList roles = m_connection.devRoles.isEmpty()
                                  ? Connection::defaultDevRoles(m_connection.core)
                                  : m_connection.devRoles;
    arguments << QStringLiteral("--roles") << roles.join(QLatin1Char(','))
              << QStringLiteral("--sub") << QStringLiteral("push-console")
              << QStringLiteral("--name") << QStringLiteral("push-console")
              << QStringLiteral("--ttl") << QString::number(kDevTokenSeconds);
    if (!m_connection.devDataDir.isEmpty())
        arguments << QStringLiteral("--data-dir") << m_connection.devDataDir;
    auto *process = new QProcess(this);
    m_process = process;
    connect(process, &QProcess::finished, this, [this, process, binary](int code) {
        process->deleteLater();
        const QByteArray out = process->readAllStandardOutput().trimmed();
        if (code != 0 || out.isEmpty()) {
            fail(
                tr("the development issuer (%1 token) failed: %2")
                    .arg(binary, QString::fromLocal8Bit(process->readAllStandardError().trimmed())),
                m_retryMs);
            return;
        }
        accept(out, kDevTokenSeconds);
    });
    connect(process, &QProcess::errorOccurred, this,
            [this, process, binary](QProcess::ProcessError e) {
                if (e != QProcess::FailedToStart)
                    return;
                process->deleteLater();
                fail(tr("cannot run %1: %2").arg(binary, process->errorString()), 0);
            });
    process->start(binary, arguments);
}

void TokenSource::fetchClientCredentials()
{
    m_secrets.read(
        m_connection.secretKey(), this, [this](const QString &secret, const QString &error) {
            if (secret.isEmpty()) {
                fail(tr("the client secret could not be read from the keychain: %1").arg(error), 0);
                return;
            }
            QNetworkRequest request(m_connection.tokenEndpoint);
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/x-www-form-urlencoded"));
            request.setTransferTimeout(20000);
            // application/x-www-form-urlencoded, every value percent-encoded ('+' included:
            // QUrlQuery would leave it, and the server would read a space).
            const QByteArray form = "grant_type=client_credentials&client_id=" +
                                    QUrl::toPercentEncoding(m_connection.clientId) +
                                    "&client_secret=" + QUrl::toPercentEncoding(secret);
            QNetworkReply *reply = m_network->post(request, form);
            connect(reply, &QNetworkReply::finished, this, [this, reply] {
                reply->deleteLater();
                const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
                const QByteArray token =
                    body.value(QLatin1String("access_token")).toString().toUtf8();
                if (token.isEmpty()) {
                    const QString reason =
                        body.value(QLatin1String("error_description"))
                            .toString(
                                body.value(QLatin1String("error")).toString(reply->errorString()));
                    fail(tr("the token endpoint %1 refused: %2")
                             .arg(m_connection.tokenEndpoint.toString(), reason),
                         m_retryMs);
                    return;
                }
                accept(token, body.value(QLatin1String("expires_in")).toInt());
            });
        });
}

void TokenSource::loadBearer()
{
    const qint64 left =
        m_expiresAt.isValid() ? QDateTime::currentDateTime().msecsTo(m_expiresAt) : 0;
    if (!m_token.isEmpty() && left > 1000) {
        // The timer is capped at a day: a token that lives longer is still good.
        m_refresh.start(int(std::min<qint64>(left + 1000, 24LL * 3600 * 1000)));
        return;
    }
    if (!m_token.isEmpty()) { // the timer ran out: the pasted token has expired
        m_token.clear();
        emit tokenChanged();
        fail(tr("the pasted token expired at %1; paste a new one in the connection")
                 .arg(m_expiresAt.toString(Qt::ISODate)),
             0);
        return;
    }
    m_secrets.read(
        m_connection.secretKey(), this, [this](const QString &secret, const QString &error) {
            if (secret.isEmpty()) {
                fail(tr("the token could not be read from the keychain: %1").arg(error), 0);
                return;
            }
            const QByteArray token = secret.trimmed().toUtf8();
            const qint64 exp =
                decodeClaims(token).value(QLatin1String("exp")).toVariant().toLongLong();
            if (exp > 0 && exp <= QDateTime::currentSecsSinceEpoch()) {
                m_expiresAt = QDateTime::fromSecsSinceEpoch(exp);
                fail(tr("the pasted token expired at %1; paste a new one in the connection")
                         .arg(m_expiresAt.toString(Qt::ISODate)),
                     0);
                return;
            }
            accept(token, 0);
        });
}

} // namespace console
