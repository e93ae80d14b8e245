// config::ConfigStore on SQLite in a temporary directory: tenants, revision numbering per
// document, the bounds a document must keep (on the way in and on the way out), and
// paging through revisions.
#include "config/configstore.h"

#include "shared/configuration.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <limits>
#include <memory>

using namespace push;
using namespace push::config;

namespace {

QJsonObject stream(const QString &id, const QString &description = {})
{
    QJsonObject object{{"id", id},
                       {"name", id},
                       {"publicSubscribe", false},
                       {"subscriberRoles", QJsonArray()},
                       {"events", QJsonArray{QJsonObject{{"namespace", "ns"}, {"name", "n"}}}}};
    if (!description.isEmpty())
        object.insert("description", description);
    return object;
}

QJsonObject documentWith(const QString &id)
{
    return {{id, stream(id)}};
}

QList<qint64> numbers(const QList<ConfigurationRevision> &revisions)
{
    QList<qint64> result;
    for (const ConfigurationRevision &revision : revisions)
        result.append(revision.revision);
    return result;
}

} // namespace

class TestConfigStore final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void tenants();
    void tenantIdsAndNames_data();
    void tenantIdsAndNames();
    void seedOnlyWhenEmpty();
    void revisionsNumberedPerDocument();
    void invalidDocumentsAreNotStored();
    void documentBounds();
    void oversizedStoredRevisionIsSkipped();
    void pagingRevisions();
    void contentsAreReadWhole();
    void persistsAcrossOpens();
    void secretsAreMadeOnceAndKept();
    void refusesNewerSchema();

private:
    // A second, raw connection to the store's file (what another instance would write).
    QSqlDatabase rawDatabase();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ConfigStore> m_store;
};

void TestConfigStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<ConfigStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->path(), &error), qPrintable(error));
    QVERIFY(m_store->isOpen());
    QVERIFY(m_store->ping());
}

void TestConfigStore::cleanup()
{
    m_store.reset();
    if (QSqlDatabase::contains("raw"))
        QSqlDatabase::removeDatabase("raw");
    m_dir.reset();
}

QSqlDatabase TestConfigStore::rawDatabase()
{
    QSqlDatabase db = QSqlDatabase::contains("raw") ? QSqlDatabase::database("raw")
                                                    : QSqlDatabase::addDatabase("QSQLITE", "raw");
    db.setDatabaseName(QDir(m_dir->path()).filePath("push-service.db"));
    if (!db.isOpen())
        db.open();
    return db;
}

void TestConfigStore::tenants()
{
    QVERIFY(m_store->tenants().isEmpty());
    QString error;
    QVERIFY2(m_store->addTenant({"t2", "  Beta  ", "beta"}, &error), qPrintable(error));
    QVERIFY2(m_store->addTenant({"t1", "Alpha", "alpha"}, &error), qPrintable(error));
    const QList<Tenant> tenants = m_store->tenants();
    QCOMPARE(tenants.size(), 2);
    // By name, trimmed.
    QCOMPARE(tenants[0].id, QStringLiteral("t1"));
    QCOMPARE(tenants[1].id, QStringLiteral("t2"));
    QCOMPARE(tenants[1].name, QStringLiteral("Beta"));
    QCOMPARE(tenants[1].realm, QStringLiteral("beta"));

    // Id, name (case-insensitively) and realm are each unique.
    for (const Tenant &clash : {Tenant{"t1", "Gamma", "gamma"}, Tenant{"t3", "ALPHA", "gamma"},
                                Tenant{"t3", "Gamma", "alpha"}}) {
        error.clear();
        QVERIFY(!m_store->addTenant(clash, &error));
        QVERIFY(error.contains(clash.id));
    }
    QCOMPARE(m_store->tenants().size(), 2);

    // The command line's lookup: by id or by name (kebab-cased).
    QCOMPARE(m_store->findTenant("t2", &error)->realm, QStringLiteral("beta"));
    QCOMPARE(m_store->findTenant("alpha", &error)->id, QStringLiteral("t1"));
    QVERIFY(!m_store->findTenant("gamma", &error));
    QCOMPARE(error, QStringLiteral("tenant 'gamma' not found"));
}

