#include "tenant.h"

namespace push {

QString Tenant::urn() const
{
    return tenantUrn(id);
}

QString tenantUrn(const QString &tenantId)
{
    return QLatin1String(kTenantUrnPrefix) + tenantId;
}

QString tenantIdFromUrn(const QString &urn)
{
    const QLatin1String prefix(kTenantUrnPrefix);
    if (!urn.startsWith(prefix))
        return QString();
    const QString id = urn.mid(prefix.size());
    if (id.isEmpty() || id.contains(QLatin1Char('/')))
        return QString();
    return id;
}

bool tenantNameMatches(const QString &kebab, const QString &tenantName)
{
    if (kebab.isEmpty())
        return false;
    QString spaced = kebab;
    spaced.replace(QLatin1Char('-'), QLatin1Char(' '));
    return spaced.compare(tenantName, Qt::CaseInsensitive) == 0;
}

QString toKebab(const QString &tenantName)
{
    QString kebab = tenantName.toLower();
    kebab.replace(QLatin1Char(' '), QLatin1Char('-'));
    return kebab;
}

} // namespace push
