// PushService and the store's faults: a database that stops answering (PostgreSQL
// restarted) is reconnected with a bounded backoff, LISTENed to again and read afresh, so
// changes other instances made meanwhile arrive; a store that cannot write (SQLite on a
// full disk) is reported until a write succeeds again.
#include "app/pushservice.h"

#include <QLoggingCategory>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcService)

namespace push::app {

namespace {
constexpr int kFirstStoreRetryMs = 500;
constexpr int kMaxStoreRetryMs = 2000;
} // namespace

void PushService::storeLost(const QString &reason)
{
    m_storeDown = true;
    m_status.storeHealthy = false;
    m_status.setStoreError(reason);
    m_storeDownFor.start();
    m_storeRetryMs = kFirstStoreRetryMs;
    m_storeRetryAt.setRemainingTime(0);
    qCWarning(lcService).noquote() << "the store stopped answering:" << reason
                                   << "- reconnecting; the configuration in force stays";
    m_storeTimer.setInterval(250); // retries on their own schedule, not the 1 s poll's
    tryStoreReconnect();
}

void PushService::tryStoreReconnect()
{
    if (!m_storeRetryAt.hasExpired())
        return;
    QString error;
    // Whatever changed while this instance was not listening is in the tables; until it is
    // read whole, the store is still down (the next attempt after the backoff).
    if (!m_store.reconnect(&error) || !m_store.ping() ||
        !reloadConfiguration(QStringLiteral("the store, after reconnecting"))) {
        if (error.isEmpty())
            error = m_store.readError();
        m_status.setStoreError(error);
        if (const int held = m_storeLog.allow(); held >= 0)
            qCWarning(lcService).noquote()
                << "the store is still unavailable:" << error << "- next attempt in"
                << m_storeRetryMs << "ms" << LogThrottle::suppressed(held);
        m_storeRetryAt.setRemainingTime(m_storeRetryMs);
        m_storeRetryMs = std::min(m_storeRetryMs * 2, kMaxStoreRetryMs);
        return;
    }
    m_storeDown = false;
    m_storeTimer.setInterval(1000);
    m_status.setStoreError(QString());
    m_status.storeHealthy = true;
    qCInfo(lcService).noquote() << "reconnected to the store after" << m_storeDownFor.elapsed()
                                << "ms; tenants and configuration read again";
}

void PushService::watchStoreWrites()
{
    const QString writeError = m_store.writeError();
    if (writeError.isEmpty()) {
        if (!m_status.storeWritable.exchange(true))
            m_status.setStoreError(QString());
        return;
    }
    if (m_store.probeWrite()) {
        m_status.storeWritable = true;
        m_status.setStoreError(QString());
        return;
    }
    if (m_status.storeWritable.exchange(false))
        qCWarning(lcService).noquote() << "the store cannot write:" << m_store.writeError();
    m_status.setStoreError(m_store.writeError());
}

} // namespace push::app
