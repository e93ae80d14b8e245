// fanout: which stream instances an event reaches (Hub::buildBatch), and how one I/O
// thread's SubscriberRegistry hands a batch to its subscribers. The subscribers are fakes
// that record what the registry does to them; queued work is run with sendPostedEvents,
// so nothing waits on time.
#include "fanout/hub.h"
#include "fanout/subscriberregistry.h"

#include "testjson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>
#include <QtTest>

#include <memory>

using namespace push;
using namespace push::fanout;

namespace {

int g_builds = 0; // calls of buildFrame: reset in init() and cleanup()

QByteArray buildFrame(const FanoutItem &item, const QString &variant)
{
    ++g_builds;
    return variant.toUtf8() + '|' + item.json;
}

QByteArray buildOther(const FanoutItem &item, const QString &)
{
    ++g_builds;
    return "other|" + item.json;
}

// What a fake subscriber saw; outlives it (the registry destroys subscribers it drops).
struct Log
{
    int offered = 0; // deliver() calls
    QList<QByteArray> frames;
    QStringList closed;
    QStringList ended;
    bool destroyed = false;
};

class FakeSubscriber final : public Subscriber
{
public:
    FakeSubscriber(StreamKey key, std::shared_ptr<Log> log, EventCriteria criteria = {},
                   std::shared_ptr<const User> user = {})
        : Subscriber(std::move(key), std::move(criteria), makeInfo(std::move(user)))
        , m_log(std::move(log))
    {}
    ~FakeSubscriber() override { m_log->destroyed = true; }

    bool accept = true; // false: its buffer is full
    QString variant;    // which frame variant it writes

    bool deliver(const FanoutItem &item, FrameCache &frames) override
    {
        ++m_log->offered;
        if (!accept)
            return false;
        // As the transports do: the subscriber applies its own criteria.
        if (!criteria().matches(item.correlationId, item.context))
            return true;
        m_log->frames.append(frames.frame(&buildFrame, variant));
        countDelivery();
        return true;
    }
    void end(const QString &reason) override { m_log->ended.append(reason); }
    void keepAlive() override {}
    void close(const QString &reason) override { m_log->closed.append(reason); }
    qint64 bytesQueued() const override { return 0; }
    const char *transport() const override { return "fake"; }

private:
    static SubscriberInfo makeInfo(std::shared_ptr<const User> user)
    {
        SubscriberInfo info;
        info.user = std::move(user);
        return info;
    }
    std::shared_ptr<Log> m_log;
};

// Tenants t1 and t2; core streams "health" (public) and "mapped" (a projection); t1's
// own "forms" (criteria formId f-1) and "health" (shadowed by the core one); t2's "forms".
config::SnapshotPtr makeSnapshot(bool withT1Forms = true)
{
    const QJsonObject core = test::parseObject(R"({
        "health": {"id": "health", "name": "Health", "publicSubscribe": true,
                   "events": [{"namespace": "status", "name": "health-check"}]},
        "mapped": {"id": "mapped", "name": "Mapped", "publicSubscribe": false,
                   "events": [{"namespace": "forms", "name": "submitted",
                               "map": {"id": "payload.id"}}]}
    })");
    QJsonObject t1 = test::parseObject(R"({
        "forms": {"id": "forms", "name": "Forms", "publicSubscribe": false,
                  "events": [{"namespace": "forms", "name": "submitted",
                              "criteria": {"context": {"formId": "f-1"}}}]},
        "health": {"id": "health", "name": "Own health", "publicSubscribe": true,
                   "events": [{"namespace": "own", "name": "event"}]}
    })");
    if (!withT1Forms)
        t1.remove(QStringLiteral("forms"));
    const QJsonObject t2 = test::parseObject(R"({
        "forms": {"id": "forms", "name": "Forms", "publicSubscribe": true,
                  "events": [{"namespace": "forms", "name": "submitted"}]}
    })");
    return std::make_shared<config::ConfigSnapshot>(
        QList<Tenant>{{"t1", "Tenant One", "r1"}, {"t2", "Tenant Two", "r2"}}, core,
        QHash<QString, QJsonObject>{{"t1", t1}, {"t2", t2}});
}

