#pragma once

// Raw HTTP/1.1 over a QTcpSocket, for tests that send what a well-behaved client never
// would: upgrades, pipelines, broken heads. Every wait has a timeout.
#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QTcpSocket>
#include <QtTest>

#include <unistd.h>

namespace rawhttp {

struct Response
{
    int status = 0;
    QByteArray head; // status line and headers
    QByteArray body;
    QByteArray header(const QByteArray &lowerName) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == lowerName)
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
};

inline bool connectTo(QTcpSocket &socket, quint16 port)
{
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    return socket.waitForConnected(5000);
}

// Parses one response off the front of `buffer` (Content-Length framing, or none for
// `headOnly`); false while it is incomplete.
inline bool takeResponse(QByteArray &buffer, Response *out, bool headOnly = false)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    Response r;
    r.head = buffer.left(end);
    r.status = r.head.mid(9, 3).toInt();
    const qint64 length = headOnly ? 0 : r.header("content-length").toLongLong();
    if (buffer.size() < end + 4 + length)
        return false;
    r.body = buffer.mid(end + 4, length);
    buffer.remove(0, end + 4 + length);
    *out = r;
    return true;
}

// Reads one response from `socket` within `timeoutMs`.
inline Response readResponse(QTcpSocket &socket, QByteArray &buffer, bool headOnly = false,
                             int timeoutMs = 10000)
{
    Response r;
    QElapsedTimer clock;
    clock.start();
    while (!takeResponse(buffer, &r, headOnly) && clock.elapsed() < timeoutMs) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(200) &&
            socket.state() != QAbstractSocket::ConnectedState)
            break;
        buffer += socket.readAll();
    }
    return r;
}

// True once the peer has closed the connection (within `timeoutMs`).
inline bool waitClosed(QTcpSocket &socket, int timeoutMs = 10000)
{
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < timeoutMs) {
        socket.waitForReadyRead(200);
        socket.readAll();
    }
    return socket.state() != QAbstractSocket::ConnectedState;
}

// One request on a new connection; the response.
inline Response exchange(quint16 port, const QByteArray &request, bool headOnly = false)
{
    QTcpSocket socket;
    if (!connectTo(socket, port))
        return {};
    socket.write(request);
    socket.flush();
    QByteArray buffer;
    return readResponse(socket, buffer, headOnly);
}

inline QByteArray get(const QByteArray &path, const QByteArray &extraHeaders = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
}

// A sample's value from GET /metrics, or -1.
inline double metric(quint16 port, const QByteArray &nameAndLabels)
{
    const Response r = exchange(port, get("/metrics", "Connection: close\r\n"));
    for (const QByteArray &line : r.body.split('\n')) {
        if (line.startsWith(nameAndLabels + ' '))
            return line.mid(nameAndLabels.size() + 1).toDouble();
    }
    return -1;
}

// Polls `condition` until it holds (true) or `timeoutMs` pass (false). Unlike QTRY_*, it
// evaluates the condition once per try: a condition here may open a connection.
template<typename Condition> bool eventually(Condition condition, int timeoutMs = 20000)
{
    QElapsedTimer clock;
    clock.start();
    while (!condition()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QTest::qWait(50);
    }
    return true;
}

// CPU seconds (user + system) of a process so far (Linux /proc), or -1.
inline double cpuSeconds(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) of stat(5), counted from the state (field 3).
    return double(fields.value(11).toLongLong() + fields.value(12).toLongLong()) /
           double(sysconf(_SC_CLK_TCK));
}

} // namespace rawhttp
