// The resumable side of the stream API (docs/resume.md): a new SSE subscriber's catch-up
// from its cursor, the polling read of a stream's log, and the log's metrics.
#include "streamapi.h"

#include "app/subscriptions.h"
#include "fanout/hub.h"
#include "fanout/subscriberregistry.h"
#include "http/httpconnection.h"
#include "http/worker.h"
#include "metrics/metrics.h"
#include "resume/catchup.h"
#include "resume/replaylog.h"
#include "sse/ssesubscriber.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace push::app {

using http::ApiError;
using http::HttpCall;
using http::HttpResponse;

void StreamApi::startResume(HttpCall &call, sse::SseSubscriber &subscriber,
                            const fanout::StreamKey &key)
{
    if (key.isCrossTenant()) {
        subscriber.resumeFrom(std::nullopt, std::nullopt); // no log of its own to resume
        return;
    }
    const Tenant *tenant = m_registry.current()->tenantById(key.tenantId);
    if (!tenant) {
        subscriber.resumeFrom(std::nullopt, std::nullopt);
        return;
    }
    // Last-Event-ID (what EventSource sends by itself) wins over ?after=; empty is none.
    std::optional<QByteArray> cursor;
    const QByteArray lastEventId = call.request.header("last-event-id");
    const QString after = call.request.queryValue(QStringLiteral("after"));
    if (!lastEventId.isEmpty())
        cursor = lastEventId;
    else if (!after.isEmpty())
        cursor = after.toUtf8();
    resume::CatchUp::Context context;
    context.log = m_log;
    context.registry = &m_registry;
    context.home = &m_hub.registry(call.worker->index());
    context.key = key;
    context.tenantUrn = tenant->urn();
    subscriber.resumeFrom(std::move(context), std::move(cursor));
}

namespace {

// {reset, items: [{cursor, ...item}], next} for a page of a stream's log.
QJsonObject pollAnswer(resume::ReplayLog &log, const config::ConfigSnapshot &snapshot,
                       const SubscriptionRequest &request, const QString &tenantUrn,
                       const QByteArray &cursorText, const resume::LogView &view)
{
    const char *reset = cursorText.isEmpty() ? nullptr : log.resetReason(cursorText, view);
    EntryId next = view.head;
    QJsonArray items;
    if (!cursorText.isEmpty() && !reset) {
        next = Cursor::parse(cursorText)->entry;
        for (const resume::LogEntry &entry : view.entries) {
            next = entry.id;
            const std::optional<DomainEvent> event =
                resume::ReplayLog::eventFrom(entry.event, tenantUrn);
            if (!event)
                continue;
            const std::optional<fanout::FanoutItem> item =
                fanout::Hub::itemFor(snapshot, request.key, *event, Cursor{view.epoch, entry.id});
            if (!item || (!request.criteria.isEmpty() &&
                          !request.criteria.matches(item->correlationId, item->context)))
                continue;
            QJsonObject json = QJsonDocument::fromJson(sse::SseSubscriber::dataOf(*item)).object();
            json.insert(QStringLiteral("cursor"), QString::fromLatin1(item->cursor));
            items.append(json);
        }
    }
    return {{QStringLiteral("reset"), reset ? QJsonValue(QLatin1String(reset)) : QJsonValue()},
            {QStringLiteral("items"), items},
            {QStringLiteral("next"), QString::fromLatin1(Cursor{view.epoch, next}.toString())}};
}

} // namespace

