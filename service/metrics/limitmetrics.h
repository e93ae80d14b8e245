#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>

namespace push::metrics {

// The bounds that protect the service from its clients. Each refusal is counted
// (push_limit_hits_total{limit}) and logged, at most once per limit every 10 seconds
// with the number of refusals since the last line.
enum class Limit {
    ConnectionsPerAddress,
    Connections,
    SessionsPerAddress,
    Sessions,
    QueuedResponses,
    Namespaces,
    SocketIoConnectTimeout,
    Count
};

const char *limitName(Limit limit);
void limitHit(Limit limit, const QString &detail);
quint64 limitHits(Limit limit);

// Gauges kept by Engine.IO (push_http_connections is counted by the workers).
struct LimitGauges
{
    std::atomic<qint64> engineSessions{0};
};
LimitGauges &limitGauges();

// The lines for GET /metrics.
QByteArray renderLimits();

} // namespace push::metrics
