#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace push {

// An entry's place in a tenant's replay log, as Redis Streams numbers entries:
// "<milliseconds>-<sequence>". Compared numerically, milliseconds first.
struct EntryId
{
    quint64 ms = 0;
    quint64 seq = 0;

    bool isNull() const { return ms == 0 && seq == 0; }
    // "<ms>-<seq>"
    QByteArray toString() const;
    // Exactly two unsigned decimal numbers joined by '-' ("0-0" included); nullopt for
    // anything else (signs, spaces, a missing part, a number past 64 bits).
    static std::optional<EntryId> parse(QByteArrayView text);
    // The id after this one (the sequence is bumped; the milliseconds stay).
    EntryId next() const { return {ms, seq + 1}; }

    friend bool operator==(const EntryId &a, const EntryId &b)
    {
        return a.ms == b.ms && a.seq == b.seq;
    }
    friend bool operator!=(const EntryId &a, const EntryId &b) { return !(a == b); }
    friend bool operator<(const EntryId &a, const EntryId &b)
    {
        return a.ms < b.ms || (a.ms == b.ms && a.seq < b.seq);
    }
    friend bool operator>(const EntryId &a, const EntryId &b) { return b < a; }
    friend bool operator<=(const EntryId &a, const EntryId &b) { return !(b < a); }
    friend bool operator>=(const EntryId &a, const EntryId &b) { return !(a < b); }
};

// What a client holds to resume: "<epoch>.<entry id>". The epoch names one life of the
// tenant's log (a log that was wiped and begun again has another), so a cursor of an
// earlier life is told apart from one of this.
struct Cursor
{
    QString epoch;
    EntryId entry;

    QByteArray toString() const;
    // Split at the last '.': the epoch is everything before it (not empty), the entry id
    // everything after. nullopt for anything else: an invalid cursor.
    static std::optional<Cursor> parse(QByteArrayView text);
};

} // namespace push
