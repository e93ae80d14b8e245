#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <utility>

namespace push::http {

// A parsed HTTP/1.1 request. Header names are stored lower case.
struct HttpRequest
{
    QByteArray method;
    QByteArray target;   // as sent: path and query, still percent-encoded
    QString path;        // decoded path without the query
    QString encodedPath; // the path still percent-encoded (segments split before decoding)
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers;
    QByteArray body;
    QHostAddress peer;
    bool keepAlive = true;

    QByteArray header(const QByteArray &lowerCaseName) const
    {
        return headers.value(lowerCaseName);
    }
    // Query parameter, fully decoded; a null QString when absent.
    QString queryValue(const QString &key) const;
};

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

struct HttpResponse
{
    int status = 200;
    HeaderList headers;
    QByteArray body;

    static HttpResponse json(int status, const QByteArray &jsonBody);
    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse text(int status, const QByteArray &body, const QByteArray &contentType);
};

// The error kinds of the API and their one mapping to a status and a JSON body
// {"errorMessage": "..."} (the body ADSP's services send).
enum class ApiError {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    HeaderTooLarge,
    UnsupportedMediaType,
    ExpectationFailed,
    VersionNotSupported,
    Unavailable,
    Internal
};

int statusOf(ApiError error);
HttpResponse errorResponse(ApiError error, const QString &message);

QByteArray reasonPhrase(int status);
// host[:port] as RFC 9110 allows it (a name or IPv4 address, or an IPv6 literal in
// brackets; an optional port of up to 5 digits): what may be echoed from a Host header.
bool isWellFormedHost(const QByteArray &host);
// "HTTP/1.1 <status> <reason>\r\n" + headers + "\r\n" (no body).
QByteArray serializeHead(int status, const HeaderList &headers);

} // namespace push::http
