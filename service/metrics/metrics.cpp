#include "metrics.h"

#include <QMutexLocker>

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

QByteArray Registry::render() const
{
    QByteArray out;
    QHash<QString, qint64> subscribers;
    QHash<QString, quint64> authFailures;
    {
        QMutexLocker locker(&m_mutex);
        subscribers = m_subscribers;
        authFailures = m_authFailures;
    }
    out += header("push_subscriptions", "gauge", "Open subscriptions by transport and tenant.");
    for (auto it = subscribers.cbegin(); it != subscribers.cend(); ++it) {
        if (it.value() == 0)
            continue;
        out += sample("push_subscriptions",
                      {{"transport", it.key().section(QChar(0x1f), 0, 0)},
                       {"tenant", it.key().section(QChar(0x1f), 1)}},
                      double(it.value()));
    }
    out += header("push_events_received_total", "counter",
                  "Events accepted by POST /event/v1/events.");
    out += sample("push_events_received_total", {{"source", QStringLiteral("http")}},
                  double(eventsFromHttp.load(std::memory_order_relaxed)));
    out += header("push_deliveries_total", "counter", "Frames handed to subscribers.");
    out += sample("push_deliveries_total", {}, double(deliveries.load(std::memory_order_relaxed)));
    out += header("push_disconnects_total", "counter",
                  "Subscribers closed by the service, by reason.");
    out += sample("push_disconnects_total", {{"reason", QStringLiteral("slow")}},
                  double(slowDisconnects.load(std::memory_order_relaxed)));
    out += sample("push_disconnects_total", {{"reason", QStringLiteral("stream-deleted")}},
                  double(streamDeletedDisconnects.load(std::memory_order_relaxed)));
    out += header("push_auth_failures_total", "counter", "Rejected tokens by reason.");
    for (auto it = authFailures.cbegin(); it != authFailures.cend(); ++it)
        out += sample("push_auth_failures_total", {{"reason", it.key()}}, double(it.value()));
    return out;
}

} // namespace push::metrics
