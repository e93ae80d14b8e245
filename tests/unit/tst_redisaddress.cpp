// Unit tests of the Redis side of the replay log that need no server: the URL of the
// setting PUSH_REDIS_URL and the keys of ADSP's layout (docs/resume.md). The log itself is
// tested against a real Redis (tests/node/resume-redis.test.mjs, failover.test.mjs).
#include "resume/redisclient.h"
#include "resume/redislogstore.h"

#include <QTest>

using push::resume::RedisAddress;
using push::resume::RedisLogStore;

class TestRedisAddress final : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void everyPart();
    void rejects_data();
    void rejects();
    void keysAreAdsps();
    void epochIsEightHexDigits();
};

void TestRedisAddress::defaults()
{
    RedisAddress address;
    QString error;
    QVERIFY2(RedisAddress::parse(QStringLiteral("redis://127.0.0.1"), &address, &error),
             qPrintable(error));
    QCOMPARE(address.host, QByteArray("127.0.0.1"));
    QCOMPARE(address.port, 6379);
    QCOMPARE(address.database, 0);
    QVERIFY(address.user.isEmpty());
    QVERIFY(address.password.isEmpty());
}

void TestRedisAddress::everyPart()
{
    RedisAddress address;
    QString error;
    QVERIFY2(RedisAddress::parse(QStringLiteral("redis://push:s%40cret@redis.example:6380/3"),
                                 &address, &error),
             qPrintable(error));
    QCOMPARE(address.host, QByteArray("redis.example"));
    QCOMPARE(address.port, 6380);
    QCOMPARE(address.user, QByteArray("push"));
    QCOMPARE(address.password, QByteArray("s@cret"));
    QCOMPARE(address.database, 3);
    QVERIFY(RedisAddress::parse(QStringLiteral("redis://:only-a-password@h"), &address, &error));
    QVERIFY(address.user.isEmpty());
    QCOMPARE(address.password, QByteArray("only-a-password"));
}

void TestRedisAddress::rejects_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("another scheme") << QStringLiteral("http://127.0.0.1:6379");
    QTest::newRow("no host") << QStringLiteral("redis://");
    QTest::newRow("a database that is not a number") << QStringLiteral("redis://h/zero");
    QTest::newRow("a negative database") << QStringLiteral("redis://h/-1");
    QTest::newRow("not a URL") << QStringLiteral("127.0.0.1:6379");
}

void TestRedisAddress::rejects()
{
    QFETCH(QString, url);
    RedisAddress address;
    QString error;
    QVERIFY(!RedisAddress::parse(url, &address, &error));
    QVERIFY(!error.isEmpty());
}

void TestRedisAddress::keysAreAdsps()
{
    const QString urn = QStringLiteral("urn:ads:platform:tenant-service:v2:/tenants/demo");
    QCOMPARE(RedisLogStore::entriesKey(urn),
             QByteArray("push:events:{urn:ads:platform:tenant-service:v2:/tenants/demo}"));
    QCOMPARE(RedisLogStore::epochKey(urn),
             QByteArray("push:epoch:{urn:ads:platform:tenant-service:v2:/tenants/demo}"));
    QCOMPARE(RedisLogStore::watermarkKey(urn),
             QByteArray("push:trimmed:{urn:ads:platform:tenant-service:v2:/tenants/demo}"));
    QCOMPARE(RedisLogStore::markerKey(urn, QStringLiteral("e-1")),
             QByteArray("push:evt:{urn:ads:platform:tenant-service:v2:/tenants/demo}:e-1"));
}

void TestRedisAddress::epochIsEightHexDigits()
{
    for (int i = 0; i < 100; ++i) {
        const QByteArray epoch = RedisLogStore::newEpoch();
        QCOMPARE(epoch.size(), 8);
        for (char c : epoch)
            QVERIFY2((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), epoch.constData());
    }
}

QTEST_APPLESS_MAIN(TestRedisAddress)
#include "tst_redisaddress.moc"
