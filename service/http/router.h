#pragma once

#include "http/httpmessage.h"

#include <QByteArray>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace push::http {

class HttpConnection;
class Worker;

// What a route handler gets: the request, the captured path arguments, and the
// connection to answer on (or to keep, for a stream).
struct HttpCall
{
    HttpConnection *connection;
    HttpRequest request;
    QStringList args;
    Worker *worker = nullptr; // whose thread the call runs on (null only in unit tests)

    void reply(const HttpResponse &response);
    void fail(ApiError error, const QString &message);
    // The request body as a JSON object; nullopt after answering 400 (not JSON, not an
    // object) with the reason.
    std::optional<QJsonObject> objectBody();
};

// A call answered later (after a key fetch, on another thread's turn): it keeps the
// request and knows whether the client still waits for the answer. Copies share the call.
class DeferredCall
{
public:
    explicit DeferredCall(HttpCall &call); // takes the call over
    // The connection is still there and still waits for this call's answer.
    bool waiting() const;
    HttpCall &call() const { return *m_call; }
    HttpCall *operator->() const { return m_call.get(); }

private:
    std::shared_ptr<HttpCall> m_call;
    QPointer<HttpConnection> m_connection;
};

// Typed routes: "/stream/v1/streams/<arg>" captures one decoded path segment per <arg>.
class Router
{
public:
    using Handler = std::function<void(HttpCall &)>;

    void route(const QByteArray &method, const QString &pattern, Handler handler);
    // Every registered "METHOD pattern", for the OpenAPI cross-check and the docs.
    QStringList routes() const;

    // Finds the handler and fills call.args; answers 404 or 405 itself when none fits.
    void dispatch(HttpCall &call) const;

private:
    struct Rule
    {
        QByteArray method;
        QString pattern;
        QStringList segments;
        Handler handler;
    };
    QList<Rule> m_rules;
};

} // namespace push::http
