#pragma once

#include "stream.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace push {

inline constexpr auto kConfigurationNamespace = "platform";
inline constexpr auto kConfigurationName = "push-service";
inline constexpr auto kWebhooksKey = "webhooks";

struct ValidationError
{
    QString property; // JSON path of the offending property, e.g. "my-stream.events[0].name"
    QString message;  // a sentence for the user that names the property
};

// Validates a platform:push-service configuration document: an object keyed by stream
// id, with the reserved key `webhooks` (an object or array of webhooks; its entries are
// checked for id, name and url strings). Rules (adsp-compatibility.md "Stream configuration"):
// each stream key and `id` match ^[a-zA-Z0-9-_ ]{1,50}$; id and name required strings;
// description a string; publicSubscribe a boolean; subscriberRoles an array of strings;
// events an array whose items are objects with namespace and name strings, map an object
// of strings, criteria an object {correlationId?: string, context?: object}.
// Returns every error found (empty list = valid).
QList<ValidationError> validateConfiguration(const QJsonObject &document);

// A validated document turned into streams keyed by id (the `webhooks` key skipped).
QMap<QString, Stream> streamsFromConfiguration(const QJsonObject &document);

// The streams a tenant sees: the union of core and tenant streams; where both define
// the same id, the core entry wins.
QMap<QString, Stream> combineStreams(const QMap<QString, Stream> &core,
                                     const QMap<QString, Stream> &tenant);

// The configuration service's PATCH (adsp-compatibility.md "Configuration service API") applied
// to `current`: {operation: "UPDATE", update: {...}} merges top-level keys,
// {operation: "DELETE", property: "<key>"} removes one, {operation: "REPLACE",
// configuration: {...}} replaces the document. The result is not validated here.
// nullopt with *error naming the property when the request is malformed.
std::optional<QJsonObject> applyConfigurationPatch(const QJsonObject &current,
                                                   const QJsonObject &request, QString *error);

} // namespace push
