#include "router.h"

#include "http/httpconnection.h"

#include <QJsonDocument>
#include <QUrl>

namespace push::http {

void HttpCall::reply(const HttpResponse &response)
{
    connection->respond(response);
}

void HttpCall::fail(ApiError error, const QString &message)
{
    connection->respond(errorResponse(error, message));
}

std::optional<QJsonObject> HttpCall::objectBody()
{
    // JSON only: application/json or any +json type (parameters such as charset aside); a
    // request without a Content-Type is read as JSON too.
    const QByteArray type = request.header("content-type").split(';').first().trimmed().toLower();
    if (!type.isEmpty() && type != "application/json" && !type.endsWith("+json")) {
        fail(ApiError::UnsupportedMediaType,
             QStringLiteral("the request body must be JSON (Content-Type: application/json), "
                            "not %1")
                 .arg(QString::fromLatin1(type)));
        return std::nullopt;
    }
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        fail(ApiError::BadRequest, QStringLiteral("request body is not valid JSON: %1 at offset %2")
                                       .arg(parseError.errorString())
                                       .arg(parseError.offset));
        return std::nullopt;
    }
    if (!document.isObject()) {
        fail(ApiError::BadRequest, QStringLiteral("request body must be a JSON object"));
        return std::nullopt;
    }
    return document.object();
}

DeferredCall::DeferredCall(HttpCall &call)
    : m_call(std::make_shared<HttpCall>(std::move(call)))
    , m_connection(m_call->connection)
{}

bool DeferredCall::waiting() const
{
    return m_connection && m_connection->state() == HttpConnection::State::Dispatched;
}

void Router::route(const QByteArray &method, const QString &pattern, Handler handler)
{
    m_rules.append({method, pattern, pattern.split(QLatin1Char('/')), std::move(handler)});
}

QStringList Router::routes() const
{
    QStringList all;
    for (const Rule &rule : m_rules)
        all.append(QString::fromLatin1(rule.method) + QLatin1Char(' ') + rule.pattern);
    return all;
}

void Router::dispatch(HttpCall &call) const
{
    QString path = call.request.encodedPath;
    if (path.size() > 1 && path.endsWith(QLatin1Char('/')))
        path.chop(1);
    QStringList segments = path.split(QLatin1Char('/'));
    for (QString &segment : segments)
        segment = QUrl::fromPercentEncoding(segment.toUtf8());
    QByteArrayList allowed; // the methods routed for this path, for a 405's Allow
    const QByteArray method = call.request.method == "HEAD" ? "GET" : call.request.method;
    for (const Rule &rule : m_rules) {
        if (rule.segments.size() != segments.size())
            continue;
        QStringList args;
        bool fits = true;
        for (qsizetype i = 0; i < segments.size() && fits; ++i) {
            if (rule.segments[i] == QLatin1String("<arg>")) {
                if (segments[i].isEmpty())
                    fits = false;
                else
                    args.append(segments[i]);
            } else if (rule.segments[i] != segments[i]) {
                fits = false;
            }
        }
        if (!fits)
            continue;
        if (rule.method != method) {
            if (!allowed.contains(rule.method))
                allowed.append(rule.method);
            if (rule.method == "GET" && !allowed.contains("HEAD"))
                allowed.append("HEAD");
            continue;
        }
        call.args = args;
        rule.handler(call);
        return;
    }
    if (!allowed.isEmpty()) {
        // RFC 9110 §15.5.6: a 405 names the methods the resource supports.
        HttpResponse response =
            errorResponse(ApiError::MethodNotAllowed,
                          QStringLiteral("%1 is not allowed on %2")
                              .arg(QString::fromLatin1(call.request.method), call.request.path));
        response.headers.append({"Allow", allowed.join(", ")});
        call.reply(response);
    } else {
        call.fail(ApiError::NotFound,
                  QStringLiteral("no such resource: %1").arg(call.request.path));
    }
}

} // namespace push::http
