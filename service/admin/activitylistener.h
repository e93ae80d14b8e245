#pragma once

#include "fanout/activity.h"

#include <QElapsedTimer>
#include <QSet>
#include <QString>

#include <memory>

class QTimer;

namespace push::http {
class HttpConnection;
}

namespace push::admin {

// One GET /admin/v1/activity response: an SSE stream of "event: <type>\ndata: <json>".
class ActivityListener final : public fanout::ActivitySink
{
public:
    struct Options
    {
        QString tenantId;    // empty: every tenant (a core administrator)
        QSet<QString> types; // empty: every type
        int perSecond = 100; // the sustained rate; bursts up to twice that
        qint64 bufferLimit = 1024 * 1024;
    };
    ActivityListener(http::HttpConnection *connection, const fanout::ActivityFeed &feed,
                     Options options, fanout::SubscriberInfo info);

    void deliver(const fanout::ActivityItem &item) override;
    void keepAlive() override;
    void close(const QString &reason) override;
    qint64 bytesQueued() const override;
    const char *transport() const override { return "activity"; }

private:
    bool write(const QByteArray &frame);
    void reportDropped();

    http::HttpConnection *m_connection;
    const fanout::ActivityFeed &m_feed;
    Options m_options;
    double m_tokens;
    QElapsedTimer m_clock; // steady: a wall-clock jump must not starve the bucket
    qint64 m_refilledAt = 0;
    quint64 m_dropped[fanout::ActivityFeed::kTypeCount] = {};     // here, since the last report
    quint64 m_feedDropped[fanout::ActivityFeed::kTypeCount] = {}; // the feed's, at the last report
    quint64 m_droppedTotal = 0;
    std::unique_ptr<QTimer> m_timer; // reports drops once a second
};

} // namespace push::admin
