#include "activitystream.h"

#include "client/serviceclient.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QSignalBlocker>

namespace console {

ActivityStream::ActivityStream(ServiceClient &client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &ActivityStream::open);
}

ActivityStream::~ActivityStream()
{
    const QSignalBlocker quiet(this);
    stop();
}

void ActivityStream::start()
{
    m_wanted = true;
    m_delayMs = 1000;
    if (!m_reply)
        open();
}

void ActivityStream::stop()
{
    m_wanted = false;
    m_retry.stop();
    if (m_reply) {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    setState(State::Stopped);
}

void ActivityStream::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void ActivityStream::open()
{
    if (!m_wanted)
        return;
    const QUrlQuery query = m_scope;
    m_parser = push::SseParser();
    m_closedReason.clear();
    m_reply = m_client.openStream(QStringLiteral("/admin/v1/activity"), query);
    setState(State::Connecting);
    connect(m_reply, &QNetworkReply::readyRead, this, &ActivityStream::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &ActivityStream::onFinished);
}

void ActivityStream::onReadyRead()
{
    if (!m_reply)
        return;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return; // the error body is read in onFinished
    m_parser.feed(m_reply->readAll());
    for (const QByteArray &comment : m_parser.takeComments()) {
        if (comment.startsWith("closed:"))
            m_closedReason = QString::fromUtf8(comment.mid(7).trimmed());
    }
    for (const push::SseParser::Event &event : m_parser.takeEvents()) {
        const QJsonObject item = QJsonDocument::fromJson(event.data).object();
        if (event.type == QLatin1String("ready")) {
            m_delayMs = 1000;
            m_lastError.clear();
            setState(State::Open);
            emit resyncNeeded(); // whatever happened while we were away
        } else if (event.type == QLatin1String("dropped")) {
            // The lists need reading again only when subscribe or unsubscribe items were
            // among the dropped ones (events are a tail: a gap there is only reported).
            const QJsonObject types = item.value(QLatin1String("types")).toObject();
            if (types.contains(QLatin1String("subscribe")) ||
                types.contains(QLatin1String("unsubscribe")))
                emit resyncNeeded();
        }
        emit itemReceived(event.type, item);
    }
}

void ActivityStream::onFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200) {
        const QByteArray body = reply->readAll();
        const QString message =
            QJsonDocument::fromJson(body).object().value(QLatin1String("errorMessage")).toString();
        m_lastError = !message.isEmpty() ? message
                      : status > 0       ? tr("the activity feed answered %1").arg(status)
                                         : reply->errorString();
    } else {
        m_lastError = m_closedReason.isEmpty() ? tr("the activity feed ended") : m_closedReason;
    }
    setState(State::Connecting);
    if (!m_wanted) {
        setState(State::Stopped);
        return;
    }
    m_retry.start(m_delayMs);
    m_delayMs = std::min(m_delayMs * 2, 30000);
}

} // namespace console
