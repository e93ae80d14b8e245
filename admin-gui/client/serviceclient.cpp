#include "serviceclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace console {

ApiReply::ApiReply(QNetworkReply *reply, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
{
    connect(reply, &QNetworkReply::finished, this, &ApiReply::onFinished);
}

void ApiReply::abort()
{
    m_aborted = true;
    if (m_reply)
        m_reply->abort(); // finished() follows
}

void ApiReply::onFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    reply->deleteLater();
    m_status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    m_body = reply->readAll();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(m_body, &parseError);
    if (parseError.error == QJsonParseError::NoError)
        m_json = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    if (m_aborted) {
        m_error = tr("cancelled");
    } else if (m_status >= 200 && m_status < 300) {
        m_ok = true;
    } else if (m_status > 0) {
        const QString message = m_json.toObject().value(QLatin1String("errorMessage")).toString();
        m_error = message.isEmpty()
                      ? QStringLiteral("%1 %2").arg(m_status).arg(
                            reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString())
                      : message;
    } else {
        m_error = reply->errorString();
    }
    emit finished();
    deleteLater();
}

ServiceClient::ServiceClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{}

QUrl ServiceClient::url(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_baseUrl;
    QString base = url.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + path);
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

QNetworkRequest ServiceClient::request(const QString &path, const QUrlQuery &query) const
{
    QNetworkRequest request(url(path, query));
    const QByteArray token = m_token ? m_token() : QByteArray();
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    return request;
}

ApiReply *ServiceClient::send(const QByteArray &verb, const QString &path, const QUrlQuery &query,
                              const QByteArray &body)
{
    QNetworkRequest request = this->request(path, query);
    if (!body.isNull())
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
    request.setTransferTimeout(30000);
    QNetworkReply *reply = body.isNull() ? m_network->sendCustomRequest(request, verb)
                                         : m_network->sendCustomRequest(request, verb, body);
    auto *apiReply = new ApiReply(reply, this);
    apiReply->setWhat(QString::fromLatin1(verb) + QLatin1Char(' ') + path);
    emit callStarted(apiReply);
    return apiReply;
}

ApiReply *ServiceClient::get(const QString &path, const QUrlQuery &query)
{
    return send("GET", path, query, QByteArray());
}

ApiReply *ServiceClient::post(const QString &path, const QJsonObject &body, const QUrlQuery &query)
{
    return send("POST", path, query, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

ApiReply *ServiceClient::patch(const QString &path, const QJsonObject &body, const QUrlQuery &query)
{
    return send("PATCH", path, query, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

ApiReply *ServiceClient::remove(const QString &path, const QUrlQuery &query)
{
    return send("DELETE", path, query, QByteArray());
}

QNetworkReply *ServiceClient::openStream(const QString &path, const QUrlQuery &query)
{
    QNetworkRequest request = this->request(path, query);
    request.setRawHeader("Accept", "text/event-stream");
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    return m_network->get(request);
}

} // namespace console
