#include "webhookdispatcher.h"

#include "metrics/metrics.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>
#include <QTimer>
#include <QUrl>

Q_LOGGING_CATEGORY(lcWebhooks, "push.webhooks")

namespace push::webhooks {

WebhookDispatcher::WebhookDispatcher(const config::ConfigRegistry &registry, Options options,
                                     EmitEvent emitEvent)
    : m_registry(registry)
    , m_options(std::move(options))
    , m_emitEvent(std::move(emitEvent))
{}

WebhookDispatcher::~WebhookDispatcher()
{
    stop();
}

void WebhookDispatcher::start()
{
    if (m_thread)
        return;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("push-webhooks"));
    m_context = new QObject;
    m_context->moveToThread(m_thread);
    m_thread->start();
    QMetaObject::invokeMethod(
        m_context, [this] { m_network = new QNetworkAccessManager(m_context); },
        Qt::BlockingQueuedConnection);
    QMutexLocker locker(&m_mutex);
    m_accepting = true;
}

void WebhookDispatcher::stop()
{
    if (!m_thread)
        return;
    {
        // From here on offer() and test() queue nothing: m_context goes away below.
        QMutexLocker locker(&m_mutex);
        m_accepting = false;
    }
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            m_waiting.fetch_sub(int(m_queue.size()), std::memory_order_relaxed);
            m_queue.clear();
            // Replies are children of the manager: deleting it aborts them without a
            // finished() that would emit events into a hub that is going away.
            delete m_network;
            m_network = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_context;
    m_context = nullptr;
    delete m_thread;
    m_thread = nullptr;
}

bool WebhookDispatcher::dispatch(std::function<void()> job)
{
    QMutexLocker locker(&m_mutex);
    if (!m_accepting)
        return false;
    QMetaObject::invokeMethod(m_context, std::move(job), Qt::QueuedConnection);
    return true;
}

void WebhookDispatcher::offer(const DomainEvent &event)
{
    const config::SnapshotPtr snapshot = m_registry.current();
    if (!snapshot->hasWebhooks())
        return;
    const QString tenantId = tenantIdFromUrn(event.tenantId);
    for (const Webhook &webhook : snapshot->webhooksFor(tenantId)) {
        if (!webhook.triggeredBy(event))
            continue;
        if (m_waiting.load(std::memory_order_relaxed) >= m_options.maxQueued) {
            // Logged at the first and then every 100th: a flood must not flood the log too.
            const quint64 dropped = ++metrics::registry().webhooksDropped;
            if (dropped == 1 || dropped % 100 == 0)
                qCWarning(lcWebhooks).noquote()
                    << "dropped a call of webhook" << webhook.id << "of" << tenantId << "for"
                    << event.eventNamespace + QLatin1Char(':') + event.name << ":"
                    << m_options.maxQueued << "calls are already waiting (" << dropped
                    << "dropped so far)";
            continue;
        }
        m_waiting.fetch_add(1, std::memory_order_relaxed);
        auto call = std::make_shared<Call>(Call{webhook, event, false, {}});
        if (!dispatch([this, call] { enqueue(std::move(*call)); }))
            m_waiting.fetch_sub(1, std::memory_order_relaxed);
    }
}

void WebhookDispatcher::test(const Webhook &webhook, const DomainEvent &event,
                             std::function<void(Result)> done)
{
    auto call = std::make_shared<Call>(Call{webhook, event, true, std::move(done)});
    const bool queued = dispatch([this, call] {
        send(std::move(*call)); // a person waits for it: not behind the queue
    });
    if (!queued && call->done) {
        Result result;
        result.status = QStringLiteral("the service is shutting down");
        result.outcome = QStringLiteral("error");
        call->done(result);
    }
}

void WebhookDispatcher::enqueue(Call &&call)
{
    if (!m_network) {
        m_waiting.fetch_sub(1, std::memory_order_relaxed);
        return;
    }
    m_queue.push_back(std::move(call));
    startNext();
}

