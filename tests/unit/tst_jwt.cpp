// auth: JWS signatures (jwt.*), keys and JWKS (keys.*), and what the Authenticator makes
// of a token's alg and time claims. Keys are generated with OpenSSL (EC keys in each
// test, the two slow RSA pairs once per run and only read); the ECDSA r||s form is
// checked against OpenSSL's own DER signatures in both directions.
#include "auth/authenticator.h"
#include "auth/jwt.h"
#include "auth/keys.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <optional>

using namespace push::auth;

namespace {

const QByteArray kInput = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0";

// OpenSSL directly: a DER ECDSA signature over `input`, and a DER signature's check.
QByteArray opensslSign(const KeyPtr &key, const EVP_MD *md, const QByteArray &input)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t length = 0;
    QByteArray out;
    const auto *data = reinterpret_cast<const unsigned char *>(input.constData());
    if (EVP_DigestSignInit(ctx, nullptr, md, nullptr, key.get()) == 1 &&
        EVP_DigestSign(ctx, nullptr, &length, data, size_t(input.size())) == 1) {
        out.resize(qsizetype(length));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(out.data()), &length, data,
                           size_t(input.size())) == 1)
            out.resize(qsizetype(length));
        else
            out.clear();
    }
    EVP_MD_CTX_free(ctx);
    return out;
}

bool opensslVerify(const KeyPtr &key, const EVP_MD *md, const QByteArray &input,
                   const QByteArray &der)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key.get()) == 1 &&
                    EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(der.constData()),
                                     size_t(der.size()),
                                     reinterpret_cast<const unsigned char *>(input.constData()),
                                     size_t(input.size())) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

// The test's own conversions between DER and r||s (RFC 7518 §3.4).
QByteArray derToRaw(const QByteArray &der, int size)
{
    const auto *p = reinterpret_cast<const unsigned char *>(der.constData());
    ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, long(der.size()));
    if (!sig)
        return {};
    QByteArray raw(2 * size, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char *>(raw.data()), size);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char *>(raw.data()) + size, size);
    ECDSA_SIG_free(sig);
    return raw;
}

QByteArray rawToDer(const QByteArray &raw)
{
    const int size = int(raw.size() / 2);
    const auto *bytes = reinterpret_cast<const unsigned char *>(raw.constData());
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(bytes, size, nullptr), BN_bin2bn(bytes + size, size, nullptr));
    unsigned char *der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    const QByteArray out(reinterpret_cast<const char *>(der), std::max(length, 0));
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return out;
}

// The public half of a key pair, the way the service gets it: through its JWK.
KeyPtr publicViaJwk(const KeyPtr &key, const QString &alg = {})
{
    const QJsonObject jwks{{QStringLiteral("keys"), QJsonArray{toJwk(key, "k", alg)}}};
    KeySet set;
    QString error;
    if (!KeySet::fromJwks(QJsonDocument(jwks).toJson(), &set, &error) || set.keys().size() != 1)
        return {};
    return set.keys().first().key;
}

