#include "configsnapshot.h"

#include "shared/configuration.h"

#include <algorithm>

namespace push::config {

ConfigSnapshot::ConfigSnapshot(QList<Tenant> tenants, const QJsonObject &coreDocument,
                               const QHash<QString, QJsonObject> &tenantDocuments)
    : m_tenants(std::move(tenants))
    , m_coreStreams(streamsFromConfiguration(coreDocument))
    , m_coreWebhooks(webhooksFromConfiguration(coreDocument))
{
    for (Webhook &webhook : m_coreWebhooks)
        webhook.fromCore = true;
    m_anyWebhooks = !m_coreWebhooks.isEmpty();
    for (const Tenant &tenant : std::as_const(m_tenants)) {
        const QJsonObject document = tenantDocuments.value(tenant.id);
        m_tenantStreams.insert(tenant.id,
                               combineStreams(m_coreStreams, streamsFromConfiguration(document)));
        QList<Webhook> webhooks = m_coreWebhooks;
        for (Webhook &own : webhooksFromConfiguration(document)) {
            const bool shadowed = std::any_of(webhooks.cbegin(), webhooks.cend(),
                                              [&](const Webhook &w) { return w.id == own.id; });
            if (!shadowed)
                webhooks.append(std::move(own));
        }
        m_anyWebhooks = m_anyWebhooks || !webhooks.isEmpty();
        m_tenantWebhooks.insert(tenant.id, std::move(webhooks));
    }
}

const QList<Webhook> &ConfigSnapshot::webhooksFor(const QString &tenantId) const
{
    auto it = m_tenantWebhooks.constFind(tenantId);
    return it == m_tenantWebhooks.constEnd() ? m_coreWebhooks : it.value();
}

const Webhook *ConfigSnapshot::webhook(const QString &tenantId, const QString &webhookId) const
{
    for (const Webhook &webhook : webhooksFor(tenantId)) {
        if (webhook.id == webhookId)
            return &webhook;
    }
    return nullptr;
}

const Tenant *ConfigSnapshot::tenantById(const QString &id) const
{
    for (const Tenant &tenant : m_tenants) {
        if (tenant.id == id)
            return &tenant;
    }
    return nullptr;
}

const Tenant *ConfigSnapshot::findTenant(const QString &reference) const
{
    if (reference.isEmpty())
        return nullptr;
    const QString fromUrn = tenantIdFromUrn(reference);
    if (!fromUrn.isEmpty())
        return tenantById(fromUrn);
    for (const Tenant &tenant : m_tenants) {
        if (tenantNameMatches(reference, tenant.name))
            return &tenant;
    }
    return tenantById(reference);
}

const Tenant *ConfigSnapshot::tenantByRealm(const QString &realm) const
{
    for (const Tenant &tenant : m_tenants) {
        if (tenant.realm == realm)
            return &tenant;
    }
    return nullptr;
}

const QMap<QString, Stream> &ConfigSnapshot::streamsFor(const QString &tenantId) const
{
    auto it = m_tenantStreams.constFind(tenantId);
    return it == m_tenantStreams.constEnd() ? m_coreStreams : it.value();
}

const Stream *ConfigSnapshot::stream(const QString &tenantId, const QString &streamId) const
{
    const QMap<QString, Stream> &streams =
        tenantId.isEmpty() ? m_coreStreams : streamsFor(tenantId);
    auto it = streams.constFind(streamId);
    return it == streams.constEnd() ? nullptr : &it.value();
}

SnapshotPtr ConfigRegistry::current() const
{
    QMutexLocker locker(&m_mutex);
    return m_snapshot;
}

void ConfigRegistry::replace(SnapshotPtr snapshot)
{
    QMutexLocker locker(&m_mutex);
    m_snapshot = std::move(snapshot);
}

} // namespace push::config