DomainEvent makeEvent(const QString &tenantId, const QString &ns, const QString &name,
                      const QString &formId = QStringLiteral("f-1"))
{
    DomainEvent event;
    event.tenantId = tenantUrn(tenantId);
    event.eventNamespace = ns;
    event.name = name;
    event.timestamp = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 6), QTimeZone::utc());
    event.correlationId = QStringLiteral("c-1");
    event.context = {{"formId", formId}};
    event.payload = QJsonObject{{"id", 7}, {"secret", "s"}};
    return event;
}

QStringList keysOf(const FanoutBatch &batch)
{
    QStringList keys;
    for (const FanoutItem &item : batch.items)
        keys.append(item.key.toString());
    keys.sort();
    return keys;
}

const FanoutItem *itemFor(const FanoutBatch &batch, const StreamKey &key)
{
    for (const FanoutItem &item : batch.items) {
        if (item.key == key)
            return &item;
    }
    return nullptr;
}

FanoutBatchPtr batchOf(QList<StreamKey> keys, const QByteArray &json = "{}")
{
    auto batch = std::make_shared<FanoutBatch>();
    batch->sequence = 1;
    for (const StreamKey &key : keys) {
        FanoutItem item;
        item.key = key;
        item.sequence = 1;
        item.json = json;
        item.correlationId = QStringLiteral("c-1");
        batch->items.append(item);
    }
    return batch;
}

} // namespace

class TestFanout final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void buildBatchTenantAndCrossTenant();
    void buildBatchCriteriaAndShadowing();
    void buildBatchOtherTenants();
    void frameCacheBuildsEachFrameOnce();
    void deliversToItsKeyOnly();
    void criteriaAreTheSubscribers();
    void overflowDetachesAndCloses();
    void tiedSubscriberGoesWithItsOwner();
    void revalidateEndsDeletedStreams();
    void shutdownClosesAll();
    void shutdownSurvivesAListenerReleasedOnClose();
    void hubPublishesToRegistries();

private:
    // Adds a fake subscriber of `key` to m_registry; its log.
    std::shared_ptr<Log> subscribe(const StreamKey &key, FakeSubscriber **out = nullptr,
                                   QObject *tiedTo = nullptr,
                                   std::shared_ptr<const User> user = {});
    void runQueued() { QCoreApplication::sendPostedEvents(m_registry.get(), 0); }

    std::unique_ptr<SubscriberRegistry> m_registry;
};

void TestFanout::init()
{
    g_builds = 0;
    m_registry = std::make_unique<SubscriberRegistry>(0, RegistrySettings{});
}

void TestFanout::cleanup()
{
    m_registry.reset();
    g_builds = 0;
}

std::shared_ptr<Log> TestFanout::subscribe(const StreamKey &key, FakeSubscriber **out,
                                           QObject *tiedTo, std::shared_ptr<const User> user)
{
    auto log = std::make_shared<Log>();
    auto subscriber = std::make_unique<FakeSubscriber>(key, log, EventCriteria{}, std::move(user));
    if (out)
        *out = subscriber.get();
    m_registry->addSubscriber(std::move(subscriber), tiedTo);
    return log;
}

