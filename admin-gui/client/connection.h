#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

class QSettings;

namespace console {

// A push-service the console knows: where it is, whose view it takes (a tenant's, or the
// core's), and how it gets a token. Everything but secrets is kept in QSettings; the
// client secret or pasted token is in the keychain under secretKey().
struct Connection
{
    enum class Auth { DevIssuer, ClientCredentials, Bearer };

    QString id; // stable, generated
    QString name;
    QUrl url;
    bool core = false; // a core (platform) administrator
    QString tenant;    // a tenant connection's tenant; for core: the tenant to manage, or none
    Auth auth = Auth::DevIssuer;
    // The development issuer: `push-service token` with the service's data directory.
    QString devBinary;
    QString devDataDir;
    QStringList devRoles;
    // OIDC client credentials.
    QUrl tokenEndpoint;
    QString clientId;

    QString secretKey() const { return id + QStringLiteral("/secret"); }
    // What the console shows for it: "name — url (tenant demo)".
    QString title() const;
    // The roles a development token asks for by default: administrator, sender, listener.
    static QStringList defaultDevRoles(bool core);
    static QString authName(Auth auth);
};

// The known connections and the last one used, in QSettings.
class ConnectionStore
{
public:
    static QList<Connection> load(QSettings &settings);
    static void save(QSettings &settings, const QList<Connection> &connections);
    static QString lastUsed(QSettings &settings);
    static void setLastUsed(QSettings &settings, const QString &id);
};

} // namespace console
