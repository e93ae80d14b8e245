#include "limitmetrics.h"

#include "metrics/metrics.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMutex>

Q_LOGGING_CATEGORY(lcLimits, "push.limits")

namespace push::metrics {

namespace {

constexpr int kCount = int(Limit::Count);
constexpr qint64 kLogIntervalMs = 10000;

struct State
{
    std::atomic<quint64> hits[kCount] = {};
    QMutex mutex;
    QElapsedTimer lastLog[kCount];
    quint64 loggedHits[kCount] = {};
};

State &state()
{
    static State s;
    return s;
}

} // namespace

const char *limitName(Limit limit)
{
    switch (limit) {
    case Limit::ConnectionsPerAddress:
        return "connections-per-address";
    case Limit::Connections:
        return "connections";
    case Limit::SessionsPerAddress:
        return "sessions-per-address";
    case Limit::Sessions:
        return "sessions";
    case Limit::QueuedResponses:
        return "queued-responses";
    case Limit::Namespaces:
        return "namespaces";
    case Limit::SocketIoConnectTimeout:
        return "socketio-connect-timeout";
    case Limit::Count:
        break;
    }
    return "unknown";
}

void limitHit(Limit limit, const QString &detail)
{
    State &s = state();
    const int i = int(limit);
    const quint64 total = s.hits[i].fetch_add(1, std::memory_order_relaxed) + 1;
    QMutexLocker locker(&s.mutex);
    if (s.lastLog[i].isValid() && s.lastLog[i].elapsed() < kLogIntervalMs)
        return;
    const quint64 since = total - s.loggedHits[i];
    s.loggedHits[i] = total;
    s.lastLog[i].start();
    qCWarning(lcLimits).noquote() << "limit" << limitName(limit) << "refused" << since
                                  << (since == 1 ? "time" : "times") << "since the last report;"
                                  << "latest:" << detail;
}

quint64 limitHits(Limit limit)
{
    return state().hits[int(limit)].load(std::memory_order_relaxed);
}

LimitGauges &limitGauges()
{
    static LimitGauges gauges;
    return gauges;
}

QByteArray renderLimits()
{
    QByteArray out;
    out += header("push_limit_hits_total", "counter",
                  "Requests, connections or sessions refused by a limit, by limit.");
    for (int i = 0; i < kCount; ++i) {
        out += sample("push_limit_hits_total", {{"limit", QLatin1String(limitName(Limit(i)))}},
                      double(limitHits(Limit(i))));
    }
    out += header("push_engineio_sessions", "gauge", "Open Engine.IO sessions.");
    out += sample("push_engineio_sessions", {},
                  double(limitGauges().engineSessions.load(std::memory_order_relaxed)));
    return out;
}

} // namespace push::metrics
