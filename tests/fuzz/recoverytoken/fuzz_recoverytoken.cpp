// socket.io recovery pids a client sends back in its CONNECT (auth.pid):
// RecoveryToken::verify. Whatever verifies signs again to a pid that verifies the same.
// The input: a pid; the key is fixed (the seeds hold pids signed with it, so the fuzzer
// also reaches the payload's parser).
#include "app/recoverytoken.h"
#include "fuzzsupport.h"

using push::app::RecoveryToken;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QByteArray key("fuzz-recovery-key-of-32-bytes!!!");
    const QByteArray pid = push::fuzz::bytes(data, size);
    QString why;
    const std::optional<RecoveryToken> token = RecoveryToken::verify(pid, key, &why);
    PUSH_FUZZ_CHECK(token || !why.isEmpty());
    if (token) {
        PUSH_FUZZ_CHECK(pid.size() <= RecoveryToken::kMaxLength);
        const std::optional<RecoveryToken> again =
            RecoveryToken::verify(token->sign(key), key, &why);
        PUSH_FUZZ_CHECK(again && again->sid == token->sid && again->nsp == token->nsp &&
                        again->stream == token->stream && again->criteria == token->criteria &&
                        again->user == token->user && again->issuedMs == token->issuedMs &&
                        again->start.toString() == token->start.toString());
    }
    return 0;
}