QByteArray part(const QJsonObject &object)
{
    return base64UrlEncode(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

class TestJwt final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void signVerifyRoundTrip_data();
    void signVerifyRoundTrip();
    void hmacKnownAnswerAndRoundTrip();
    void ecdsaRawAgreesWithOpenSslDer();
    void ecdsaRefusesMalformedSignatures();
    void keyMustFitAlgorithm();
    void onlyListedAlgorithms();
    void base64UrlIsStrict();
    void parseNeedsThreeParts();
    void jwksRoundTrip();
    void jwksSkipsUnusableKeys();
    void authenticatorAlgorithmRules();
    void authenticatorTimeClaims_data();
    void authenticatorTimeClaims();

private:
    // An Authenticator trusting issuer http://idp.test/realms/<realm> for realm "demo",
    // with m_rsa (kid "rsa", RS256) and m_ec (kid "ec", ES256).
    std::optional<AuthResult> verify(const QByteArray &token);
    QByteArray token(const QJsonObject &claims, const QString &alg, const KeyPtr &key,
                     const QString &kid);
    QJsonObject validClaims() const;

    // A new key of the algorithm's kind: EC keys are generated each time, RSA key pairs
    // (slow to generate) are the two made once for the whole run.
    KeyPtr keyFor(const QString &alg, bool other = false) const;

    KeyPtr m_rsaPair[2]; // read-only: generated once in initTestCase()
    KeyPtr m_rsa;
    KeyPtr m_ec;
    std::unique_ptr<Authenticator> m_auth;
};

void TestJwt::initTestCase()
{
    m_rsaPair[0] = generateRsaKey(2048);
    m_rsaPair[1] = generateRsaKey(2048);
    QVERIFY(m_rsaPair[0] && m_rsaPair[1]);
}

KeyPtr TestJwt::keyFor(const QString &alg, bool other) const
{
    if (alg.startsWith(QLatin1String("ES")))
        return generateEcKey(alg == QLatin1String("ES256") ? "P-256" : "P-384");
    return m_rsaPair[other ? 1 : 0];
}

void TestJwt::init()
{
    m_rsa = m_rsaPair[0];
    m_ec = generateEcKey("P-256");
    QVERIFY(m_rsa && m_ec);
    m_auth = std::make_unique<Authenticator>();
    KeySet keys;
    keys.add({"rsa", "RS256", publicViaJwk(m_rsa)});
    keys.add({"ec", "ES256", publicViaJwk(m_ec)});
    m_auth->trustLocalIssuer("http://idp.test/realms/", keys);
    m_auth->setRealmFilter([](const QString &realm) { return realm == QLatin1String("demo"); });
}

void TestJwt::cleanup()
{
    m_auth.reset();
    m_rsa.reset();
    m_ec.reset();
}

std::optional<AuthResult> TestJwt::verify(const QByteArray &token)
{
    std::optional<AuthResult> result;
    m_auth->verify(token, nullptr, [&](AuthResult r) { result = std::move(r); });
    return result; // set at once: no key is ever fetched here
}

QByteArray TestJwt::token(const QJsonObject &claims, const QString &alg, const KeyPtr &key,
                          const QString &kid)
{
    return encodeToken(claims, alg, key, kid);
}

QJsonObject TestJwt::validClaims() const
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return {{"iss", "http://idp.test/realms/demo"},
            {"sub", "user-1"},
            {"aud", "urn:ads:platform:push-service"},
            {"iat", now},
            {"exp", now + 3600}};
}

void TestJwt::signVerifyRoundTrip_data()
{
    QTest::addColumn<QString>("alg");
    QTest::addColumn<int>("size"); // the signature's length, -1: the key's

    QTest::newRow("RS256") << "RS256" << 256;
    QTest::newRow("RS512") << "RS512" << 256;
    QTest::newRow("PS256") << "PS256" << 256;
    QTest::newRow("ES256") << "ES256" << 64;
    QTest::newRow("ES384") << "ES384" << 96;
}

void TestJwt::signVerifyRoundTrip()
{
    QFETCH(QString, alg);
    QFETCH(int, size);
    const KeyPtr key = keyFor(alg);
    const KeyPtr pub = publicViaJwk(key);
    QVERIFY(pub);
    const QByteArray signature = sign(alg, key, kInput);
    QCOMPARE(signature.size(), size);
    QVERIFY(verifySignature(alg, pub, kInput, signature));

    QVERIFY(!verifySignature(alg, pub, kInput + "x", signature));
    QByteArray flipped = signature;
    flipped[size / 2] = char(flipped[size / 2] ^ 0x01);
    QVERIFY(!verifySignature(alg, pub, kInput, flipped));
    // Another key of the same kind does not verify it.
    QVERIFY(!verifySignature(alg, publicViaJwk(keyFor(alg, true)), kInput, signature));

    // The whole token, as the service parses it.
    const QByteArray jws = encodeToken({{"sub", "x"}}, alg, key, "kid-1");
    QString error;
    const auto parsed = ParsedToken::parse(jws, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->alg(), alg);
    QCOMPARE(parsed->kid(), QStringLiteral("kid-1"));
    QCOMPARE(parsed->claims.value("sub").toString(), QStringLiteral("x"));
    QVERIFY(verifySignature(alg, pub, parsed->signingInput, parsed->signature));
}