void TestConfigStore::tenantIdsAndNames_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("realm");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("plain") << "abc-DEF_09"
                           << "N"
                           << "r" << true;
    QTest::newRow("64 characters") << QString(64, 'a') << "N"
                                   << "r" << true;
    QTest::newRow("65 characters") << QString(65, 'a') << "N"
                                   << "r" << false;
    QTest::newRow("empty id") << ""
                              << "N"
                              << "r" << false;
    QTest::newRow("space") << "a b"
                           << "N"
                           << "r" << false;
    QTest::newRow("slash") << "a/b"
                           << "N"
                           << "r" << false;
    QTest::newRow("dot-dot") << ".."
                             << "N"
                             << "r" << false;
    QTest::newRow("percent") << "a%2F"
                             << "N"
                             << "r" << false;
    QTest::newRow("quote") << "a'--"
                           << "N"
                           << "r" << false;
    QTest::newRow("non-ASCII") << QString::fromUtf8("é") << "N"
                               << "r" << false;
    QTest::newRow("newline") << "a\n"
                             << "N"
                             << "r" << false;
    QTest::newRow("blank name") << "a"
                                << "  "
                                << "r" << false;
    QTest::newRow("no realm") << "a"
                              << "N"
                              << "" << false;
}

void TestConfigStore::tenantIdsAndNames()
{
    QFETCH(QString, id);
    QFETCH(QString, name);
    QFETCH(QString, realm);
    QFETCH(bool, accepted);
    QString error;
    QCOMPARE(m_store->addTenant({id, name, realm}, &error), accepted);
    QCOMPARE(error.isEmpty(), accepted);
    QCOMPARE(m_store->tenants().size(), accepted ? 1 : 0);
}

void TestConfigStore::seedOnlyWhenEmpty()
{
    QString error;
    QVERIFY2(m_store->seedIfEmpty(&error), qPrintable(error));
    QCOMPARE(m_store->tenants().size(), 1);
    QCOMPARE(m_store->tenants().first().id, QStringLiteral("demo"));
    const auto demo = m_store->configuration("demo");
    QVERIFY(demo);
    QCOMPARE(demo->revision, qint64(1));
    QCOMPARE(demo->document, ConfigStore::demoConfiguration());
    QCOMPARE(demo->author, QStringLiteral("seed"));
    // Again: nothing new.
    QVERIFY(m_store->seedIfEmpty(&error));
    QCOMPARE(m_store->tenants().size(), 1);
    QCOMPARE(m_store->revisions("demo", 10).size(), 1);
}

void TestConfigStore::revisionsNumberedPerDocument()
{
    QString error;
    QVERIFY(!m_store->configuration("t1"));
    QVERIFY(!m_store->configuration(QString()));
    QCOMPARE(m_store->saveConfiguration("t1", documentWith("a"), "ann", &error), qint64(1));
    QCOMPARE(m_store->saveConfiguration("t1", documentWith("b"), "bob", &error), qint64(2));
    // The core document and another tenant's count on their own.
    QCOMPARE(m_store->saveConfiguration(QString(), documentWith("c"), "core", &error), qint64(1));
    QCOMPARE(m_store->saveConfiguration("t2", documentWith("d"), "dee", &error), qint64(1));
    QCOMPARE(m_store->saveConfiguration("t1", QJsonObject(), "ann", &error), qint64(3));
    // The core document is stored under the scope "*": no tenant may have that id.
    QVERIFY(!m_store->addTenant({"*", "Star", "star"}, &error));
    QCOMPARE(m_store->configuration(QString())->document, documentWith("c"));
    QCOMPARE(m_store->revisions(QString(), 10).size(), 1);

    const auto latest = m_store->configuration("t1");
    QVERIFY(latest);
    QCOMPARE(latest->revision, qint64(3));
    QVERIFY(latest->document.isEmpty());
    QCOMPARE(latest->author, QStringLiteral("ann"));
    QVERIFY(latest->createdAt.isValid());
    QCOMPARE(latest->createdAt.timeSpec(), Qt::UTC);
    QCOMPARE(numbers(m_store->revisions("t1", 10)), (QList<qint64>{3, 2, 1}));
    QCOMPARE(m_store->revisions("t1", 10).last().document, documentWith("a"));
    QCOMPARE(m_store->revisions("t1", 10)[1].author, QStringLiteral("bob"));
    QCOMPARE(m_store->configuration("t2")->document, documentWith("d"));
}

void TestConfigStore::invalidDocumentsAreNotStored()
{
    QString error;
    QCOMPARE(m_store->saveConfiguration("t1", {{"s", 5}}, "x", &error), qint64(-1));
    QVERIFY(!error.isEmpty());
    QJsonObject noName = stream("s");
    noName.remove("name");
    error.clear();
    QCOMPARE(m_store->saveConfiguration("t1", {{"s", noName}}, "x", &error), qint64(-1));
    QVERIFY(!error.isEmpty());
    QVERIFY(!m_store->configuration("t1"));
    QVERIFY(m_store->revisions("t1", 10).isEmpty());
    // The numbering goes on without gaps.
    QCOMPARE(m_store->saveConfiguration("t1", documentWith("s"), "x", &error), qint64(1));
}

