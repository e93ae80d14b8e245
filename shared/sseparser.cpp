#include "sseparser.h"

namespace push {

void SseParser::feed(const QByteArray &bytes)
{
    m_buffer += bytes;
    qsizetype start = 0;
    for (;;) {
        const qsizetype end = m_buffer.indexOf('\n', start);
        if (end < 0)
            break;
        QByteArray text = m_buffer.mid(start, end - start);
        if (text.endsWith('\r'))
            text.chop(1);
        line(text);
        start = end + 1;
    }
    m_buffer.remove(0, start);
}

void SseParser::line(const QByteArray &line)
{
    if (line.isEmpty()) { // dispatch
        if (m_hasData)
            m_events.append(m_current);
        m_current = Event();
        m_hasData = false;
        return;
    }
    if (line.startsWith(':')) {
        m_comments.append(line.mid(1).trimmed());
        return;
    }
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "event") {
        m_current.type = QString::fromUtf8(value);
    } else if (field == "data") {
        if (m_hasData)
            m_current.data += '\n';
        m_current.data += value;
        m_hasData = true;
    } else if (field == "id") {
        m_current.id = value;
    }
}

QList<SseParser::Event> SseParser::takeEvents()
{
    return std::exchange(m_events, {});
}

QList<QByteArray> SseParser::takeComments()
{
    return std::exchange(m_comments, {});
}

} // namespace push