void TestFanout::buildBatchTenantAndCrossTenant()
{
    const DomainEvent event = makeEvent("t1", "forms", "submitted");
    const FanoutBatch batch = Hub::buildBatch(*makeSnapshot(), event, 42);
    QCOMPARE(batch.sequence, quint64(42));
    QCOMPARE(batch.tenantId, QStringLiteral("t1"));
    // t1's own stream, the core "mapped" in t1's context and once more cross-tenant; each
    // instance once.
    QCOMPARE(keysOf(batch), (QStringList{"*/mapped", "t1/forms", "t1/mapped"}));

    const FanoutItem *own = itemFor(batch, {"t1", "forms"});
    QVERIFY(own);
    QCOMPARE(own->sequence, quint64(42));
    QCOMPARE(own->eventName, QStringLiteral("forms:submitted"));
    QCOMPARE(own->correlationId, QJsonValue("c-1"));
    QCOMPARE(own->context, (QJsonObject{{"formId", "f-1"}}));
    // No map: the whole event, as compact JSON.
    QCOMPARE(own->json, QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact));
    QVERIFY(own->json.contains("\"secret\""));

    // The map projects: only the named fields and the event's identity.
    for (const StreamKey &key : {StreamKey{"t1", "mapped"}, StreamKey{"", "mapped"}}) {
        const FanoutItem *mapped = itemFor(batch, key);
        QVERIFY(mapped);
        const QJsonObject json = QJsonDocument::fromJson(mapped->json).object();
        QCOMPARE(json.value("id"), QJsonValue(7));
        QCOMPARE(json.value("tenantId").toString(), tenantUrn("t1"));
        QCOMPARE(json.value("name").toString(), QStringLiteral("submitted"));
        QVERIFY(!json.contains("payload"));
        QVERIFY(!mapped->json.contains("secret"));
        QCOMPARE(mapped->sequence, quint64(42));
    }
    QVERIFY(itemFor(batch, {"", "mapped"})->key.isCrossTenant());
    QVERIFY(!itemFor(batch, {"t1", "mapped"})->key.isCrossTenant());
}

void TestFanout::buildBatchCriteriaAndShadowing()
{
    const config::SnapshotPtr snapshot = makeSnapshot();
    // The stream event's criteria: another formId is not t1/forms's.
    FanoutBatch batch = Hub::buildBatch(*snapshot, makeEvent("t1", "forms", "submitted", "f-2"), 1);
    QCOMPARE(keysOf(batch), (QStringList{"*/mapped", "t1/mapped"}));
    // The core "health" shadows t1's own: t1's own event is carried by nothing, the core
    // stream's event by t1's instance and the cross-tenant one.
    batch = Hub::buildBatch(*snapshot, makeEvent("t1", "own", "event"), 2);
    QVERIFY(batch.items.isEmpty());
    batch = Hub::buildBatch(*snapshot, makeEvent("t1", "status", "health-check"), 3);
    QCOMPARE(keysOf(batch), (QStringList{"*/health", "t1/health"}));
    // An event no stream names.
    batch = Hub::buildBatch(*snapshot, makeEvent("t1", "forms", "deleted"), 4);
    QVERIFY(batch.items.isEmpty());
}

void TestFanout::buildBatchOtherTenants()
{
    const config::SnapshotPtr snapshot = makeSnapshot();
    // t2's event: t2's streams only, never t1's.
    FanoutBatch batch = Hub::buildBatch(*snapshot, makeEvent("t2", "forms", "submitted"), 1);
    QCOMPARE(keysOf(batch), (QStringList{"*/mapped", "t2/forms", "t2/mapped"}));
    QCOMPARE(batch.tenantId, QStringLiteral("t2"));
    // A tenant the snapshot does not know has no instances of its own: only the
    // cross-tenant instances (core users) carry its events.
    batch = Hub::buildBatch(*snapshot, makeEvent("t9", "forms", "submitted"), 2);
    QCOMPARE(keysOf(batch), QStringList{"*/mapped"});
    QCOMPARE(batch.tenantId, QStringLiteral("t9"));
    // Not a tenant URN: no tenant context either.
    DomainEvent odd = makeEvent("t1", "forms", "submitted");
    odd.tenantId = QStringLiteral("t1");
    batch = Hub::buildBatch(*snapshot, odd, 3);
    QCOMPARE(keysOf(batch), QStringList{"*/mapped"});
    QVERIFY(batch.tenantId.isEmpty());
}

