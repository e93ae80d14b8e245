#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QString>

#include <atomic>

namespace push::metrics {

// Process-wide counters for GET /metrics (Prometheus text format). Hot paths touch only
// relaxed atomics (deliveries are summed per batch by each worker); labelled values sit
// behind a mutex and change only when a subscriber comes or goes, or a token fails.
class Registry
{
public:
    std::atomic<quint64> eventsFromHttp{0};
    std::atomic<quint64> eventsFromWebhooks{0}; // push-service:webhook-triggered
    std::atomic<quint64> deliveries{0};
    std::atomic<quint64> duplicateEvents{0}; // an event id seen within the window
    std::atomic<quint64> slowDisconnects{0};
    std::atomic<quint64> streamDeletedDisconnects{0};
    std::atomic<quint64> notPermittedDisconnects{0};
    std::atomic<quint64> adminDisconnects{0};
    std::atomic<quint64> tokenExpiredDisconnects{0}; // resumable streams: adsp:reconnect
    // socket.io connection state recovery: CONNECTs that sent a pid, by outcome
    // (push_sio_recoveries_total{result}, with the resume metrics).
    std::atomic<quint64> sioRecovered{0};
    std::atomic<quint64> sioRecoveryInvalid{0};  // not a pid of ours, or a bad offset
    std::atomic<quint64> sioRecoveryMismatch{0}; // of another namespace, stream or user
    std::atomic<quint64> sioRecoveryExpired{0};  // past the window, or its place is lost

    std::atomic<quint64> webhooksDropped{0};
    std::atomic<qint64> webhooksInFlight{0};

    void subscriberChanged(const char *transport, const QString &tenant, int delta);
    // One finished webhook call: its outcome (success, http-error, timeout, error) and how
    // long it took, for the calls counter and the latency histogram.
    void webhookCall(const QString &outcome, double seconds);
    void authFailure(const QString &reason);

    // Counters and gauges in the text exposition format, without the per-call extras.
    QByteArray render() const;

private:
    // What render() reads under the lock, copied.
    struct Locked
    {
        QHash<QString, qint64> subscribers;
        QHash<QString, quint64> authFailures;
        QHash<QString, quint64> webhookCalls;
        QList<quint64> buckets;
        double webhookSeconds = 0;
        quint64 webhookCount = 0;
    };
    Locked copyLocked() const;
    void renderWebhooks(QByteArray &out, Locked &copied) const;

    mutable QMutex m_mutex;
    QHash<QString, qint64> m_subscribers; // "transport\x1ftenant" → open subscriptions
    QHash<QString, quint64> m_authFailures;
    QHash<QString, quint64> m_webhookCalls; // by outcome
    QList<quint64> m_webhookBuckets;        // cumulative counts per bound of kWebhookBuckets
    double m_webhookSeconds = 0;
    quint64 m_webhookCount = 0;
};

Registry &registry();

// One sample line: name{labels} value, with label values escaped.
QByteArray sample(const char *name, const QList<std::pair<const char *, QString>> &labels,
                  double value);
// "# HELP" and "# TYPE" lines.
QByteArray header(const char *name, const char *type, const char *help);

} // namespace push::metrics
