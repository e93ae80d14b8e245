// Engine.IO v4 packets as they arrive: a WebSocket text frame (decodeText) and an HTTP
// long-polling payload (decodePayload). What decodes must encode back to something that
// decodes to the same packets.
#include "engineio/enginepacket.h"
#include "fuzzsupport.h"

using namespace push::engineio;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = push::fuzz::bytes(data, size);

    if (const auto packet = decodeText(input)) {
        if (!packet->binary) {
            const auto again = decodeText(encodeText(*packet));
            PUSH_FUZZ_CHECK(again && *again == *packet);
        }
    }

    if (const auto packets = decodePayload(input)) {
        const auto again = decodePayload(encodePayload(*packets));
        PUSH_FUZZ_CHECK(again && *again == *packets);
    }
    return 0;
}