void TestFanout::frameCacheBuildsEachFrameOnce()
{
    FanoutItem item;
    item.json = "{\"a\":1}";
    FrameCache cache(item);
    const QByteArray &first = cache.frame(&buildFrame, "/ns");
    QCOMPARE(first, QByteArray("/ns|{\"a\":1}"));
    QCOMPARE(&cache.frame(&buildFrame, "/ns"), &first);
    QCOMPARE(g_builds, 1);
    QCOMPARE(cache.frame(&buildFrame), QByteArray("|{\"a\":1}"));
    QCOMPARE(cache.frame(&buildOther, "/ns"), QByteArray("other|{\"a\":1}"));
    QCOMPARE(g_builds, 3);
    // Many more entries: the first frame stays where it was, and is not rebuilt.
    for (int i = 0; i < 100; ++i)
        cache.frame(&buildFrame, QString::number(i));
    QCOMPARE(g_builds, 103);
    QCOMPARE(&cache.frame(&buildFrame, "/ns"), &first);
    QCOMPARE(first, QByteArray("/ns|{\"a\":1}"));
    QCOMPARE(g_builds, 103);
}

void TestFanout::deliversToItsKeyOnly()
{
    const auto mine = subscribe({"t1", "forms"});
    const auto mineToo = subscribe({"t1", "forms"});
    FakeSubscriber *variant = nullptr;
    const auto otherVariant = subscribe({"t1", "forms"}, &variant);
    variant->variant = QStringLiteral("/other");
    const auto otherTenant = subscribe({"t2", "forms"});
    const auto crossTenant = subscribe({"", "forms"});
    const auto otherStream = subscribe({"t1", "health"});
    QCOMPARE(m_registry->subscriberCount(), 6);

    m_registry->post(batchOf({{"t1", "forms"}}, "{\"n\":1}"));
    QCOMPARE(mine->offered, 0); // queued, not delivered on the caller's stack
    runQueued();
    QCOMPARE(mine->frames, QList<QByteArray>{"|{\"n\":1}"});
    QCOMPARE(mineToo->frames, QList<QByteArray>{"|{\"n\":1}"});
    QCOMPARE(otherVariant->frames, QList<QByteArray>{"/other|{\"n\":1}"});
    QCOMPARE(g_builds, 2); // once per variant, not per subscriber
    for (const auto &log : {otherTenant, crossTenant, otherStream})
        QCOMPARE(log->offered, 0);

    // A batch for several instances: each subscriber gets its own instance's item.
    m_registry->post(batchOf({{"", "forms"}, {"t2", "forms"}}, "{\"n\":2}"));
    runQueued();
    QCOMPARE(crossTenant->frames, QList<QByteArray>{"|{\"n\":2}"});
    QCOMPARE(otherTenant->frames, QList<QByteArray>{"|{\"n\":2}"});
    QCOMPARE(mine->frames.size(), 1);
    QCOMPARE(otherStream->offered, 0);
    QVERIFY(mine->closed.isEmpty() && !mine->destroyed);
}

void TestFanout::criteriaAreTheSubscribers()
{
    // The registry offers every item of the instance; filtering by the subscriber's own
    // criteria is the subscriber's (transport's) job.
    auto log = std::make_shared<Log>();
    EventCriteria criteria;
    criteria.correlationId = QStringLiteral("other");
    m_registry->addSubscriber(
        std::make_unique<FakeSubscriber>(StreamKey{"t1", "forms"}, log, criteria));
    const auto plain = subscribe({"t1", "forms"});
    m_registry->post(batchOf({{"t1", "forms"}}));
    runQueued();
    QCOMPARE(log->offered, 1);
    QVERIFY(log->frames.isEmpty());
    QCOMPARE(plain->frames.size(), 1);
    QCOMPARE(m_registry->subscriberCount(), 2);
}

