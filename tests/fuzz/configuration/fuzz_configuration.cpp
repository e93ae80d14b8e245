// The configuration API: a PATCH request applied to a stored document
// (applyConfigurationPatch), the result validated (validateConfiguration) and, when valid,
// read into streams and webhooks and combined with the core streams as the service does.
// The input is the current document, NUL, the PATCH body.
#include "fuzzsupport.h"
#include "shared/configuration.h"
#include "shared/domainevent.h"
#include "shared/stream.h"
#include "shared/webhook.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace push;

namespace {

void readValid(const QJsonObject &document)
{
    if (!validateConfiguration(document).isEmpty())
        return;
    const QMap<QString, Stream> streams = streamsFromConfiguration(document);
    for (const Stream &stream : streams) {
        // A valid stream writes back to a document that is still valid.
        QJsonObject again;
        again.insert(stream.id, stream.toJson());
        PUSH_FUZZ_CHECK(validateConfiguration(again).isEmpty());
    }
    (void)combineStreams(streams, streams);
    DomainEvent event;
    event.tenantId = QStringLiteral("urn:ads:platform:tenant-service:v2:/tenants/demo");
    event.eventNamespace = QStringLiteral("order-service");
    event.name = QStringLiteral("order-placed");
    for (const Webhook &webhook : webhooksFromConfiguration(document)) {
        (void)webhook.triggeredBy(event);
        (void)webhook.toJson();
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> parts = push::fuzz::split(data, size, 2);
    const QJsonDocument current = QJsonDocument::fromJson(parts.at(0));
    const QJsonObject document = current.object();
    readValid(document);

    const QJsonDocument patch = QJsonDocument::fromJson(parts.at(1));
    if (!patch.isObject())
        return 0;
    QString error;
    const auto patched = applyConfigurationPatch(document, patch.object(), &error);
    if (!patched) {
        PUSH_FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    readValid(*patched);
    return 0;
}
