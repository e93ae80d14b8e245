#pragma once

#include "config/configsnapshot.h"
#include "fanout/fanout.h"
#include "shared/domainevent.h"

#include <QList>

#include <atomic>

namespace push::fanout {

class ActivityFeed;
class SubscriberRegistry;

// The transport-agnostic hub: for each event it finds the stream instances that carry
// it (tenant streams and cross-tenant core streams), projects and serialises the item
// ONCE per instance, and hands the immutable batch to every I/O worker in one queued
// call each. publish() is thread-safe and runs on the caller's thread (an I/O worker
// that took the POST, later the AMQP consumer), so serialisation spreads over cores;
// it takes no lock but the snapshot pointer's.
class Hub
{
public:
    explicit Hub(const config::ConfigRegistry &registry);
    Hub(const Hub &) = delete;
    Hub &operator=(const Hub &) = delete;

    // One per I/O thread, before the first event (the port is not served yet).
    void setRegistries(QList<SubscriberRegistry *> registries);
    const QList<SubscriberRegistry *> &registries() const { return m_registries; }
    // The registry of the I/O thread with this index.
    SubscriberRegistry &registry(int index) const { return *m_registries.at(index); }
    // Told of every event (with its streams and, once delivered, its deliveries).
    void setActivity(ActivityFeed *activity) { m_activity = activity; }

    struct Published
    {
        quint64 sequence = 0;
        int streams = 0; // stream instances that carry the event
    };
    Published publish(const DomainEvent &event);

    quint64 eventsPublished() const { return m_sequence.load(std::memory_order_relaxed); }

    // The batch for one event against one snapshot (exposed for tests and benchmarks).
    static FanoutBatch buildBatch(const config::ConfigSnapshot &snapshot, const DomainEvent &event,
                                  quint64 sequence);

private:
    const config::ConfigRegistry &m_registry;
    QList<SubscriberRegistry *> m_registries;
    ActivityFeed *m_activity = nullptr;
    std::atomic<quint64> m_sequence{0};
};

} // namespace push::fanout
