#pragma once

// Shared by the libFuzzer targets: input splitting and a quiet Qt.

#include <QByteArray>
#include <QList>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace push::fuzz {

// The input as bytes (a deep copy: the fuzzer's buffer must not outlive the call).
inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// The input cut at NUL bytes into at most `parts` pieces (the last one keeps the rest,
// NULs included), so that the seed files of several-part targets stay readable.
inline QList<QByteArray> split(const uint8_t *data, size_t size, int parts)
{
    const QByteArray all = bytes(data, size);
    QList<QByteArray> out;
    qsizetype from = 0;
    while (out.size() < parts - 1) {
        const qsizetype nul = all.indexOf('\0', from);
        if (nul < 0)
            break;
        out.append(all.mid(from, nul - from));
        from = nul + 1;
    }
    out.append(all.mid(from));
    while (out.size() < parts)
        out.append(QByteArray());
    return out;
}

// Logging off: the parsers warn about what they refuse, which is every other input.
inline void quiet()
{
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &msg) {
        if (type == QtFatalMsg) {
            std::fprintf(stderr, "qFatal: %s\n", qPrintable(msg));
            std::abort();
        }
    });
}

// A property the target checks (a round trip, an invariant): a finding when it fails.
#define PUSH_FUZZ_CHECK(condition)                                                                 \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition);     \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

} // namespace push::fuzz
