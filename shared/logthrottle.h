#pragma once

#include <QString>

#include <chrono>
#include <mutex>

namespace push {

// Rate-limits one repeated log line: allow() is true at most once per interval; the
// lines held back in between are counted and handed to the next allowed one, e.g.
//   if (const auto n = throttle.allow(); n >= 0)
//       qCWarning(lc) << "event not published:" << error << LogThrottle::suppressed(n);
// Thread-safe.
class LogThrottle
{
public:
    using Clock = std::chrono::steady_clock;

    explicit LogThrottle(std::chrono::milliseconds interval = std::chrono::seconds(10))
        : m_interval(interval)
    {}

    // -1: hold this line back. Otherwise how many were held back since the last one.
    int allow(Clock::time_point now = Clock::now())
    {
        std::lock_guard lock(m_mutex);
        if (m_logged && now - m_last < m_interval) {
            ++m_held;
            return -1;
        }
        m_logged = true;
        m_last = now;
        const int held = m_held;
        m_held = 0;
        return held;
    }

    // "(and 12 more like it)" or nothing.
    static QString suppressed(int held)
    {
        return held > 0 ? QStringLiteral("(and %1 more like it)").arg(held) : QString();
    }

private:
    const std::chrono::milliseconds m_interval;
    std::mutex m_mutex;
    Clock::time_point m_last{};
    bool m_logged = false;
    int m_held = 0;
};

} // namespace push
