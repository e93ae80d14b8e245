// A bearer token as it arrives in an Authorization header: split and decoded
// (ParsedToken::parse), then verified as the authenticator does with an RSA, an EC and an
// HMAC key whatever algorithm the header names.
#include "auth/jwt.h"
#include "auth/keys.h"
#include "fuzzsupport.h"

using namespace push::auth;

namespace {
KeyPtr g_rsa;
KeyPtr g_ec;
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    g_rsa = generateRsaKey(2048);
    g_ec = generateEcKey(QStringLiteral("P-256"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = push::fuzz::bytes(data, size);
    (void)base64UrlDecode(input);

    QString error;
    const auto token = ParsedToken::parse(input, &error);
    if (!token) {
        PUSH_FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    const QString alg = token->alg();
    (void)token->kid();
    if (!isSupportedAlgorithm(alg))
        return 0;
    if (isHmacAlgorithm(alg)) {
        (void)verifyHmac(alg, QByteArrayLiteral("a shared secret"), token->signingInput,
                         token->signature);
    } else {
        (void)verifySignature(alg, g_rsa, token->signingInput, token->signature);
        (void)verifySignature(alg, g_ec, token->signingInput, token->signature);
    }
    return 0;
}
