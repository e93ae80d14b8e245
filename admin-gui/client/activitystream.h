#pragma once

#include "shared/sseparser.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

class QNetworkReply;

namespace console {

class ServiceClient;

// GET /admin/v1/activity, kept open: each item is emitted as it comes. When the stream
// ends or fails it reconnects with a doubling delay (1 s to 30 s). resyncNeeded() says
// the console's picture may have gaps (a reconnect, or items the server dropped over its
// rate bound): lists should be read again.
class ActivityStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActivityStream)

public:
    enum class State { Stopped, Connecting, Open };
    Q_ENUM(State)

    ActivityStream(ServiceClient &client, QObject *parent = nullptr);
    ~ActivityStream() override;

    // The admin API's scope query (Session::adminScope).
    void setScope(const QUrlQuery &scope) { m_scope = scope; }
    void start();
    void stop();
    State state() const { return m_state; }
    QString lastError() const { return m_lastError; }

signals:
    void stateChanged(console::ActivityStream::State state);
    void itemReceived(const QString &type, const QJsonObject &item);
    void resyncNeeded();

private:
    void open();
    void onReadyRead();
    void onFinished();
    void setState(State state);

    ServiceClient &m_client;
    QUrlQuery m_scope;
    QPointer<QNetworkReply> m_reply;
    push::SseParser m_parser;
    QTimer m_retry;
    int m_delayMs = 1000;
    State m_state = State::Stopped;
    QString m_lastError;
    QString m_closedReason; // of a ": closed: <reason>" comment
    bool m_wanted = false;
};

} // namespace console
