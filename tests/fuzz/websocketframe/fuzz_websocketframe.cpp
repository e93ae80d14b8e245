// RFC 6455 frames as a client sends them, into WebSocketFrameDecoder: once whole and once
// split at a point the input chooses. Both must read the same frames; a text message is
// always valid UTF-8, no message exceeds the bound, and nothing follows a close or an
// error.
#include "engineio/websocketframe.h"
#include "fuzzsupport.h"

using namespace push::engineio;

namespace {

constexpr qint64 kMaxMessage = 64 * 1024;

QList<WebSocketFrame> decode(const QByteArray &input, qsizetype split)
{
    WebSocketFrameDecoder decoder(kMaxMessage);
    QList<WebSocketFrame> frames = decoder.feed(input.constData(), split);
    frames += decoder.feed(input.constData() + split, input.size() - split);
    return frames;
}

bool same(const QList<WebSocketFrame> &a, const QList<WebSocketFrame> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].type != b[i].type || a[i].payload != b[i].payload || a[i].code != b[i].code)
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    push::fuzz::quiet();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray input = push::fuzz::bytes(data + 1, size - 1);
    const qsizetype split = input.isEmpty() ? 0 : qsizetype(data[0]) % (input.size() + 1);
    const QList<WebSocketFrame> whole = decode(input, input.size());
    PUSH_FUZZ_CHECK(same(whole, decode(input, split)));
    for (qsizetype i = 0; i < whole.size(); ++i) {
        const WebSocketFrame &frame = whole[i];
        PUSH_FUZZ_CHECK(frame.payload.size() <= kMaxMessage);
        if (frame.type == WebSocketFrame::Type::Text)
            PUSH_FUZZ_CHECK(Utf8Validator::isValid(frame.payload));
        if (frame.type == WebSocketFrame::Type::Close || frame.type == WebSocketFrame::Type::Error)
            PUSH_FUZZ_CHECK(i == whole.size() - 1);
        if (frame.type == WebSocketFrame::Type::Error)
            PUSH_FUZZ_CHECK(frame.code == kCloseProtocolError ||
                            frame.code == kCloseInvalidPayload || frame.code == kCloseTooBig);
    }
    return 0;
}
