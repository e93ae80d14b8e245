#pragma once

#include "client/activitystream.h"
#include "client/connection.h"
#include "client/serviceclient.h"
#include "client/tokensource.h"

#include <QObject>
#include <QUrlQuery>

namespace console {

class SecretStore;

// The console connected to one push-service: its REST client, where its token comes
// from, and the activity feed. Which configuration document it edits follows from the
// connection: a tenant connection edits its tenant's and sees the core document read-only;
// a core connection edits the core document, or, when it names a tenant, that tenant's
// (with ?tenantId=) and the core one.
class Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    Session(Connection connection, SecretStore &secrets, QObject *parent = nullptr);

    const Connection &connection() const { return m_connection; }
    ServiceClient &client() { return m_client; }
    TokenSource &tokens() { return m_tokens; }
    ActivityStream &activity() { return m_activity; }

    // Gets a token, then opens the activity feed; ready() once the first token is there.
    void start();

    // The query that names the edited document (empty: the caller's own, or the core one).
    QUrlQuery documentScope() const;
    // Is the edited document the core one (a core connection without a tenant)?
    bool editsCore() const { return m_connection.core && m_connection.tenant.isEmpty(); }
    // Is there a second, core document to show beside it (read-only unless core)?
    bool showsCore() const { return !editsCore(); }
    bool coreEditable() const { return m_connection.core; }
    // The tenant whose subscriptions and activity are shown (empty: every tenant).
    QString tenantScope() const { return m_connection.core ? m_connection.tenant : QString(); }
    // The admin API's query for it: ?tenantId= for a core connection naming a tenant.
    QUrlQuery adminScope() const;
    // "tenant demo", "core", ...: what the edited document is, for titles.
    QString documentName() const;

signals:
    void ready();
    void tokenFailed(const QString &error);

private:
    Connection m_connection;
    ServiceClient m_client;
    TokenSource m_tokens;
    ActivityStream m_activity;
    bool m_ready = false;
};

} // namespace console
