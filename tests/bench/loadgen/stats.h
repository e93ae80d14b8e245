#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

// A log-bucketed latency histogram (1 % resolution from 1 µs to ~10 min): constant memory
// whatever the number of deliveries.
class Histogram
{
public:
    Histogram()
        : m_buckets(kBuckets, 0)
    {}

    void add(int64_t micros)
    {
        if (micros < 1)
            micros = 1;
        const int index = std::min(kBuckets - 1, int(std::log(double(micros)) / kLogBase));
        ++m_buckets[size_t(index)];
        ++m_count;
        m_max = std::max(m_max, micros);
    }
    uint64_t count() const { return m_count; }
    int64_t max() const { return m_max; }
    // The value at quantile q (0..1), in microseconds.
    double quantile(double q) const
    {
        if (m_count == 0)
            return 0;
        const uint64_t rank = uint64_t(std::ceil(q * double(m_count)));
        uint64_t seen = 0;
        for (int i = 0; i < kBuckets; ++i) {
            seen += m_buckets[size_t(i)];
            if (seen >= rank)
                return std::min(double(m_max), std::exp((i + 0.5) * kLogBase));
        }
        return double(m_max);
    }

private:
    static constexpr int kBuckets = 2100;
    static constexpr double kLogBase = 0.00995033; // ln(1.01)
    std::vector<uint64_t> m_buckets;
    uint64_t m_count = 0;
    int64_t m_max = 0;
};
