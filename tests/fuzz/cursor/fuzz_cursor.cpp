// Cursors a client sends to resume (the Last-Event-ID header, ?after=): Cursor::parse and
// EntryId::parse. What parses writes back to a cursor that parses the same, and the order
// of entry ids agrees with their numbers. The input: a cursor; or two ids, NUL between.
#include "fuzzsupport.h"
#include "shared/cursor.h"

using namespace push;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    if (const std::optional<Cursor> cursor = Cursor::parse(text)) {
        PUSH_FUZZ_CHECK(!cursor->epoch.isEmpty());
        const std::optional<Cursor> again = Cursor::parse(cursor->toString());
        PUSH_FUZZ_CHECK(again && again->epoch == cursor->epoch && again->entry == cursor->entry);
    }
    const QList<QByteArray> parts = push::fuzz::split(data, size, 2);
    const std::optional<EntryId> a = EntryId::parse(parts.at(0));
    const std::optional<EntryId> b = EntryId::parse(parts.at(1));
    if (a && b) {
        PUSH_FUZZ_CHECK((*a < *b) + (*b < *a) + (*a == *b) == 1);
        PUSH_FUZZ_CHECK((*a < *b) == (a->ms < b->ms || (a->ms == b->ms && a->seq < b->seq)));
    }
    return 0;
}
