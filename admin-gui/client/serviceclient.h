#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace console {

// One call of the service's REST API. finished() comes exactly once (also after abort()).
class ApiReply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiReply)

public:
    explicit ApiReply(QNetworkReply *reply, QObject *parent = nullptr);

    bool ok() const { return m_ok; }
    int status() const { return m_status; }
    const QJsonValue &json() const { return m_json; }
    QJsonObject object() const { return m_json.toObject(); }
    const QByteArray &body() const { return m_body; }
    // The server's errorMessage, else the HTTP or network error, for the person.
    const QString &error() const { return m_error; }
    bool aborted() const { return m_aborted; }
    QString what() const { return m_what; }
    void setWhat(const QString &what) { m_what = what; }
    // A background call (the dashboard's sampling): no busy indicator for it.
    bool quiet() const { return m_quiet; }
    void setQuiet(bool quiet) { m_quiet = quiet; }

    void abort();

signals:
    void finished();

private:
    void onFinished();

    QPointer<QNetworkReply> m_reply;
    bool m_ok = false;
    bool m_aborted = false;
    int m_status = 0;
    QJsonValue m_json;
    QByteArray m_body;
    QString m_error;
    QString m_what;
    bool m_quiet = false;
};

// The REST client of one push-service: base URL and the bearer token (asked of a
// provider at each call, so a refreshed token is used at once).
class ServiceClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServiceClient)

public:
    explicit ServiceClient(QObject *parent = nullptr);

    void setBaseUrl(const QUrl &url) { m_baseUrl = url; }
    const QUrl &baseUrl() const { return m_baseUrl; }
    void setTokenProvider(std::function<QByteArray()> provider) { m_token = std::move(provider); }
    QNetworkAccessManager *network() const { return m_network; }

    QUrl url(const QString &path, const QUrlQuery &query = {}) const;
    ApiReply *get(const QString &path, const QUrlQuery &query = {});
    ApiReply *post(const QString &path, const QJsonObject &body, const QUrlQuery &query = {});
    ApiReply *patch(const QString &path, const QJsonObject &body, const QUrlQuery &query = {});
    ApiReply *remove(const QString &path, const QUrlQuery &query = {});
    // A streaming GET (Server-Sent Events); the caller reads and owns the reply.
    QNetworkReply *openStream(const QString &path, const QUrlQuery &query = {});

    // The operations the console uses. `scope` is the configuration scope query
    // (?tenantId= for a core administrator managing a tenant, or ?core).
    static constexpr auto kConfigurationPath =
        "/configuration/v2/configuration/platform/push-service";

signals:
    // Every call that starts and ends, for the busy indicator.
    void callStarted(console::ApiReply *reply);

private:
    // The request for `path` with the current bearer token.
    QNetworkRequest request(const QString &path, const QUrlQuery &query) const;
    ApiReply *send(const QByteArray &verb, const QString &path, const QUrlQuery &query,
                   const QByteArray &body);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    std::function<QByteArray()> m_token;
};

} // namespace console