void TestJwt::hmacKnownAnswerAndRoundTrip()
{
    // RFC 4231 test case 2.
    QCOMPARE(signHmac("HS256", "Jefe", "what do ya want for nothing?").toHex(),
             QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    const QByteArray secret = "a shared secret of some length....";
    const QList<std::pair<QString, int>> algorithms = {{"HS256", 32}, {"HS384", 48}, {"HS512", 64}};
    for (const auto &[alg, size] : algorithms) {
        const QByteArray mac = signHmac(alg, secret, kInput);
        QCOMPARE(mac.size(), size);
        QVERIFY(verifyHmac(alg, secret, kInput, mac));
        QVERIFY(!verifyHmac(alg, secret + "x", kInput, mac));
        QVERIFY(!verifyHmac(alg, secret, kInput + "x", mac));
        QVERIFY(!verifyHmac(alg, secret, kInput, mac.left(size - 1)));
        QVERIFY(!verifyHmac(alg, secret, kInput, mac + '\0'));
        QVERIFY(!verifyHmac(alg, secret, kInput, {}));
        QVERIFY(!verifyHmac(alg, {}, kInput, signHmac(alg, {}, kInput))); // no empty secret
        // Never through the asymmetric path, nor with an asymmetric algorithm.
        QVERIFY(!verifySignature(alg, m_rsa, kInput, mac));
        QVERIFY(sign(alg, m_rsa, kInput).isEmpty());
    }
    QVERIFY(signHmac("RS256", secret, kInput).isEmpty());
    QVERIFY(!verifyHmac("RS256", secret, kInput, signHmac("HS256", secret, kInput)));
}

void TestJwt::ecdsaRawAgreesWithOpenSslDer()
{
    // r and s are fixed 32-byte fields in JWS and minimal signed integers in DER: a value
    // with a leading zero byte is shorter in DER, one with its high bit set longer. Sign
    // until each case has come up (about one signature in 256 has a leading zero).
    const KeyPtr pub = publicViaJwk(m_ec);
    bool rZero = false, sZero = false, rHigh = false, sHigh = false;
    for (int i = 0; i < 20000 && !(rZero && sZero && rHigh && sHigh); ++i) {
        const QByteArray input = kInput + QByteArray::number(i);
        const QByteArray raw = sign("ES256", m_ec, input);
        QCOMPARE(raw.size(), 64);
        const bool r0 = raw[0] == 0, s0 = raw[32] == 0;
        const bool rH = (raw[0] & 0x80) != 0, sH = (raw[32] & 0x80) != 0;
        if ((r0 && !rZero) || (s0 && !sZero) || (rH && !rHigh) || (sH && !sHigh)) {
            // Ours → DER: OpenSSL accepts it; OpenSSL's DER → r||s: ours accepts it.
            QVERIFY2(opensslVerify(m_ec, EVP_sha256(), input, rawToDer(raw)),
                     raw.toHex().constData());
            QVERIFY2(verifySignature("ES256", pub, input, raw), raw.toHex().constData());
            rZero = rZero || r0;
            sZero = sZero || s0;
            rHigh = rHigh || rH;
            sHigh = sHigh || sH;
        }
        const QByteArray der = opensslSign(m_ec, EVP_sha256(), input);
        const QByteArray fromDer = derToRaw(der, 32);
        if (i < 50 || fromDer[0] == 0 || fromDer[32] == 0)
            QVERIFY2(verifySignature("ES256", pub, input, fromDer), der.toHex().constData());
    }
    QVERIFY(rZero && sZero && rHigh && sHigh);

    // ES384 likewise, both directions.
    const KeyPtr p384 = generateEcKey("P-384");
    const QByteArray raw = sign("ES384", p384, kInput);
    QCOMPARE(raw.size(), 96);
    QVERIFY(opensslVerify(p384, EVP_sha384(), kInput, rawToDer(raw)));
    QVERIFY(verifySignature("ES384", publicViaJwk(p384), kInput,
                            derToRaw(opensslSign(p384, EVP_sha384(), kInput), 48)));
}

void TestJwt::ecdsaRefusesMalformedSignatures()
{
    const KeyPtr pub = publicViaJwk(m_ec);
    const QByteArray raw = sign("ES256", m_ec, kInput);
    QVERIFY(verifySignature("ES256", pub, kInput, raw));
    // Only exactly 2 × 32 bytes.
    const QByteArrayList wrongs = {
        QByteArray(),        raw.left(1), raw.left(63), raw + '\0', QByteArray(1, '\0') + raw,
        raw + raw.right(32), raw + raw};
    for (const QByteArray &wrong : wrongs)
        QVERIFY2(!verifySignature("ES256", pub, kInput, wrong), wrong.toHex().constData());
    // A DER signature is not a JWS signature, even a valid one.
    QVERIFY(!verifySignature("ES256", pub, kInput, rawToDer(raw)));
    QVERIFY(!verifySignature("ES256", pub, kInput, opensslSign(m_ec, EVP_sha256(), kInput)));
    // r = s = 0 (CVE-2022-21449), r = s = 1 … 0xff…: all refused.
    QVERIFY(!verifySignature("ES256", pub, kInput, QByteArray(64, '\0')));
    QByteArray ones(64, '\0');
    ones[31] = 1;
    ones[63] = 1;
    QVERIFY(!verifySignature("ES256", pub, kInput, ones));
    QVERIFY(!verifySignature("ES256", pub, kInput, QByteArray(64, '\xff')));
    // r and s swapped.
    QVERIFY(!verifySignature("ES256", pub, kInput, raw.mid(32) + raw.left(32)));
    // An ES256 signature presented as ES384 (and the other way round) does not fit.
    QVERIFY(!verifySignature("ES384", pub, kInput, raw));
}

void TestJwt::keyMustFitAlgorithm()
{
    const QByteArray rs = sign("RS256", m_rsa, kInput);
    const QByteArray es = sign("ES256", m_ec, kInput);
    QVERIFY(!rs.isEmpty() && !es.isEmpty());
    QVERIFY(verifySignature("RS256", m_rsa, kInput, rs));
    QVERIFY(!verifySignature("ES256", m_rsa, kInput, rs));
    QVERIFY(!verifySignature("RS256", m_ec, kInput, es));
    QVERIFY(!verifySignature("PS256", m_rsa, kInput, rs)); // PKCS#1 v1.5 is not PSS
    QVERIFY(!verifySignature("RS384", m_rsa, kInput, rs)); // another digest
    QVERIFY(sign("ES256", m_rsa, kInput).isEmpty());
    QVERIFY(sign("RS256", m_ec, kInput).isEmpty());
    // A P-384 key is not a P-256 key.
    const KeyPtr p384 = generateEcKey("P-384");
    QVERIFY(sign("ES256", p384, kInput).isEmpty());
    QVERIFY(!verifySignature("ES256", p384, kInput, es));
    // RSA below 2048 bits is refused both ways.
    const KeyPtr weak = generateRsaKey(1024);
    QVERIFY(weak);
    QVERIFY(sign("RS256", weak, kInput).isEmpty());
    QVERIFY(!verifySignature("RS256", weak, kInput, opensslSign(weak, EVP_sha256(), kInput)));
    // No key at all, no algorithm.
    QVERIFY(!verifySignature("RS256", KeyPtr(), kInput, rs));
    QVERIFY(!verifySignature("none", m_rsa, kInput, {}));
    QVERIFY(!verifySignature("", m_rsa, kInput, rs));
}

void TestJwt::onlyListedAlgorithms()
{
    for (const char *alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                            "HS256", "HS384", "HS512"})
        QVERIFY2(isSupportedAlgorithm(alg), alg);
    for (const char *alg :
         {"none", "None", "NONE", "", "rs256", "ES512", "EdDSA", "RS256 ", " HS256", "RS1"})
        QVERIFY2(!isSupportedAlgorithm(alg), alg);
    QVERIFY(isHmacAlgorithm("HS384"));
    QVERIFY(!isHmacAlgorithm("RS256"));
    QVERIFY(!isHmacAlgorithm("hs256"));
}

