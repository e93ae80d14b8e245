// Projection: a stream's `map` paths (lodash syntax, from configuration documents) read
// from an event (valueAtPath) and the projected event built from them (project()). The
// input is the path, NUL, the event JSON, NUL, more map paths (one per line).
#include "fuzzsupport.h"
#include "shared/domainevent.h"
#include "shared/stream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace push;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> parts = push::fuzz::split(data, size, 3);
    const QString path = QString::fromUtf8(parts.at(0));
    const QJsonDocument document = QJsonDocument::fromJson(parts.at(1));
    const QJsonValue root =
        document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    (void)valueAtPath(root, path);

    DomainEvent event;
    event.tenantId = QStringLiteral("urn:ads:platform:tenant-service:v2:/tenants/demo");
    event.eventNamespace = QStringLiteral("order-service");
    event.name = QStringLiteral("order-placed");
    event.timestamp = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    event.payload = root;
    StreamEvent streamEvent;
    streamEvent.eventNamespace = event.eventNamespace;
    streamEvent.name = event.name;
    streamEvent.map.append({QStringLiteral("value"), path});
    const QList<QByteArray> more = parts.at(2).split('\n');
    for (qsizetype i = 0; i < more.size() && i < 16; ++i)
        streamEvent.map.append({QString::number(i), QString::fromUtf8(more.at(i))});
    (void)project(streamEvent, event);
    return 0;
}
