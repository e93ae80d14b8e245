// An AMQP delivery from the event exchange: the headers table as rabbitmq-c decodes it
// from the wire (amqp_decode_table, the code path of every content header) and the body,
// read into an event (eventFromMessage). The input is the encoded table (its 32-bit
// length first), then the body.
#include "bus/amqptable.h"
#include "fuzzsupport.h"

#include <cstring>

using namespace push;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray input = push::fuzz::bytes(data, size);
    amqp_pool_t pool;
    init_amqp_pool(&pool, 4096);
    amqp_bytes_t encoded{size_t(input.size()), input.data()};
    amqp_table_t headers{};
    size_t offset = 0;
    if (amqp_decode_table(encoded, &pool, &headers, &offset) == AMQP_STATUS_OK && offset <= size) {
        amqp_envelope_t envelope;
        std::memset(&envelope, 0, sizeof envelope);
        envelope.message.properties._flags = AMQP_BASIC_HEADERS_FLAG;
        envelope.message.properties.headers = headers;
        envelope.message.body.bytes = input.data() + offset;
        envelope.message.body.len = size - offset;
        QString error;
        if (const auto event = bus::eventFromMessage(envelope, &error)) {
            // What was read goes back out as headers (the publishing side).
            bus::HeaderTable table = bus::messageHeaders(*event, QByteArray());
            (void)table.table();
        } else {
            PUSH_FUZZ_CHECK(!error.isEmpty());
        }
    }
    empty_amqp_pool(&pool);
    return 0;
}