void TestJwt::base64UrlIsStrict()
{
    QCOMPARE(base64UrlEncode("\xfb\xff"), QByteArray("-_8"));
    QCOMPARE(base64UrlDecode("-_8").value_or("?"), QByteArray("\xfb\xff"));
    QVERIFY(base64UrlDecode("").has_value());
    QVERIFY(base64UrlDecode("")->isEmpty());
    for (const QByteArray &bad : {QByteArray("-_8="), QByteArray("+/8"), QByteArray("ab cd"),
                                  QByteArray("abcde"), QByteArray("ab\ncd"), QByteArray("a.b")})
        QVERIFY2(!base64UrlDecode(bad), bad.constData());
}

void TestJwt::parseNeedsThreeParts()
{
    const QByteArray header = part({{"alg", "RS256"}});
    const QByteArray claims = part({{"sub", "x"}});
    QString error;
    QVERIFY(ParsedToken::parse(header + '.' + claims + ".AAAA", &error));
    QVERIFY(ParsedToken::parse(header + '.' + claims + '.', &error)); // empty signature
    const QByteArrayList bad = {
        header + '.' + claims,
        header + '.' + claims + ".AAAA.AAAA",
        header + ".W10.AAAA",       // payload an array
        part({}) + "W10." + claims, // nonsense
        base64UrlEncode("{") + '.' + claims + ".AAAA",
        header + '.' + claims + ".AA=A",
        header + "=." + claims + ".AAAA",
    };
    for (const QByteArray &token : bad) {
        error.clear();
        QVERIFY2(!ParsedToken::parse(token, &error), token.constData());
        QVERIFY(!error.isEmpty());
    }
}

