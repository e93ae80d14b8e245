#pragma once

#include "shared/stream.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace push {

inline constexpr auto kConfigurationNamespace = "platform";
inline constexpr auto kConfigurationName = "push-service";
inline constexpr auto kWebhooksKey = "webhooks";

// One bound for every way a document comes in (the API, `push-service config set`, a
// revision another instance wrote): its compact JSON size and its number of entries
// (streams plus webhooks).
inline constexpr qint64 kMaxConfigurationBytes = 1024 * 1024;
inline constexpr qsizetype kMaxConfigurationEntries = 5000;

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
// A stream's key is its id, and so is a webhook's key where webhooks are an object; a
// webhook's url is absolute http(s). The document's size and entries are within the
// bounds above (checked first: an oversized document gets that one error).
// Returns every error found (empty list = valid). Keys in messages are escaped
// (printableKey), so a message never carries a control character.
QList<ValidationError> validateConfiguration(const QJsonObject &document);

// The bounds alone: an error message, or an empty string when `document` is within them.
// `compactBytes`, when known (>= 0), is the document's compact JSON size.
QString configurationLimitError(const QJsonObject &document, qint64 compactBytes = -1);

// `key` as it may be shown: control characters, quotes and backslashes escaped as in JSON.
QString printableKey(const QString &key);

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
