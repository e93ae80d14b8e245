#include "session.h"

namespace console {

Session::Session(Connection connection, SecretStore &secrets, QObject *parent)
    : QObject(parent)
    , m_connection(std::move(connection))
    , m_client(this)
    , m_tokens(m_connection, secrets, m_client.network(), this)
    , m_activity(m_client, this)
{
    m_client.setBaseUrl(m_connection.url);
    m_client.setTokenProvider([this] { return m_tokens.token(); });
    m_activity.setScope(adminScope());
    connect(&m_tokens, &TokenSource::failed, this, &Session::tokenFailed);
    connect(&m_tokens, &TokenSource::tokenChanged, this, [this] {
        if (!m_tokens.hasToken() || m_ready)
            return;
        m_ready = true;
        m_activity.start();
        emit ready();
    });
}

void Session::start()
{
    m_tokens.start();
}

QUrlQuery Session::documentScope() const
{
    QUrlQuery query;
    if (m_connection.core && !m_connection.tenant.isEmpty())
        query.addQueryItem(QStringLiteral("tenantId"), m_connection.tenant);
    return query;
}

QUrlQuery Session::adminScope() const
{
    QUrlQuery query;
    if (!tenantScope().isEmpty())
        query.addQueryItem(QStringLiteral("tenantId"), tenantScope());
    return query;
}

QString Session::documentName() const
{
    if (editsCore())
        return tr("core");
    return tr("tenant %1")
        .arg(m_connection.tenant.isEmpty() ? tr("(of the token)") : m_connection.tenant);
}

} // namespace console