void WebhookDispatcher::startNext()
{
    // The first waiting calls whose host has a free connection, oldest first.
    for (auto it = m_queue.begin();
         m_network && it != m_queue.end() && m_inFlight < m_options.maxInFlight;) {
        if (m_perHost.value(QUrl(it->webhook.url).host()) >= kMaxPerHost) {
            ++it;
            continue;
        }
        Call call = std::move(*it);
        it = m_queue.erase(it);
        m_waiting.fetch_sub(1, std::memory_order_relaxed);
        send(std::move(call));
    }
}

void WebhookDispatcher::send(Call &&call)
{
    if (!m_network)
        return;
    const QUrl url(call.webhook.url);
    QNetworkRequest request{url};
    request.setRawHeader("X-Push-Webhook", call.webhook.id.toUtf8());
    if (call.test)
        request.setRawHeader("X-Push-Webhook-Test", "true"); // not a real event
    const QString host = url.host();
    ++m_perHost[host];
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, m_options.userAgent);
    const QByteArray body = QJsonDocument(call.event.toJson()).toJson(QJsonDocument::Compact);
    ++m_inFlight;
    metrics::registry().webhooksInFlight.fetch_add(1, std::memory_order_relaxed);
    QElapsedTimer clock;
    clock.start();
    QNetworkReply *reply = m_network->post(request, body);
    // What the target answers is not kept: a body that never ends costs no memory.
    QObject::connect(reply, &QNetworkReply::readyRead, reply,
                     [reply] { reply->skip(reply->bytesAvailable()); });
    // Our own timer (not setTransferTimeout): a timeout must be told from other aborts.
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer); // a coarse one may fire 5 % early
    auto timedOut = std::make_shared<bool>(false);
    QObject::connect(timer, &QTimer::timeout, reply, [reply, timedOut] {
        *timedOut = true;
        reply->abort();
    });
    timer->start(m_options.timeoutMs);
    auto pending = std::make_shared<Call>(std::move(call));
    QObject::connect(
        reply, &QNetworkReply::finished, m_context, [this, reply, clock, timedOut, pending, host] {
            if (--m_perHost[host] <= 0)
                m_perHost.remove(host);
            reply->deleteLater();
            Result result;
            result.responseTimeMs = clock.elapsed();
            result.answeredAt = QDateTime::currentDateTimeUtc();
            result.statusCode = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (*timedOut) {
                result.status = QStringLiteral("timed out after %1 ms").arg(m_options.timeoutMs);
                result.outcome = QStringLiteral("timeout");
                result.statusCode = 0;
            } else if (result.statusCode > 0) {
                result.status =
                    reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
                result.outcome = result.statusCode < 400 ? QStringLiteral("success")
                                                         : QStringLiteral("http-error");
            } else {
                result.status = reply->errorString();
                result.outcome = QStringLiteral("error");
            }
            --m_inFlight;
            metrics::registry().webhooksInFlight.fetch_sub(1, std::memory_order_relaxed);
            finished(*pending, result);
            startNext();
        });
}

void WebhookDispatcher::finished(const Call &call, const Result &result)
{
    metrics::registry().webhookCall(result.outcome, double(result.responseTimeMs) / 1000.0);
    const QString tenant = tenantIdFromUrn(call.event.tenantId);
    const char *test = call.test ? " (a test)" : "";
    if (result.outcome == QLatin1String("success"))
        qCInfo(lcWebhooks).noquote()
            << "webhook" << call.webhook.id << "of" << tenant << "answered" << result.statusCode
            << "in" << result.responseTimeMs << QLatin1String("ms") + QLatin1String(test);
    else
        qCWarning(lcWebhooks).noquote()
            << "webhook" << call.webhook.id << "of" << tenant << "at" << call.webhook.url << ":"
            << (result.statusCode > 0 ? QString::number(result.statusCode) + QLatin1Char(' ')
                                      : QString()) +
                   result.status
            << "after" << result.responseTimeMs << QLatin1String("ms") + QLatin1String(test);
    if (call.test) {
        if (call.done)
            call.done(result);
        return;
    }
    if (m_emitEvent)
        m_emitEvent(webhookTriggeredEvent(call.webhook, call.event, result.status,
                                          result.statusCode, result.answeredAt,
                                          result.responseTimeMs));
}

} // namespace push::webhooks