void TestConfigStore::documentBounds()
{
    QString error;
    // At most kMaxConfigurationEntries streams.
    QJsonObject many;
    for (int i = 0; i < kMaxConfigurationEntries; ++i)
        many.insert(QStringLiteral("s%1").arg(i), stream(QStringLiteral("s%1").arg(i)));
    QCOMPARE(m_store->saveConfiguration("t1", many, "x", &error), qint64(1));
    many.insert("one-more", stream("one-more"));
    QCOMPARE(m_store->saveConfiguration("t1", many, "x", &error), qint64(-1));
    QVERIFY2(error.contains("streams and webhooks"), qPrintable(error));

    // At most kMaxConfigurationBytes as compact JSON: exactly that is accepted.
    const qint64 base = QJsonDocument(QJsonObject{{"big", stream("big", "x")}})
                            .toJson(QJsonDocument::Compact)
                            .size();
    const QString fill(kMaxConfigurationBytes - base + 1, 'x');
    const QJsonObject exact{{"big", stream("big", fill)}};
    QCOMPARE(QJsonDocument(exact).toJson(QJsonDocument::Compact).size(), kMaxConfigurationBytes);
    error.clear();
    QCOMPARE(m_store->saveConfiguration("t1", exact, "x", &error), qint64(2));
    const QJsonObject over{{"big", stream("big", fill + 'x')}};
    QCOMPARE(m_store->saveConfiguration("t1", over, "x", &error), qint64(-1));
    QVERIFY2(error.contains("bytes"), qPrintable(error));
    QCOMPARE(m_store->configuration("t1")->document, exact);
}

void TestConfigStore::oversizedStoredRevisionIsSkipped()
{
    // Revisions written past the bounds (by another program, an older version) are not
    // served: the newest one within them is.
    QString error;
    QVERIFY(m_store->addTenant({"t1", "One", "one"}, &error));
    QCOMPARE(m_store->saveConfiguration("t1", documentWith("good"), "x", &error), qint64(1));
    QSqlDatabase db = rawDatabase();
    QVERIFY(db.isOpen());
    QSqlQuery insert(db);
    insert.prepare(
        "INSERT INTO configuration_revisions"
        " (tenant_id, service, revision, document, author, created_at)"
        " VALUES ('t1', 'platform:push-service', ?, ?, 'other', '2026-01-01T00:00:00Z')");
    const QByteArray huge =
        QJsonDocument(QJsonObject{{"big", stream("big", QString(kMaxConfigurationBytes, 'x'))}})
            .toJson(QJsonDocument::Compact);
    insert.bindValue(0, 2);
    insert.bindValue(1, QString::fromUtf8(huge));
    QVERIFY(insert.exec());
    QJsonObject many;
    for (int i = 0; i <= kMaxConfigurationEntries; ++i)
        many.insert(QStringLiteral("s%1").arg(i), QJsonObject());
    insert.bindValue(0, 3);
    insert.bindValue(1, QString::fromUtf8(QJsonDocument(many).toJson(QJsonDocument::Compact)));
    QVERIFY(insert.exec());

    const auto served = m_store->configuration("t1");
    QVERIFY(served);
    QCOMPARE(served->revision, qint64(1));
    QCOMPARE(served->document, documentWith("good"));
    QCOMPARE(m_store->contents(&error)->configurations.value("t1"), documentWith("good"));
    // The next revision is numbered after the skipped ones.
    QCOMPARE(m_store->saveConfiguration("t1", documentWith("next"), "x", &error), qint64(4));
    QCOMPARE(m_store->configuration("t1")->revision, qint64(4));
}

void TestConfigStore::pagingRevisions()
{
    QString error;
    for (int i = 1; i <= 7; ++i)
        QCOMPARE(m_store->saveConfiguration("t1", documentWith(QStringLiteral("s%1").arg(i)), "x",
                                            &error),
                 qint64(i));
    QCOMPARE(numbers(m_store->revisions("t1", 3)), (QList<qint64>{7, 6, 5}));
    // The next page starts below the last one seen.
    QCOMPARE(numbers(m_store->revisions("t1", 3, 5)), (QList<qint64>{4, 3, 2}));
    QCOMPARE(numbers(m_store->revisions("t1", 3, 2)), QList<qint64>{1});
    QVERIFY(m_store->revisions("t1", 3, 1).isEmpty());
    QCOMPARE(numbers(m_store->revisions("t1", 100)), (QList<qint64>{7, 6, 5, 4, 3, 2, 1}));
    QCOMPARE(m_store->revisions("t1", 1).first().document, documentWith("s7"));
    QCOMPARE(m_store->revisions("t1", 1, 4).first().document, documentWith("s3"));
    QVERIFY(m_store->revisions("t1", 0).isEmpty());
    // 0 and a bound past any revision both mean "from the latest".
    QCOMPARE(numbers(m_store->revisions("t1", 2, 0)), (QList<qint64>{7, 6}));
    QCOMPARE(numbers(m_store->revisions("t1", 2, std::numeric_limits<qint64>::max())),
             (QList<qint64>{7, 6}));
    QCOMPARE(numbers(m_store->revisions("t1", 2, 8)), (QList<qint64>{7, 6}));
    // Another document's revisions are not this one's.
    QVERIFY(m_store->revisions("t2", 10).isEmpty());
    QVERIFY(m_store->revisions(QString(), 10).isEmpty());
}

