// Unit tests of RecoveryToken: socket.io connection state recovery's pid (docs/resume.md,
// "socket.io"), signed and verified with HMAC-SHA256; every refusal a hostile client can
// cause.
#include "app/recoverytoken.h"

#include <QTest>

using push::Cursor;
using push::app::RecoveryToken;

namespace {

const QByteArray kKey = QByteArray(32, 'k');

RecoveryToken sample()
{
    RecoveryToken token;
    token.sid = "uWbjt1vBG0pyG11T8f9C";
    token.nsp = "/demo";
    token.stream = "orders";
    token.criteria = R"({"correlationId":"c-1"})";
    token.user = "user-1";
    token.start = *Cursor::parse("3fa2c01b.1764966000123-0");
    token.issuedMs = 1764966000456;
    return token;
}

QByteArray flipped(QByteArray text, qsizetype at)
{
    text[at] = text.at(at) == 'A' ? 'B' : 'A';
    return text;
}

} // namespace

class TestRecoveryToken final : public QObject
{
    Q_OBJECT

private slots:
    void roundTrips();
    void anonymousWithoutCriteria();
    void refuses_data();
    void refuses();
};

void TestRecoveryToken::roundTrips()
{
    const QByteArray pid = sample().sign(kKey);
    QVERIFY(pid.size() < 400);
    QVERIFY(!pid.contains('=') && !pid.contains('+') && !pid.contains('/'));
    QString why;
    const auto token = RecoveryToken::verify(pid, kKey, &why);
    QVERIFY2(token, qPrintable(why));
    QCOMPARE(token->sid, sample().sid);
    QCOMPARE(token->nsp, sample().nsp);
    QCOMPARE(token->stream, sample().stream);
    QCOMPARE(token->criteria, sample().criteria);
    QCOMPARE(token->user, sample().user);
    QCOMPARE(token->start.toString(), sample().start.toString());
    QCOMPARE(token->issuedMs, sample().issuedMs);
}

void TestRecoveryToken::anonymousWithoutCriteria()
{
    RecoveryToken token = sample();
    token.user.clear();
    token.criteria.clear();
    token.start = *Cursor::parse("00000000.0-0"); // an empty log's head
    QString why;
    const auto back = RecoveryToken::verify(token.sign(kKey), kKey, &why);
    QVERIFY2(back, qPrintable(why));
    QVERIFY(back->user.isEmpty());
    QVERIFY(back->criteria.isEmpty());
    QVERIFY(back->start.entry.isNull());
}

void TestRecoveryToken::refuses_data()
{
    QTest::addColumn<QByteArray>("pid");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("why");
    const QByteArray pid = sample().sign(kKey);
    const qsizetype dot = pid.indexOf('.');
    RecoveryToken missing = sample();
    missing.sid.clear();
    QTest::newRow("another key") << pid << QByteArray(32, 'x') << "does not match";
    QTest::newRow("no key") << pid << QByteArray() << "no key";
    QTest::newRow("a short key") << pid << QByteArray(8, 'k') << "no key";
    QTest::newRow("payload changed") << flipped(pid, 5) << kKey << "does not match";
    QTest::newRow("mac changed") << flipped(pid, dot + 3) << kKey << "does not match";
    QTest::newRow("mac cut") << pid.chopped(4) << kKey << "SHA-256";
    QTest::newRow("mac not base64")
        << pid.first(dot + 1) + QByteArray(43, '*') << kKey << "SHA-256";
    QTest::newRow("empty") << QByteArray() << kKey << "empty";
    QTest::newRow("too long") << pid + QByteArray(RecoveryToken::kMaxLength, 'A') << kKey
                              << "longer than";
    QTest::newRow("no dot") << QByteArray(pid).replace('.', 'A') << kKey << "not <payload>.<mac>";
    QTest::newRow("two dots") << pid + ".x" << kKey << "not <payload>.<mac>";
    QTest::newRow("leading dot") << pid.sliced(dot) << kKey << "not <payload>.<mac>";
    QTest::newRow("fields missing") << missing.sign(kKey) << kKey << "missing";
}

void TestRecoveryToken::refuses()
{
    QFETCH(QByteArray, pid);
    QFETCH(QByteArray, key);
    QFETCH(QString, why);
    QString reason;
    QVERIFY(!RecoveryToken::verify(pid, key, &reason));
    QVERIFY2(reason.contains(why), qPrintable(reason));
}

QTEST_GUILESS_MAIN(TestRecoveryToken)
#include "tst_recoverytoken.moc"
