#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMutex>

#include <atomic>

namespace push::http {

// What each source address holds (connections, Engine.IO sessions) counted against a
// bound per address and a bound in all. Shared by every I/O worker, so thread-safe; a
// bound of 0 means none.
class AddressQuota
{
public:
    enum class Refusal { None, PerAddress, Total };

    AddressQuota(qint64 perAddress, qint64 total);
    AddressQuota(const AddressQuota &) = delete;
    AddressQuota &operator=(const AddressQuota &) = delete;

    // Takes one slot for `address`, or says which bound refuses it.
    Refusal acquire(const QHostAddress &address);
    void release(const QHostAddress &address);

    qint64 held() const { return m_total.load(std::memory_order_relaxed); }
    qint64 heldBy(const QHostAddress &address) const;
    qint64 perAddressLimit() const { return m_perAddress; }
    qint64 totalLimit() const { return m_totalLimit; }

private:
    const qint64 m_perAddress;
    const qint64 m_totalLimit;
    mutable QMutex m_mutex;
    QHash<QHostAddress, qint64> m_held;
    std::atomic<qint64> m_total{0};
};

} // namespace push::http