void TestFanout::overflowDetachesAndCloses()
{
    FakeSubscriber *slow = nullptr;
    const auto slowLog = subscribe({"t1", "forms"}, &slow);
    slow->accept = false;
    const auto fast = subscribe({"t1", "forms"});
    m_registry->post(batchOf({{"t1", "forms"}}));
    runQueued();
    QCOMPARE(slowLog->closed, QStringList{"outgoing buffer overflow"});
    QVERIFY(slowLog->ended.isEmpty());
    QVERIFY(slowLog->destroyed);
    QCOMPARE(m_registry->subscriberCount(), 1);
    QCOMPARE(fast->frames.size(), 1);
    // The next batch reaches only the one left.
    m_registry->post(batchOf({{"t1", "forms"}}));
    runQueued();
    QCOMPARE(slowLog->offered, 1);
    QCOMPARE(fast->frames.size(), 2);
}

void TestFanout::tiedSubscriberGoesWithItsOwner()
{
    auto connection = std::make_unique<QObject>();
    const auto tied = subscribe({"t1", "forms"}, nullptr, connection.get());
    auto other = std::make_unique<QObject>();
    FakeSubscriber *untied = nullptr;
    const auto removedFirst = subscribe({"t1", "forms"}, &untied, other.get());
    QCOMPARE(m_registry->subscriberCount(), 2);

    m_registry->release(connection.get()); // as the worker does when a connection closes
    QVERIFY(tied->destroyed);
    QVERIFY(tied->closed.isEmpty()); // its connection is gone: nothing to tell
    QCOMPARE(m_registry->subscriberCount(), 1);

    // Removed by its owner first: releasing the object later is harmless.
    m_registry->removeSubscriber(untied);
    QVERIFY(removedFirst->destroyed);
    QCOMPARE(m_registry->subscriberCount(), 0);
    m_registry->release(other.get());
    QCOMPARE(m_registry->subscriberCount(), 0);
    m_registry->release(connection.get()); // twice: nothing left to release
    m_registry->post(batchOf({{"t1", "forms"}}));
    runQueued();
    QCOMPARE(tied->offered, 0);
}

void TestFanout::revalidateEndsDeletedStreams()
{
    auto core = std::make_shared<User>();
    core->id = QStringLiteral("admin");
    core->isCore = true;
    core->roles = QStringList{QString::fromLatin1(kStreamListenerRole)};
    const auto forms = subscribe({"t1", "forms"}, nullptr, nullptr, core);
    const auto health = subscribe({"t1", "health"}); // public
    const auto cross = subscribe({"", "health"}, nullptr, nullptr, core);
    const auto anonymousCross = subscribe({"", "health"});  // needs a user
    const auto anonymousForms = subscribe({"t1", "forms"}); // not public

    m_registry->revalidate(makeSnapshot(false)); // t1's "forms" deleted
    QVERIFY(forms->ended.isEmpty());             // queued, nothing yet
    runQueued();
    QCOMPARE(forms->ended, QStringList{"stream 'forms' was deleted"});
    QCOMPARE(anonymousForms->ended, QStringList{"stream 'forms' was deleted"});
    QCOMPARE(anonymousCross->ended,
             QStringList{"no longer permitted to subscribe to stream 'health'"});
    QVERIFY(forms->destroyed && anonymousForms->destroyed && anonymousCross->destroyed);
    QVERIFY(forms->closed.isEmpty()); // end(), not close(): a session may stay up
    QVERIFY(health->ended.isEmpty() && !health->destroyed);
    QVERIFY(cross->ended.isEmpty() && !cross->destroyed);
    QCOMPARE(m_registry->subscriberCount(), 2);

    // Against the unchanged configuration nothing more ends.
    m_registry->revalidate(makeSnapshot());
    runQueued();
    QCOMPARE(m_registry->subscriberCount(), 2);
}

