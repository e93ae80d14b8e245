#include "cursor.h"

#include <limits>

namespace push {

namespace {

// An unsigned decimal number of at most 64 bits, digits only.
std::optional<quint64> parseNumber(QByteArrayView digits)
{
    if (digits.isEmpty() || digits.size() > 20)
        return std::nullopt;
    quint64 value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const quint64 digit = quint64(c - '0');
        if (value > (std::numeric_limits<quint64>::max() - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

} // namespace

QByteArray EntryId::toString() const
{
    return QByteArray::number(ms) + '-' + QByteArray::number(seq);
}

std::optional<EntryId> EntryId::parse(QByteArrayView text)
{
    const qsizetype dash = text.indexOf('-');
    if (dash < 0)
        return std::nullopt;
    const std::optional<quint64> ms = parseNumber(text.first(dash));
    const std::optional<quint64> seq = parseNumber(text.sliced(dash + 1));
    if (!ms || !seq)
        return std::nullopt;
    return EntryId{*ms, *seq};
}

QByteArray Cursor::toString() const
{
    return epoch.toUtf8() + '.' + entry.toString();
}

std::optional<Cursor> Cursor::parse(QByteArrayView text)
{
    const qsizetype dot = text.lastIndexOf('.');
    if (dot <= 0)
        return std::nullopt;
    const std::optional<EntryId> entry = EntryId::parse(text.sliced(dot + 1));
    if (!entry)
        return std::nullopt;
    return Cursor{QString::fromUtf8(text.first(dot)), *entry};
}

} // namespace push
