#pragma once

#include "config/configsnapshot.h"
#include "fanout/fanout.h"
#include "shared/domainevent.h"

#include <QList>

#include <atomic>
#include <optional>

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
    // Which subscribers an event is for: every one, or (a log shared by instances, where
    // the tenant's streams are fed from the log: docs/resume.md) only the tenant's streams
    // or only the cross-tenant context.
    enum class Scope { All, Tenant, CrossTenant };
    // `cursor`: where the replay log put the event (its tenant's items carry it).
    Published publish(const DomainEvent &event, const std::optional<Cursor> &cursor = {},
                      Scope scope = Scope::All);

    // Events published: an event split between the shared log and this instance's queue
    // (Scope::Tenant and Scope::CrossTenant) counts once.
    quint64 eventsPublished() const { return m_events.load(std::memory_order_relaxed); }

    // The batch for one event against one snapshot (exposed for tests and benchmarks).
    static FanoutBatch buildBatch(const config::ConfigSnapshot &snapshot, const DomainEvent &event,
                                  quint64 sequence, const std::optional<Cursor> &cursor = {},
                                  Scope scope = Scope::All);
    // The item one stream instance makes of an event, as publish() would: for replaying
    // the log. nullopt when the instance is gone or does not carry the event.
    static std::optional<FanoutItem> itemFor(const config::ConfigSnapshot &snapshot,
                                             const StreamKey &key, const DomainEvent &event,
                                             const Cursor &cursor);

private:
    const config::ConfigRegistry &m_registry;
    QList<SubscriberRegistry *> m_registries;
    ActivityFeed *m_activity = nullptr;
    std::atomic<quint64> m_sequence{0};
    std::atomic<quint64> m_events{0};
};

} // namespace push::fanout
