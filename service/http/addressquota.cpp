#include "addressquota.h"

namespace push::http {

AddressQuota::AddressQuota(qint64 perAddress, qint64 total)
    : m_perAddress(perAddress)
    , m_totalLimit(total)
{}

AddressQuota::Refusal AddressQuota::acquire(const QHostAddress &address)
{
    QMutexLocker locker(&m_mutex);
    if (m_totalLimit > 0 && m_total.load(std::memory_order_relaxed) >= m_totalLimit)
        return Refusal::Total;
    qint64 &held = m_held[address];
    if (m_perAddress > 0 && held >= m_perAddress)
        return Refusal::PerAddress;
    ++held;
    m_total.fetch_add(1, std::memory_order_relaxed);
    return Refusal::None;
}

void AddressQuota::release(const QHostAddress &address)
{
    QMutexLocker locker(&m_mutex);
    auto it = m_held.find(address);
    if (it == m_held.end())
        return;
    if (--it.value() <= 0)
        m_held.erase(it);
    m_total.fetch_sub(1, std::memory_order_relaxed);
}

qint64 AddressQuota::heldBy(const QHostAddress &address) const
{
    QMutexLocker locker(&m_mutex);
    return m_held.value(address);
}

} // namespace push::http
