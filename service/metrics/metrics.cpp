#include "metrics.h"

#include <QMutexLocker>

#include <iterator>

namespace push::metrics {

Registry &registry()
{
    static Registry instance;
    return instance;
}

void Registry::subscriberChanged(const char *transport, const QString &tenant, int delta)
{
    const QString key = QLatin1String(transport) + QChar(0x1f) + tenant;
    QMutexLocker locker(&m_mutex);
    m_subscribers[key] += delta;
}

namespace {
// Upper bounds of the webhook latency histogram, in seconds (+Inf is the count).
constexpr double kWebhookBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                      1,     2.5,  5,     10,   30,  60};
} // namespace

void Registry::webhookCall(const QString &outcome, double seconds)
{
    QMutexLocker locker(&m_mutex);
    ++m_webhookCalls[outcome];
    if (m_webhookBuckets.isEmpty())
        m_webhookBuckets.resize(std::size(kWebhookBuckets));
    for (size_t i = 0; i < std::size(kWebhookBuckets); ++i) {
        if (seconds <= kWebhookBuckets[i])
            ++m_webhookBuckets[qsizetype(i)];
    }
    m_webhookSeconds += seconds;
    ++m_webhookCount;
}

void Registry::authFailure(const QString &reason)
{
    QMutexLocker locker(&m_mutex);
    ++m_authFailures[reason.isEmpty() ? QStringLiteral("invalid") : reason];
}

QByteArray header(const char *name, const char *type, const char *help)
{
    return QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

QByteArray sample(const char *name, const QList<std::pair<const char *, QString>> &labels,
                  double value)
{
    QByteArray line(name);
    if (!labels.isEmpty()) {
        line += '{';
        bool first = true;
        for (const auto &[label, text] : labels) {
            if (!first)
                line += ',';
            first = false;
            QByteArray escaped = text.toUtf8();
            escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
            line += QByteArray(label) + "=\"" + escaped + '"';
        }
        line += '}';
    }
    line += ' ' + QByteArray::number(value, 'g', 17) + '\n';
    return line;
}

Registry::Locked Registry::copyLocked() const
{
    // Copied *and detached* under the lock: a copy that still shared the registry's data
    // would be read after the lock is released, and once it is dropped a writer sees the
    // data unshared (Qt checks the reference count with a relaxed load) and writes in
    // place into what was read, unordered with those reads (ThreadSanitizer,
    // tests/unit/tst_metrics).
    Locked copied;
    QMutexLocker locker(&m_mutex);
    copied.subscribers = m_subscribers;
    copied.subscribers.detach();
    copied.authFailures = m_authFailures;
    copied.authFailures.detach();
    copied.webhookCalls = m_webhookCalls;
    copied.webhookCalls.detach();
    copied.buckets = m_webhookBuckets;
    copied.buckets.detach();
    copied.webhookSeconds = m_webhookSeconds;
    copied.webhookCount = m_webhookCount;
    return copied;
}

QByteArray Registry::render() const
{
    QByteArray out;
    Locked copied = copyLocked();
    out += header("push_subscriptions", "gauge", "Open subscriptions by transport and tenant.");
    for (auto it = copied.subscribers.cbegin(); it != copied.subscribers.cend(); ++it) {
        if (it.value() == 0)
            continue;
        out += sample("push_subscriptions",
                      {{"transport", it.key().section(QChar(0x1f), 0, 0)},
                       {"tenant", it.key().section(QChar(0x1f), 1)}},
                      double(it.value()));
    }
    out += header("push_events_received_total", "counter",
                  "Events accepted by POST /event/v1/events (http) or made by the service after a "
                  "webhook call (webhook).");
    out += sample("push_events_received_total", {{"source", QStringLiteral("http")}},
                  double(eventsFromHttp.load(std::memory_order_relaxed)));
    out += sample("push_events_received_total", {{"source", QStringLiteral("webhook")}},
                  double(eventsFromWebhooks.load(std::memory_order_relaxed)));
    out += header("push_events_duplicate_total", "counter",
                  "Events dropped because their id was seen within the last 5 minutes.");
    out += sample("push_events_duplicate_total", {},
                  double(duplicateEvents.load(std::memory_order_relaxed)));
    out += header("push_deliveries_total", "counter", "Frames handed to subscribers.");
    out += sample("push_deliveries_total", {}, double(deliveries.load(std::memory_order_relaxed)));
    out += header("push_disconnects_total", "counter",
                  "Subscribers closed by the service, by reason.");
    out += sample("push_disconnects_total", {{"reason", QStringLiteral("slow")}},
                  double(slowDisconnects.load(std::memory_order_relaxed)));
    out += sample("push_disconnects_total", {{"reason", QStringLiteral("stream-deleted")}},
                  double(streamDeletedDisconnects.load(std::memory_order_relaxed)));
    out += sample("push_disconnects_total", {{"reason", QStringLiteral("not-permitted")}},
                  double(notPermittedDisconnects.load(std::memory_order_relaxed)));
    out += sample("push_disconnects_total", {{"reason", QStringLiteral("admin")}},
                  double(adminDisconnects.load(std::memory_order_relaxed)));
    out += sample("push_disconnects_total", {{"reason", QStringLiteral("token-expired")}},
                  double(tokenExpiredDisconnects.load(std::memory_order_relaxed)));
    out += header("push_auth_failures_total", "counter", "Rejected tokens by reason.");
    for (auto it = copied.authFailures.cbegin(); it != copied.authFailures.cend(); ++it)
        out += sample("push_auth_failures_total", {{"reason", it.key()}}, double(it.value()));
    renderWebhooks(out, copied);
    return out;
}

void Registry::renderWebhooks(QByteArray &out, Locked &copied) const
{
    out += header("push_webhook_calls_total", "counter",
                  "Webhook calls by outcome (success, http-error, timeout, error, dropped).");
    for (const char *outcome : {"success", "http-error", "timeout", "error"})
        out += sample("push_webhook_calls_total", {{"outcome", QLatin1String(outcome)}},
                      double(copied.webhookCalls.value(QLatin1String(outcome))));
    out += sample("push_webhook_calls_total", {{"outcome", QStringLiteral("dropped")}},
                  double(webhooksDropped.load(std::memory_order_relaxed)));
    out += header("push_webhook_duration_seconds", "histogram",
                  "How long webhook calls took to answer (or to fail).");
    copied.buckets.resize(std::size(kWebhookBuckets));
    for (size_t i = 0; i < std::size(kWebhookBuckets); ++i)
        out += sample("push_webhook_duration_seconds_bucket",
                      {{"le", QString::number(kWebhookBuckets[i])}},
                      double(copied.buckets[qsizetype(i)]));
    out += sample("push_webhook_duration_seconds_bucket", {{"le", QStringLiteral("+Inf")}},
                  double(copied.webhookCount));
    out += sample("push_webhook_duration_seconds_sum", {}, copied.webhookSeconds);
    out += sample("push_webhook_duration_seconds_count", {}, double(copied.webhookCount));
    out += header("push_webhooks_in_flight", "gauge", "Webhook calls waiting for an answer.");
    out += sample("push_webhooks_in_flight", {},
                  double(webhooksInFlight.load(std::memory_order_relaxed)));
}

} // namespace push::metrics
