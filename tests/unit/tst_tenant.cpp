// Unit tests of tenant helpers: URNs and ADSP's kebab-case tenant names.
#include "shared/tenant.h"

#include <QTest>

class TestTenant final : public QObject
{
    Q_OBJECT

private slots:
    void urnRoundTrip_data();
    void urnRoundTrip();
    void tenantIdFromUrn_data();
    void tenantIdFromUrn();
    void nameMatches_data();
    void nameMatches();
    void toKebab_data();
    void toKebab();
};

void TestTenant::urnRoundTrip_data()
{
    QTest::addColumn<QString>("id");

    QTest::newRow("word") << "demo";
    QTest::newRow("object id") << "6151d7f2c1b5e2a0b9c8d7e6";
    QTest::newRow("with dash") << "child-services";
}

void TestTenant::urnRoundTrip()
{
    QFETCH(QString, id);

    const QString urn = push::tenantUrn(id);
    QCOMPARE(urn, QStringLiteral("urn:ads:platform:tenant-service:v2:/tenants/") + id);
    QCOMPARE(push::tenantIdFromUrn(urn), id);

    push::Tenant tenant;
    tenant.id = id;
    QCOMPARE(tenant.urn(), urn);
}

void TestTenant::tenantIdFromUrn_data()
{
    QTest::addColumn<QString>("urn");
    QTest::addColumn<QString>("id");

    QTest::newRow("tenant urn") << "urn:ads:platform:tenant-service:v2:/tenants/demo"
                                << "demo";
    QTest::newRow("bare id") << "demo"
                             << "";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("prefix only") << "urn:ads:platform:tenant-service:v2:/tenants/"
                                 << "";
    QTest::newRow("other service") << "urn:ads:platform:file-service:v1:/files/demo"
                                   << "";
    QTest::newRow("other version") << "urn:ads:platform:tenant-service:v1:/tenants/demo"
                                   << "";
    QTest::newRow("extra path") << "urn:ads:platform:tenant-service:v2:/tenants/demo/x"
                                << "";
    QTest::newRow("prefix not at start") << "x-urn:ads:platform:tenant-service:v2:/tenants/demo"
                                         << "";
}

void TestTenant::tenantIdFromUrn()
{
    QFETCH(QString, urn);
    QFETCH(QString, id);

    QCOMPARE(push::tenantIdFromUrn(urn), id);
}

void TestTenant::nameMatches_data()
{
    QTest::addColumn<QString>("kebab");
    QTest::addColumn<QString>("tenantName");
    QTest::addColumn<bool>("matches");

    QTest::newRow("kebab vs spaced") << "child-services"
                                     << "Child Services" << true;
    QTest::newRow("upper-case kebab") << "CHILD-SERVICES"
                                      << "Child Services" << true;
    QTest::newRow("single word") << "demo"
                                 << "Demo" << true;
    QTest::newRow("spaces in url also fine") << "child services"
                                             << "Child Services" << true;
    QTest::newRow("different name") << "child-service"
                                    << "Child Services" << false;
    QTest::newRow("dash in real name is read as space") << "platform-tenant"
                                                        << "Platform-Tenant" << false;
    QTest::newRow("extra word") << "child-services-2"
                                << "Child Services" << false;
    QTest::newRow("empty kebab") << ""
                                 << "Child Services" << false;
    QTest::newRow("empty kebab, empty name") << ""
                                             << "" << false;
}

void TestTenant::nameMatches()
{
    QFETCH(QString, kebab);
    QFETCH(QString, tenantName);
    QFETCH(bool, matches);

    QCOMPARE(push::tenantNameMatches(kebab, tenantName), matches);
}

void TestTenant::toKebab_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("kebab");

    QTest::newRow("two words") << "Child Services"
                               << "child-services";
    QTest::newRow("one word") << "Demo"
                              << "demo";
    QTest::newRow("already kebab") << "child-services"
                                   << "child-services";
    QTest::newRow("three words") << "Alberta Health Services"
                                 << "alberta-health-services";
    QTest::newRow("empty") << ""
                           << "";
}

void TestTenant::toKebab()
{
    QFETCH(QString, name);
    QFETCH(QString, kebab);

    QCOMPARE(push::toKebab(name), kebab);
    // The kebab form matches the name it came from (unless that name has a dash).
    if (!name.isEmpty() && !name.contains(QLatin1Char('-')))
        QVERIFY(push::tenantNameMatches(push::toKebab(name), name));
}

QTEST_APPLESS_MAIN(TestTenant)
#include "tst_tenant.moc"