void StreamApi::pollEvents(HttpCall &call, const Caller &caller)
{
    if (!m_log) {
        call.fail(ApiError::NotFound,
                  QStringLiteral("resume is off on this service: there is no log to read"));
        return;
    }
    const config::SnapshotPtr snapshot = m_registry.current();
    QString tenantId;
    if (!resolveContext(call, *snapshot, caller.get(), &tenantId))
        return;
    if (tenantId.isEmpty()) {
        call.fail(ApiError::BadRequest,
                  QStringLiteral("the cross-tenant context has no log to read: name a tenant"));
        return;
    }
    auto resolved = resolveSubscription(*snapshot, caller.get(), tenantId, call.args.value(0),
                                        call.request.queryValue(QStringLiteral("criteria")));
    if (const auto *refusal = std::get_if<SubscriptionRefusal>(&resolved)) {
        call.fail(refusal->error, refusal->message);
        return;
    }
    constexpr int kMaxTop = resume::CatchUp::kPageSize;
    int top = kMaxTop;
    const QString topText = call.request.queryValue(QStringLiteral("top"));
    if (!topText.isEmpty()) {
        bool ok = false;
        top = topText.toInt(&ok);
        if (!ok || top < 1 || top > kMaxTop) {
            call.fail(ApiError::BadRequest,
                      QStringLiteral("top must be a number from 1 to %1").arg(kMaxTop));
            return;
        }
    }
    const QByteArray cursorText = call.request.queryValue(QStringLiteral("after")).toUtf8();
    std::optional<EntryId> after;
    if (const std::optional<Cursor> parsed = Cursor::parse(cursorText))
        after = parsed->entry;
    const QString tenantUrn = snapshot->tenantById(tenantId)->urn();
    const http::DeferredCall pending(call);
    http::Worker *worker = call.worker;
    m_log->read(tenantUrn, after, top,
                [log = m_log, snapshot, request = std::get<SubscriptionRequest>(resolved),
                 tenantUrn, cursorText, pending,
                 worker](bool ok, const resume::LogView &view, const QString &error) {
                    // Made on the reader thread, answered on the worker.
                    std::optional<QJsonObject> answer;
                    if (ok)
                        answer = pollAnswer(*log, *snapshot, request, tenantUrn, cursorText, view);
                    worker->answer(pending, [answer, error](HttpCall &call) {
                        if (answer)
                            call.reply(HttpResponse::json(*answer));
                        else
                            call.fail(ApiError::Unavailable, error);
                    });
                });
}

namespace {

// The age of the oldest entry over every tenant (0 when the log is empty), at the scrape.
QByteArray oldestAgeMetric(const resume::LogStats &stats)
{
    const qint64 oldest = stats.oldestMs.load();
    const qint64 ageMs =
        oldest > 0 ? std::max<qint64>(0, QDateTime::currentMSecsSinceEpoch() - oldest) : 0;
    return metrics::header("push_resume_log_oldest_age_seconds", "gauge",
                           "Age of the oldest entry in the replay log (all tenants; 0: empty).") +
           metrics::sample("push_resume_log_oldest_age_seconds", {}, double(ageMs) / 1000.0);
}

} // namespace

QByteArray StreamApi::resumeMetrics() const
{
    if (!m_log)
        return {};
    using metrics::header;
    using metrics::sample;
    const resume::LogStats &stats = m_log->stats();
    QByteArray text;
    text += header("push_resume_log_entries", "gauge", "Entries in the replay log (all tenants).");
    text += sample("push_resume_log_entries", {}, double(stats.entries.load()));
    text += header("push_resume_log_bytes", "gauge", "Bytes of the events in the replay log.");
    text += sample("push_resume_log_bytes", {}, double(stats.bytes.load()));
    text += oldestAgeMetric(stats);
    text += header("push_resume_appended_total", "counter", "Events appended to the replay log.");
    text += sample("push_resume_appended_total", {}, double(stats.appended.load()));
    text += header("push_resume_duplicates_total", "counter",
                   "Events not appended: their id was in the log already.");
    text += sample("push_resume_duplicates_total", {}, double(stats.duplicates.load()));
    text += header("push_resume_trimmed_total", "counter",
                   "Entries trimmed from the replay log (by age or length).");
    text += sample("push_resume_trimmed_total", {}, double(stats.trimmed.load()));
    text += header("push_resume_write_failures_total", "counter",
                   "Batches the replay log could not write (their events were refused).");
    text += sample("push_resume_write_failures_total", {}, double(stats.failures.load()));
    text += header("push_resume_replayed_total", "counter",
                   "Entries read from the replay log to catch up or for polling.");
    text += sample("push_resume_replayed_total", {}, double(stats.replayed.load()));
    text +=
        header("push_resume_resets_total", "counter", "Cursors that could not resume, by reason.");
    text += sample("push_resume_resets_total", {{"reason", QStringLiteral("invalid-cursor")}},
                   double(stats.resetInvalid.load()));
    text += sample("push_resume_resets_total", {{"reason", QStringLiteral("epoch-changed")}},
                   double(stats.resetEpoch.load()));
    text += sample("push_resume_resets_total", {{"reason", QStringLiteral("cursor-expired")}},
                   double(stats.resetExpired.load()));
    const metrics::Registry &counters = metrics::registry();
    text += header("push_sio_recoveries_total", "counter",
                   "socket.io connections that asked to recover their session, by result.");
    for (const auto &[result, count] : {std::pair{"recovered", &counters.sioRecovered},
                                        {"invalid", &counters.sioRecoveryInvalid},
                                        {"mismatch", &counters.sioRecoveryMismatch},
                                        {"expired", &counters.sioRecoveryExpired}})
        text += sample("push_sio_recoveries_total", {{"result", QLatin1String(result)}},
                       double(count->load()));
    return text;
}

} // namespace push::app
