#include "httpmessage.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace push::http {

QString HttpRequest::queryValue(const QString &key) const
{
    if (!query.hasQueryItem(key))
        return {};
    return query.queryItemValue(key, QUrl::FullyDecoded);
}

HttpResponse HttpResponse::json(int status, const QByteArray &jsonBody)
{
    return {status, {{"Content-Type", "application/json; charset=utf-8"}}, jsonBody};
}

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    return json(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

HttpResponse HttpResponse::text(int status, const QByteArray &body, const QByteArray &contentType)
{
    return {status, {{"Content-Type", contentType}}, body};
}

int statusOf(ApiError error)
{
    switch (error) {
    case ApiError::BadRequest:
        return 400;
    case ApiError::Unauthorized:
        return 401;
    case ApiError::Forbidden:
        return 403;
    case ApiError::NotFound:
        return 404;
    case ApiError::MethodNotAllowed:
        return 405;
    case ApiError::Conflict:
        return 409;
    case ApiError::PayloadTooLarge:
        return 413;
    case ApiError::HeaderTooLarge:
        return 431;
    case ApiError::UnsupportedMediaType:
        return 415;
    case ApiError::ExpectationFailed:
        return 417;
    case ApiError::VersionNotSupported:
        return 505;
    case ApiError::Unavailable:
        return 503;
    case ApiError::Internal:
        return 500;
    }
    return 500;
}

HttpResponse errorResponse(ApiError error, const QString &message)
{
    const QJsonObject body{{QStringLiteral("errorMessage"), message}};
    return HttpResponse::json(statusOf(error), QJsonDocument(body).toJson(QJsonDocument::Compact));
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

QByteArray serializeHead(int status, const HeaderList &headers)
{
    QByteArray head;
    head.reserve(256);
    head += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    head += "\r\n";
    return head;
}

} // namespace push::http
