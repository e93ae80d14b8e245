// An issuer's keys as fetched from its jwks_uri (KeySet::fromJwks) or read from a PEM
// file (KeySet::fromPem); every key read is turned back into a JWK.
#include "auth/keys.h"
#include "fuzzsupport.h"

using namespace push::auth;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = push::fuzz::bytes(data, size);
    KeySet set;
    QString error;
    QStringList skipped;
    if (KeySet::fromJwks(input, &set, &error, &skipped)) {
        for (const VerificationKey &key : set.keys()) {
            PUSH_FUZZ_CHECK(key.key);
            (void)keyType(key.key);
            (void)curveName(key.key);
            (void)toJwk(key.key, key.kid, key.alg);
            PUSH_FUZZ_CHECK(set.find(key.kid));
        }
    } else {
        PUSH_FUZZ_CHECK(!error.isEmpty());
    }

    KeySet pem;
    if (KeySet::fromPem(input, &pem, &error)) {
        for (const VerificationKey &key : pem.keys())
            PUSH_FUZZ_CHECK(key.key);
    }
    return 0;
}
