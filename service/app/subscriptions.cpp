#include "subscriptions.h"

namespace push::app {

std::variant<SubscriptionRequest, SubscriptionRefusal>
resolveSubscription(const config::ConfigSnapshot &snapshot, const User *user,
                    const QString &tenantId, const QString &streamId, const QString &criteriaText)
{
    const Stream *stream = snapshot.stream(tenantId, streamId);
    if (!stream) {
        const Tenant *tenant = snapshot.tenantById(tenantId);
        return SubscriptionRefusal{
            http::ApiError::NotFound,
            tenant
                ? QStringLiteral("stream '%1' not found for tenant %2").arg(streamId, tenant->name)
                : QStringLiteral("stream '%1' not found among the core streams").arg(streamId)};
    }
    const Access access = subscribeAccess(user, *stream, tenantId);
    if (access != Access::Allowed)
        return SubscriptionRefusal{access == Access::Forbidden ? http::ApiError::Forbidden
                                                               : http::ApiError::Unauthorized,
                                   subscribeRefusal(access, *stream)};
    SubscriptionRequest request{{tenantId, stream->id}, {}};
    if (!criteriaText.isEmpty()) {
        QString error;
        std::optional<EventCriteria> parsed =
            EventCriteria::fromJsonText(criteriaText.toUtf8(), &error);
        if (!parsed)
            return SubscriptionRefusal{http::ApiError::BadRequest,
                                       QStringLiteral("criteria: %1").arg(error)};
        request.criteria = std::move(*parsed);
    }
    return request;
}

} // namespace push::app