namespace {
// An activity listener whose close() ends its connection at once: the HTTP worker then
// releases what is tied to it, from inside the registry's shutdown.
class ClosingSink final : public ActivitySink
{
public:
    ClosingSink(SubscriberRegistry &registry, QObject *owner, int *closed)
        : m_registry(registry)
        , m_owner(owner)
        , m_closed(closed)
    {}
    void deliver(const ActivityItem &) override {}
    void keepAlive() override {}
    void close(const QString &) override
    {
        ++*m_closed;
        m_registry.release(m_owner);
    }
    qint64 bytesQueued() const override { return 0; }
    const char *transport() const override { return "activity"; }

private:
    SubscriberRegistry &m_registry;
    QObject *m_owner;
    int *m_closed;
};
} // namespace

void TestFanout::shutdownSurvivesAListenerReleasedOnClose()
{
    // Found by the AddressSanitizer run: shutdown() used the listener's table entry after
    // the close had released (and erased) it.
    QObject first, second;
    int closed = 0;
    m_registry->addSink(std::make_unique<ClosingSink>(*m_registry, &first, &closed), &first);
    m_registry->addSink(std::make_unique<ClosingSink>(*m_registry, &second, &closed), &second);
    m_registry->shutdown(QStringLiteral("the service is shutting down"));
    QCOMPARE(closed, 2);
    m_registry->release(&first); // nothing left tied to either
    m_registry->release(&second);
}

void TestFanout::shutdownClosesAll()
{
    QList<std::shared_ptr<Log>> logs;
    for (const StreamKey &key : {StreamKey{"t1", "forms"}, StreamKey{"t1", "forms"},
                                 StreamKey{"t2", "forms"}, StreamKey{"", "mapped"}})
        logs.append(subscribe(key));
    m_registry->shutdown(QStringLiteral("the service is shutting down"));
    QCOMPARE(m_registry->subscriberCount(), 0);
    for (const auto &log : std::as_const(logs)) {
        QCOMPARE(log->closed, QStringList{"the service is shutting down"});
        QVERIFY(log->destroyed);
    }
    int visited = 0;
    m_registry->visitSubscribers([&](const Subscriber &) { ++visited; });
    QCOMPARE(visited, 0);
}

void TestFanout::hubPublishesToRegistries()
{
    config::ConfigRegistry configs;
    configs.replace(makeSnapshot());
    SubscriberRegistry second(1, RegistrySettings{});
    Hub hub(configs);
    hub.setRegistries({m_registry.get(), &second});
    const auto first = subscribe({"t1", "forms"});
    auto log = std::make_shared<Log>();
    second.addSubscriber(std::make_unique<FakeSubscriber>(StreamKey{"", "mapped"}, log));

    const DomainEvent event = makeEvent("t1", "forms", "submitted");
    const Hub::Published published = hub.publish(event);
    QCOMPARE(published.sequence, quint64(1));
    QCOMPARE(published.streams, 3);
    QCOMPARE(hub.eventsPublished(), quint64(1));
    runQueued();
    QCoreApplication::sendPostedEvents(&second, 0);
    QCOMPARE(first->frames,
             QList<QByteArray>{QByteArray("|") +
                               QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact)});
    QCOMPARE(log->frames.size(), 1);
    QCOMPARE(QJsonDocument::fromJson(log->frames.first().mid(1)).object().value("id"),
             QJsonValue(7));

    // An event no stream carries reaches no registry, but still takes a number.
    QCOMPARE(hub.publish(makeEvent("t1", "nothing", "here")).streams, 0);
    QCOMPARE(hub.eventsPublished(), quint64(2));
    runQueued();
    QCOMPARE(first->offered, 1);
    second.shutdown(QStringLiteral("done"));
}

QTEST_GUILESS_MAIN(TestFanout)
#include "tst_fanout.moc"
