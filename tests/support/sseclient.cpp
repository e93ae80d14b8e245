#include "sseclient.h"

#include <QJsonDocument>

QJsonObject SseClient::Event::json() const
{
    return QJsonDocument::fromJson(data).object();
}

SseClient::SseClient(QObject *parent)
    : QObject(parent)
    , m_socket(new QTcpSocket(this))
{
    connect(m_socket, &QTcpSocket::readyRead, this, &SseClient::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] { m_remoteClosed = true; });
}

void SseClient::open(quint16 port, const QByteArray &pathAndQuery,
                     const QList<QPair<QByteArray, QByteArray>> &headers)
{
    m_socket->connectToHost(QStringLiteral("127.0.0.1"), port);
    QByteArray request = "GET " + pathAndQuery +
                         " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                         "\r\nAccept: text/event-stream\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    request += "\r\n";
    m_socket->write(request); // queued until connected
}

void SseClient::pauseReading()
{
    m_paused = true;
    m_socket->setReadBufferSize(1);
    m_socket->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
}

void SseClient::resumeReading()
{
    m_paused = false;
    m_socket->setReadBufferSize(0);
    onReadyRead();
}

void SseClient::close()
{
    m_socket->abort();
}

void SseClient::onReadyRead()
{
    if (m_paused)
        return;
    m_buffer += m_socket->readAll();
    if (!m_headDone) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        m_status = lines.value(0).split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                m_headers.insert(line.left(colon).toLower(), line.mid(colon + 1).trimmed());
        }
        m_buffer.remove(0, end + 4);
        m_headDone = true;
        emit headReceived();
    }
    if (m_status != 200) {
        m_body += m_buffer;
        m_buffer.clear();
        return;
    }
    parseStream();
}

void SseClient::parseStream()
{
    m_parser.feed(m_buffer);
    m_buffer.clear();
    m_comments += m_parser.takeComments();
    const QList<push::SseParser::Event> events = m_parser.takeEvents();
    for (const push::SseParser::Event &parsed : events) {
        const Event event{parsed.id, parsed.data};
        if (parsed.type != QLatin1String("message"))
            m_named.append({parsed.type, event});
        else if (m_sink)
            m_sink(event);
        else
            m_events.append(event);
    }
    if (!events.isEmpty())
        emit eventReceived();
}