void TestJwt::jwksRoundTrip()
{
    const KeyPtr p384 = generateEcKey("P-384");
    const QJsonArray jwks{toJwk(m_rsa, "r", "RS256"), toJwk(m_ec, "e", "ES256"),
                          toJwk(p384, "p", QString())};
    QCOMPARE(jwks[0].toObject().value("kty").toString(), QStringLiteral("RSA"));
    QCOMPARE(jwks[0].toObject().value("e").toString(), QStringLiteral("AQAB"));
    QCOMPARE(jwks[1].toObject().value("crv").toString(), QStringLiteral("P-256"));
    QCOMPARE(base64UrlDecode(jwks[1].toObject().value("x").toString().toLatin1())->size(), 32);
    QCOMPARE(base64UrlDecode(jwks[2].toObject().value("y").toString().toLatin1())->size(), 48);
    QVERIFY(!jwks[2].toObject().contains("alg"));
    for (const QJsonValue &jwk : jwks)
        QVERIFY(!jwk.toObject().contains("d")); // never the private part

    KeySet set;
    QString error;
    QStringList skipped;
    QVERIFY(KeySet::fromJwks(QJsonDocument(QJsonObject{{"keys", jwks}}).toJson(), &set, &error,
                             &skipped));
    QVERIFY2(skipped.isEmpty(), qPrintable(skipped.join(", ")));
    QCOMPARE(set.keys().size(), 3);
    QCOMPARE(set.find("r")->alg, QStringLiteral("RS256"));
    QVERIFY(set.find("p")->alg.isEmpty());
    QVERIFY(!set.find("nope"));
    // JWK → key → JWK is the same JWK, and the keys verify what the private halves signed.
    QCOMPARE(toJwk(set.find("r")->key, "r", "RS256"), jwks[0].toObject());
    QCOMPARE(toJwk(set.find("e")->key, "e", "ES256"), jwks[1].toObject());
    QCOMPARE(toJwk(set.find("p")->key, "p", QString()), jwks[2].toObject());
    QVERIFY(verifySignature("RS256", set.find("r")->key, kInput, sign("RS256", m_rsa, kInput)));
    QVERIFY(verifySignature("ES256", set.find("e")->key, kInput, sign("ES256", m_ec, kInput)));
    QVERIFY(verifySignature("ES384", set.find("p")->key, kInput, sign("ES384", p384, kInput)));
    // The public key cannot sign.
    QVERIFY(sign("RS256", set.find("r")->key, kInput).isEmpty());
    // The private key survives PEM.
    const KeyPtr again = privateKeyFromPem(privateKeyToPem(m_ec));
    QVERIFY(verifySignature("ES256", set.find("e")->key, kInput, sign("ES256", again, kInput)));
}

