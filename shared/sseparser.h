#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace push {

// The Server-Sent Events wire format (WHATWG), incrementally: feed() bytes as they come, take the
// complete events. Comments (":" lines) are kept apart, for the "closed" reason. Used by
// the console's activity feed and by the tests' SSE client.
class SseParser
{
public:
    struct Event
    {
        QString type = QStringLiteral("message"); // "event:" field
        QByteArray data;                          // "data:" lines joined with \n
        QByteArray id;
    };

    void feed(const QByteArray &bytes);
    QList<Event> takeEvents();
    QList<QByteArray> takeComments();

private:
    void line(const QByteArray &line);

    QByteArray m_buffer;
    Event m_current;
    bool m_hasData = false;
    QList<Event> m_events;
    QList<QByteArray> m_comments;
};

} // namespace push
