// Socket.IO v5 packets: the text part (decode) and, for BINARY_EVENT/BINARY_ACK, the
// attachments that follow it (reconstruct). The input is the text, then attachments, cut
// at NUL bytes. A decoded packet must encode again and decode to an equal packet.
#include "fuzzsupport.h"
#include "socketio/siopacket.h"

using namespace push::socketio;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> parts = push::fuzz::split(data, size, 8);
    QString error;
    auto decoded = decode(parts.first(), &error);
    if (!decoded) {
        PUSH_FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    PUSH_FUZZ_CHECK(decoded->attachmentCount >= 0);

    // Round trip of the text part (before the placeholders are filled).
    if (decoded->attachmentCount == 0) {
        const Encoded encoded = encode(decoded->packet);
        QString again;
        const auto redecoded = decode(encoded.text, &again);
        PUSH_FUZZ_CHECK(redecoded);
    }

    // The binary messages that follow, as many as announced (up to what the input has).
    Packet packet = decoded->packet;
    for (int i = 0; i < decoded->attachmentCount && i + 1 < parts.size(); ++i)
        packet.attachments.append(parts.at(i + 1));
    if (reconstruct(packet))
        (void)encode(packet);
    return 0;
}
