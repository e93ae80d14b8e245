#include "jwksserver.h"

#include <QJsonDocument>
#include <QTcpSocket>

JwksServer::JwksServer(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &JwksServer::onConnection);
}

bool JwksServer::start()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QString JwksServer::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

int JwksServer::requests(const QString &fragment) const
{
    int total = 0;
    for (auto it = m_requests.begin(); it != m_requests.end(); ++it) {
        if (fragment.isEmpty() || it.key().contains(fragment))
            total += it.value();
    }
    return total;
}

void JwksServer::onConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
            for (;;) {
                const qsizetype end = buffer.indexOf("\r\n\r\n");
                if (end < 0)
                    break;
                const QByteArray requestLine = buffer.left(buffer.indexOf("\r\n"));
                buffer.remove(0, end + 4);
                const QString path = QString::fromLatin1(requestLine.split(' ').value(1));
                ++m_requests[path];
                QByteArray body;
                int status = 200;
                if (path.endsWith(QLatin1String("/.well-known/openid-configuration"))) {
                    const QString issuer = baseUrl() + path.chopped(33);
                    body = QJsonDocument(
                               QJsonObject{{"issuer", issuer}, {"jwks_uri", baseUrl() + "/jwks"}})
                               .toJson(QJsonDocument::Compact);
                } else if (path == QLatin1String("/jwks") ||
                           path.endsWith(QLatin1String("/protocol/openid-connect/certs"))) {
                    body = QJsonDocument(m_jwks).toJson(QJsonDocument::Compact);
                } else {
                    status = 404;
                    body = "{}";
                }
                socket->write("HTTP/1.1 " + QByteArray::number(status) +
                              (status == 200 ? " OK" : " Not Found") +
                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                              QByteArray::number(body.size()) + "\r\n\r\n" + body);
            }
            socket->setProperty("buffer", buffer);
        });
    }
}
