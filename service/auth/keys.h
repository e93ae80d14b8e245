#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

namespace push::auth {

// An OpenSSL public (or private) key, shared and freed with EVP_PKEY_free.
using KeyPtr = std::shared_ptr<EVP_PKEY>;
KeyPtr adoptKey(EVP_PKEY *key);

enum class KeyType { Rsa, Ec, Unknown };
KeyType keyType(const KeyPtr &key);
// The EC curve's JOSE name ("P-256", "P-384") or empty.
QString curveName(const KeyPtr &key);

struct VerificationKey
{
    QString kid;
    QString alg; // the JWK's "alg" when it names one; a token must then use exactly it
    KeyPtr key;
};

// The keys of one issuer, by kid. Immutable once built; shared between threads.
class KeySet
{
public:
    // Reads a JWKS document {"keys":[...]}: RSA (n, e) and EC (crv P-256/P-384, x, y)
    // signing keys ("use" absent or "sig"). Keys it cannot read are skipped and named in
    // *skipped; returns false only when the document itself is not a JWKS.
    static bool fromJwks(const QByteArray &json, KeySet *set, QString *error,
                         QStringList *skipped = nullptr);
    // A PEM "PUBLIC KEY" (or certificate) file as a key set with one key without kid.
    static bool fromPem(const QByteArray &pem, KeySet *set, QString *error);

    void add(VerificationKey key) { m_keys.append(std::move(key)); }
    const QList<VerificationKey> &keys() const { return m_keys; }
    bool isEmpty() const { return m_keys.isEmpty(); }
    const VerificationKey *find(const QString &kid) const;

private:
    QList<VerificationKey> m_keys;
};

// The public half of `key` as a JWK ({"kty","kid","use","alg",...}).
QJsonObject toJwk(const KeyPtr &key, const QString &kid, const QString &alg);

// PEM text of a key pair's private half, and back.
QByteArray privateKeyToPem(const KeyPtr &key);
KeyPtr privateKeyFromPem(const QByteArray &pem);
// A new 2048-bit RSA key pair (the development issuer's kind of key, as Keycloak's).
KeyPtr generateRsaKey(int bits = 2048);
// A new EC key pair on a named curve ("P-256", "P-384").
KeyPtr generateEcKey(const QString &curve);

} // namespace push::auth
