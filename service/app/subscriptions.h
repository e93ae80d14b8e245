#pragma once

#include "config/configsnapshot.h"
#include "fanout/fanout.h"
#include "http/httpmessage.h"
#include "shared/access.h"
#include "shared/criteria.h"

#include <QString>

#include <variant>

namespace push::app {

// A subscription as SSE and socket.io both resolve it, once the tenant context is known
// (SSE: ?tenant= or the token's tenant; socket.io: the namespace).
struct SubscriptionRequest
{
    fanout::StreamKey key; // the stream instance: tenant context and stream id
    EventCriteria criteria;
};

// Why a subscription is refused: the status SSE answers and the message both send.
struct SubscriptionRefusal
{
    http::ApiError error;
    QString message;
};

// The stream `streamId` in the context `tenantId` (empty: the cross-tenant core streams),
// when `user` (null: anonymous) may subscribe to it, with the subscriber's criteria (the
// `criteria` parameter, JSON); otherwise why not: 404 for no such stream, 401/403 from
// the stream's roles, 400 for criteria that do not parse.
std::variant<SubscriptionRequest, SubscriptionRefusal>
resolveSubscription(const config::ConfigSnapshot &snapshot, const User *user,
                    const QString &tenantId, const QString &streamId, const QString &criteriaText);

} // namespace push::app
