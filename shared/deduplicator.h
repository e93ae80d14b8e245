#pragma once

#include <QHash>
#include <QString>

#include <chrono>
#include <deque>
#include <mutex>

namespace push {

// Remembers keys (event ids) seen within a time window, at most `capacity` of them: the
// oldest are forgotten first. firstSeen() is true the first time a key is offered within
// the window and false for a repeat. Thread-safe (one mutex; a lookup and an insert).
class Deduplicator
{
public:
    using Clock = std::chrono::steady_clock;

    Deduplicator(qsizetype capacity, std::chrono::milliseconds window)
        : m_capacity(capacity > 0 ? capacity : 1)
        , m_window(window)
    {}

    bool firstSeen(const QString &key, Clock::time_point now = Clock::now())
    {
        std::lock_guard lock(m_mutex);
        expire(now);
        if (m_seen.contains(key))
            return false;
        if (m_order.size() >= size_t(m_capacity)) {
            m_seen.remove(m_order.front().key);
            m_order.pop_front();
        }
        m_order.push_back({key, now});
        m_seen.insert(key, now);
        return true;
    }

    qsizetype size() const
    {
        std::lock_guard lock(m_mutex);
        return m_seen.size();
    }

private:
    struct Entry
    {
        QString key;
        Clock::time_point at;
    };

    void expire(Clock::time_point now)
    {
        while (!m_order.empty() && now - m_order.front().at >= m_window) {
            m_seen.remove(m_order.front().key);
            m_order.pop_front();
        }
    }

    const qsizetype m_capacity;
    const std::chrono::milliseconds m_window;
    mutable std::mutex m_mutex;
    std::deque<Entry> m_order; // oldest first
    QHash<QString, Clock::time_point> m_seen;
};

} // namespace push