void TestConfigStore::contentsAreReadWhole()
{
    QString error;
    QVERIFY(m_store->addTenant({"t1", "One", "one"}, &error));
    QVERIFY(m_store->addTenant({"t2", "Two", "two"}, &error));
    QCOMPARE(m_store->saveConfiguration("t1", documentWith("s1"), "x", &error), qint64(1));
    QCOMPARE(m_store->saveConfiguration(QString(), documentWith("core"), "x", &error), qint64(1));
    auto contents = m_store->contents(&error);
    QVERIFY2(contents, qPrintable(error));
    QCOMPARE(contents->tenants.size(), 2);
    QCOMPARE(contents->core, documentWith("core"));
    QCOMPARE(contents->configurations.size(), 1); // t2 has no document
    QCOMPARE(contents->configurations.value("t1"), documentWith("s1"));
    QCOMPARE(contents->version, m_store->dataVersion());

    // The tenants can be read, the documents cannot (a store cut off half-way): nothing
    // comes back, rather than tenants without their streams.
    QSqlDatabase db = rawDatabase();
    QSqlQuery alter(db);
    QVERIFY(alter.exec("ALTER TABLE configuration_revisions RENAME TO hidden_revisions"));
    QVERIFY(!m_store->tenants().isEmpty());
    error.clear();
    QVERIFY(!m_store->contents(&error));
    QVERIFY(!error.isEmpty()); // Qt's words for SQLite's "no such table"
    QCOMPARE(m_store->readError(), error);

    QVERIFY(alter.exec("ALTER TABLE hidden_revisions RENAME TO configuration_revisions"));
    contents = m_store->contents(&error);
    QVERIFY2(contents, qPrintable(error));
    QCOMPARE(contents->configurations.value("t1"), documentWith("s1"));
    QVERIFY(m_store->readError().isEmpty());
}

void TestConfigStore::persistsAcrossOpens()
{
    QString error;
    QVERIFY(m_store->addTenant({"t1", "One", "one"}, &error));
    QCOMPARE(m_store->saveConfiguration("t1", documentWith("a"), "x", &error), qint64(1));
    m_store = std::make_unique<ConfigStore>();
    QVERIFY2(m_store->open(m_dir->path(), &error), qPrintable(error));
    QCOMPARE(m_store->tenants().size(), 1);
    QCOMPARE(m_store->contents(&error)->configurations.value("t1"), documentWith("a"));
    QCOMPARE(m_store->saveConfiguration("t1", documentWith("b"), "x", &error), qint64(2));
}

void TestConfigStore::secretsAreMadeOnceAndKept()
{
    QString error;
    const QByteArray key = m_store->secret("socketio-recovery", &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(key.size(), 32);
    QCOMPARE(m_store->secret("socketio-recovery", &error), key);
    const QByteArray other = m_store->secret("another", &error);
    QCOMPARE(other.size(), 32);
    QVERIFY(other != key);
    // Another instance on the same store, and a restart, read the same key.
    ConfigStore second;
    QVERIFY2(second.open(m_dir->path(), &error), qPrintable(error));
    QCOMPARE(second.secret("socketio-recovery", &error), key);
    m_store = std::make_unique<ConfigStore>();
    QVERIFY2(m_store->open(m_dir->path(), &error), qPrintable(error));
    QCOMPARE(m_store->secret("socketio-recovery", &error), key);
}

void TestConfigStore::refusesNewerSchema()
{
    QSqlDatabase db = rawDatabase();
    QSqlQuery query(db);
    QVERIFY(query.exec("UPDATE schema_version SET version = version + 1"));
    m_store = std::make_unique<ConfigStore>();
    QString error;
    QVERIFY(!m_store->open(m_dir->path(), &error));
    QVERIFY2(error.contains("newer"), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestConfigStore)
#include "tst_configstore.moc"