void TestJwt::jwksSkipsUnusableKeys()
{
    QJsonObject offCurve = toJwk(m_ec, "off", "ES256");
    QByteArray y = *base64UrlDecode(offCurve.value("y").toString().toLatin1());
    y[31] = char(y[31] ^ 1);
    offCurve.insert("y", QString::fromLatin1(base64UrlEncode(y)));
    QJsonObject encryption = toJwk(m_rsa, "enc", QString());
    encryption.insert("use", "enc");
    QJsonObject badN = toJwk(m_rsa, "badn", QString());
    badN.insert("n", "not base64!");
    const QJsonArray keys{offCurve,
                          encryption,
                          badN,
                          toJwk(generateRsaKey(1024), "short", QString()),
                          QJsonObject{{"kid", "oct"}, {"kty", "oct"}, {"k", "c2VjcmV0"}},
                          toJwk(m_rsa, "good", "RS256")};
    KeySet set;
    QString error;
    QStringList skipped;
    QVERIFY(KeySet::fromJwks(QJsonDocument(QJsonObject{{"keys", keys}}).toJson(), &set, &error,
                             &skipped));
    QCOMPARE(set.keys().size(), 1);
    QCOMPARE(set.keys().first().kid, QStringLiteral("good"));
    QCOMPARE(skipped.size(), 5);

    for (const QByteArray &notJwks : {QByteArray("[]"), QByteArray("{}"),
                                      QByteArray("{\"keys\":{}}"), QByteArray("not json")}) {
        error.clear();
        QVERIFY(!KeySet::fromJwks(notJwks, &set, &error));
        QVERIFY(!error.isEmpty());
    }
}

