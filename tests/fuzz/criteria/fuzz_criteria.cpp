// Subscriber criteria (the `criteria` query parameter, EventCriteria::fromJsonText) and the
// event body of POST /event/v1/events (DomainEvent::fromJson), then the match between
// them. The input is the criteria text, NUL, the event JSON.
#include "fuzzsupport.h"
#include "shared/criteria.h"
#include "shared/domainevent.h"

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
    const QList<QByteArray> parts = push::fuzz::split(data, size, 2);
    QString error;
    const auto criteria = EventCriteria::fromJsonText(parts.at(0), &error);
    if (criteria) {
        // What was read writes back to criteria that read the same.
        const auto again = EventCriteria::fromJson(criteria->toJson(), QString(), &error);
        PUSH_FUZZ_CHECK(again && again->toJson() == criteria->toJson());
    }

    const QJsonDocument body = QJsonDocument::fromJson(parts.at(1));
    if (!body.isObject())
        return 0;
    const auto event = DomainEvent::fromJson(body.object(), &error);
    if (!event)
        return 0;
    const QJsonObject json = event->toJson();
    if (criteria) {
        const bool a = criteria->matches(json);
        const bool b = criteria->matches(json.value(QLatin1String("correlationId")),
                                         json.value(QLatin1String("context")).toObject());
        PUSH_FUZZ_CHECK(a == b);
    }
    return 0;
}
