#pragma once

#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

// An OIDC token endpoint for the client-credentials grant, on a real local socket: it
// answers each POST with `answer` (status and JSON body) and keeps the bodies it got.
class TokenEndpoint final : public QObject
{
public:
    TokenEndpoint()
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_buffers[socket] += socket->readAll();
                    const QByteArray &buffer = m_buffers[socket];
                    const qsizetype end = buffer.indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    const qsizetype at = buffer.toLower().indexOf("content-length:");
                    const int length =
                        at < 0 ? 0
                               : buffer.mid(at + 15, buffer.indexOf("\r\n", at) - at - 15)
                                     .trimmed()
                                     .toInt();
                    if (buffer.size() < end + 4 + length)
                        return;
                    bodies.append(buffer.mid(end + 4, length));
                    const QByteArray json = QJsonDocument(answer).toJson(QJsonDocument::Compact);
                    socket->write("HTTP/1.1 " + QByteArray::number(status) +
                                  " X\r\nContent-Type: application/json\r\n"
                                  "Content-Length: " +
                                  QByteArray::number(json.size()) +
                                  "\r\nConnection: close\r\n\r\n" + json);
                    socket->disconnectFromHost();
                    m_buffers.remove(socket);
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/token").arg(m_server.serverPort()));
    }

    int status = 200;
    QJsonObject answer;
    QList<QByteArray> bodies;

private:
    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};