void TestJwt::authenticatorAlgorithmRules()
{
    const QJsonObject claims = validClaims();
    std::optional<AuthResult> result = verify(token(claims, "RS256", m_rsa, "rsa"));
    QVERIFY(result);
    QCOMPARE(result->kind, AuthResult::Kind::Valid);
    QCOMPARE(result->realm, QStringLiteral("demo"));
    result = verify(token(claims, "ES256", m_ec, "ec"));
    QCOMPARE(result->kind, AuthResult::Kind::Valid);

    // alg none, with or without a signature.
    const QByteArray unsigned_ = part({{"alg", "none"}, {"typ", "JWT"}}) + '.' + part(claims);
    const QByteArrayList nones = {unsigned_ + '.', unsigned_ + ".AAAA"};
    for (const QByteArray &none : nones) {
        result = verify(none);
        QCOMPARE(result->kind, AuthResult::Kind::Invalid);
        QCOMPARE(result->reason, QStringLiteral("algorithm"));
    }
    // HS256 made with the RSA public key's JWK as the secret: this issuer has no secret.
    const QByteArray input = part({{"alg", "HS256"}, {"kid", "rsa"}}) + '.' + part(claims);
    const QByteArray secret = QJsonDocument(toJwk(m_rsa, "rsa", "RS256")).toJson();
    result = verify(input + '.' + base64UrlEncode(signHmac("HS256", secret, input)));
    QCOMPARE(result->kind, AuthResult::Kind::Invalid);
    QCOMPARE(result->reason, QStringLiteral("algorithm"));
    // The key's alg binds: an RS384 token under the RS256 key, an ES256 one naming it.
    result = verify(token(claims, "RS384", m_rsa, "rsa"));
    QCOMPARE(result->reason, QStringLiteral("signature"));
    result = verify(token(claims, "ES256", m_ec, "rsa"));
    QCOMPARE(result->reason, QStringLiteral("signature"));
    // Signed by another key with a known kid; an unknown kid.
    result = verify(token(claims, "RS256", m_rsaPair[1], "rsa"));
    QCOMPARE(result->reason, QStringLiteral("signature"));
    result = verify(token(claims, "RS256", m_rsa, "other"));
    QCOMPARE(result->reason, QStringLiteral("key"));
    // crit names nothing this service understands.
    const QByteArray critInput =
        part({{"alg", "RS256"}, {"kid", "rsa"}, {"crit", QJsonArray{"b64"}}, {"b64", false}}) +
        '.' + part(claims);
    result = verify(critInput + '.' + base64UrlEncode(sign("RS256", m_rsa, critInput)));
    QCOMPARE(result->reason, QStringLiteral("malformed"));
    // An untrusted issuer, a realm the filter refuses.
    QJsonObject other = claims;
    other.insert("iss", "http://evil.test/realms/demo");
    QCOMPARE(verify(token(other, "RS256", m_rsa, "rsa"))->reason, QStringLiteral("issuer"));
    other.insert("iss", "http://idp.test/realms/elsewhere");
    QCOMPARE(verify(token(other, "RS256", m_rsa, "rsa"))->reason, QStringLiteral("issuer"));
    // No token: anonymous, not invalid.
    QCOMPARE(verify({})->kind, AuthResult::Kind::Anonymous);
}

void TestJwt::authenticatorTimeClaims_data()
{
    QTest::addColumn<QJsonObject>("changes"); // claims to set (null: remove)
    QTest::addColumn<QString>("reason");      // empty: valid

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    // The default leeway is 30 s; the margins below are far from it either way.
    QTest::newRow("valid") << QJsonObject{} << QString();
    QTest::newRow("expired an hour ago") << QJsonObject{{"exp", now - 3600}} << "expired";
    QTest::newRow("expired within leeway") << QJsonObject{{"exp", now - 5}} << QString();
    QTest::newRow("no exp") << QJsonObject{{"exp", QJsonValue::Null}} << "expired";
    QTest::newRow("exp a string") << QJsonObject{{"exp", QString::number(now + 3600)}}
                                  << "malformed";
    QTest::newRow("nbf in an hour") << QJsonObject{{"nbf", now + 3600}} << "not-yet-valid";
    QTest::newRow("nbf within leeway") << QJsonObject{{"nbf", now + 5}} << QString();
    QTest::newRow("nbf passed") << QJsonObject{{"nbf", now - 60}} << QString();
    QTest::newRow("nbf a string") << QJsonObject{{"nbf", "0"}} << "malformed";
    QTest::newRow("iat a string") << QJsonObject{{"iat", "yesterday"}} << "malformed";
    QTest::newRow("other audience") << QJsonObject{{"aud", "urn:other"}} << "audience";
    QTest::newRow("audience in a list")
        << QJsonObject{{"aud", QJsonArray{"x", "urn:ads:platform:push-service"}}} << QString();
}

void TestJwt::authenticatorTimeClaims()
{
    QFETCH(QJsonObject, changes);
    QFETCH(QString, reason);
    QJsonObject claims = validClaims();
    for (auto it = changes.begin(); it != changes.end(); ++it) {
        if (it.value().isNull())
            claims.remove(it.key());
        else
            claims.insert(it.key(), it.value());
    }
    const std::optional<AuthResult> result = verify(token(claims, "ES256", m_ec, "ec"));
    QVERIFY(result);
    QCOMPARE(result->reason, reason);
    QCOMPARE(result->kind, reason.isEmpty() ? AuthResult::Kind::Valid : AuthResult::Kind::Invalid);
}

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
