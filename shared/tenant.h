#pragma once

#include <QString>

namespace push {

inline constexpr auto kTenantUrnPrefix = "urn:ads:platform:tenant-service:v2:/tenants/";

struct Tenant
{
    QString id;    // e.g. "demo" or an ObjectId-like string
    QString name;  // display name, e.g. "Demo" or "Child Services"
    QString realm; // the Keycloak realm whose tokens belong to this tenant

    QString urn() const;
};

// urn:ads:platform:tenant-service:v2:/tenants/<id>
QString tenantUrn(const QString &tenantId);
// The id out of a tenant URN; an empty string when `urn` is not one.
QString tenantIdFromUrn(const QString &urn);
// ADSP's kebab rule: a tenant named in a URL as kebab case matches the tenant whose name
// equals it with every '-' read as ' ', case-insensitively ("child-services" matches
// "Child Services").
bool tenantNameMatches(const QString &kebab, const QString &tenantName);
// The kebab form of a name: lower case, spaces to '-' ("Child Services" -> "child-services").
QString toKebab(const QString &tenantName);

} // namespace push
