#pragma once

#include "shared/stream.h"
#include "shared/tenant.h"
#include "shared/webhook.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>

#include <memory>

namespace push::config {

// An immutable view of tenants and stream configurations: built by the control thread
// after each change, read by every thread without locks (only the pointer swap locks).
class ConfigSnapshot
{
public:
    ConfigSnapshot(QList<Tenant> tenants, const QJsonObject &coreDocument,
                   const QHash<QString, QJsonObject> &tenantDocuments);

    const QList<Tenant> &tenants() const { return m_tenants; }
    const Tenant *tenantById(const QString &id) const;
    // By kebab name ("child-services"), display name, id or URN: how URLs name tenants.
    const Tenant *findTenant(const QString &reference) const;
    const Tenant *tenantByRealm(const QString &realm) const;

    // The core (platform-wide) streams: those the cross-tenant context sees.
    const QMap<QString, Stream> &coreStreams() const { return m_coreStreams; }
    // The streams tenant `tenantId` sees: core and its own, core winning.
    const QMap<QString, Stream> &streamsFor(const QString &tenantId) const;
    // A stream in a context: an empty tenantId means the cross-tenant context.
    const Stream *stream(const QString &tenantId, const QString &streamId) const;

    // The webhooks that watch tenant `tenantId`'s events: the tenant's own and the core
    // document's (where both define an id, the core one wins, as for streams). An empty
    // tenantId gives the core document's.
    const QList<Webhook> &webhooksFor(const QString &tenantId) const;
    const Webhook *webhook(const QString &tenantId, const QString &webhookId) const;
    bool hasWebhooks() const { return m_anyWebhooks; }

private:
    QList<Tenant> m_tenants;
    QMap<QString, Stream> m_coreStreams;
    QHash<QString, QMap<QString, Stream>> m_tenantStreams;
    QList<Webhook> m_coreWebhooks;
    QHash<QString, QList<Webhook>> m_tenantWebhooks;
    bool m_anyWebhooks = false;
};

using SnapshotPtr = std::shared_ptr<const ConfigSnapshot>;

// Holds the current snapshot; thread-safe.
class ConfigRegistry
{
public:
    SnapshotPtr current() const;
    void replace(SnapshotPtr snapshot);

private:
    mutable QMutex m_mutex;
    SnapshotPtr m_snapshot;
};

} // namespace push::config
