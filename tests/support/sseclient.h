#pragma once

#include "shared/sseparser.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTcpSocket>
#include <QUrl>

#include <functional>

// A Server-Sent Events client on a plain QTcpSocket, so that a test can hold hundreds of
// them (QNetworkAccessManager keeps six connections per host) and control reading (to
// play a slow client). Parses the response head itself, and the event stream with the
// project's push::SseParser (the console's too).
class SseClient final : public QObject
{
    Q_OBJECT

public:
    struct Event
    {
        QByteArray id;
        QByteArray data;
        QJsonObject json() const;
    };

    explicit SseClient(QObject *parent = nullptr);

    // Connects and sends GET <pathAndQuery>. Extra headers are sent as given.
    void open(quint16 port, const QByteArray &pathAndQuery,
              const QList<QPair<QByteArray, QByteArray>> &headers = {});
    // Stop reading from the kernel: the server's queue fills up (a slow client).
    void pauseReading();
    void resumeReading();
    void close();
    // Hands each event to `sink` instead of keeping it (for tests with many events).
    void setSink(std::function<void(const Event &)> sink) { m_sink = std::move(sink); }

    int status() const { return m_status; }
    QByteArray header(const QByteArray &lowerName) const { return m_headers.value(lowerName); }
    QByteArray errorBody() const { return m_body; } // body of a non-200 answer
    // The data events (unnamed, what EventSource's onmessage sees), in order.
    const QList<Event> &events() const { return m_events; }
    // The named ones (adsp:ready, adsp:reset, …: docs/resume.md), each with its name.
    const QList<std::pair<QString, Event>> &namedEvents() const { return m_named; }
    QList<QByteArray> comments() const { return m_comments; }
    bool isConnected() const { return m_socket->state() == QAbstractSocket::ConnectedState; }
    bool disconnectedByServer() const { return m_remoteClosed; }

signals:
    void headReceived();
    void eventReceived();

private:
    void onReadyRead();
    void parseStream();

    QTcpSocket *m_socket;
    QByteArray m_buffer;
    bool m_headDone = false;
    bool m_remoteClosed = false;
    bool m_paused = false;
    int m_status = 0;
    QHash<QByteArray, QByteArray> m_headers;
    QByteArray m_body;
    QList<Event> m_events;
    QList<std::pair<QString, Event>> m_named;
    QList<QByteArray> m_comments;
    push::SseParser m_parser;
    std::function<void(const Event &)> m_sink;
};
