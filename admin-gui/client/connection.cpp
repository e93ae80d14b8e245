#include "connection.h"

#include <QSettings>
#include <QUuid>

namespace console {

QString Connection::title() const
{
    const QString scope = core ? (tenant.isEmpty() ? QStringLiteral("core")
                                                   : QStringLiteral("core, tenant %1").arg(tenant))
                               : QStringLiteral("tenant %1").arg(tenant);
    return QStringLiteral("%1 — %2 (%3)").arg(name, url.toString(), scope);
}

QStringList Connection::defaultDevRoles(bool core)
{
    QStringList roles{
        core ? QStringLiteral("urn:ads:platform:configuration-service:configuration-admin")
             : QStringLiteral("urn:ads:platform:tenant-service:tenant-admin"),
        QStringLiteral("urn:ads:platform:event-service:event-sender"),
        QStringLiteral("urn:ads:platform:push-service:stream-listener")};
    return roles;
}

QString Connection::authName(Auth auth)
{
    switch (auth) {
    case Auth::DevIssuer:
        return QStringLiteral("development issuer");
    case Auth::ClientCredentials:
        return QStringLiteral("client credentials");
    case Auth::Bearer:
        break;
    }
    return QStringLiteral("bearer token");
}

QList<Connection> ConnectionStore::load(QSettings &settings)
{
    QList<Connection> connections;
    const int count = settings.beginReadArray(QStringLiteral("connections"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        Connection c;
        c.id = settings.value(QStringLiteral("id")).toString();
        if (c.id.isEmpty())
            c.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        c.name = settings.value(QStringLiteral("name")).toString();
        c.url = settings.value(QStringLiteral("url")).toUrl();
        c.core = settings.value(QStringLiteral("core")).toBool();
        c.tenant = settings.value(QStringLiteral("tenant")).toString();
        c.auth = Connection::Auth(settings.value(QStringLiteral("auth")).toInt());
        c.devBinary = settings.value(QStringLiteral("devBinary")).toString();
        c.devDataDir = settings.value(QStringLiteral("devDataDir")).toString();
        c.devRoles = settings.value(QStringLiteral("devRoles")).toStringList();
        c.tokenEndpoint = settings.value(QStringLiteral("tokenEndpoint")).toUrl();
        c.clientId = settings.value(QStringLiteral("clientId")).toString();
        connections.append(c);
    }
    settings.endArray();
    return connections;
}

void ConnectionStore::save(QSettings &settings, const QList<Connection> &connections)
{
    settings.remove(QStringLiteral("connections"));
    settings.beginWriteArray(QStringLiteral("connections"), int(connections.size()));
    for (int i = 0; i < connections.size(); ++i) {
        const Connection &c = connections.at(i);
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("id"), c.id);
        settings.setValue(QStringLiteral("name"), c.name);
        settings.setValue(QStringLiteral("url"), c.url);
        settings.setValue(QStringLiteral("core"), c.core);
        settings.setValue(QStringLiteral("tenant"), c.tenant);
        settings.setValue(QStringLiteral("auth"), int(c.auth));
        settings.setValue(QStringLiteral("devBinary"), c.devBinary);
        settings.setValue(QStringLiteral("devDataDir"), c.devDataDir);
        settings.setValue(QStringLiteral("devRoles"), c.devRoles);
        settings.setValue(QStringLiteral("tokenEndpoint"), c.tokenEndpoint);
        settings.setValue(QStringLiteral("clientId"), c.clientId);
    }
    settings.endArray();
}

QString ConnectionStore::lastUsed(QSettings &settings)
{
    return settings.value(QStringLiteral("lastConnection")).toString();
}

void ConnectionStore::setLastUsed(QSettings &settings, const QString &id)
{
    settings.setValue(QStringLiteral("lastConnection"), id);
}

} // namespace console
