#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>

namespace push::config {

class ConfigStore;

// Store reads that may be large (a tenant's document, pages of revisions) run here: a
// thread of its own with its own database connection, so that they never hold up the
// control thread (the acceptor, the store check behind /health, configuration changes).
class StoreReader
{
public:
    StoreReader();
    ~StoreReader();
    StoreReader(const StoreReader &) = delete;
    StoreReader &operator=(const StoreReader &) = delete;

    // Starts the thread and opens the connection there; false with *error on failure.
    bool open(const QString &dataDir, const QString &databaseUrl, QString *error);
    // Runs `job` on the reader's thread with its store (queued; returns at once).
    void run(std::function<void(ConfigStore &)> job);

private:
    QThread m_thread;
    QObject *m_context = nullptr;         // lives on m_thread
    std::unique_ptr<ConfigStore> m_store; // created, used and destroyed on m_thread
};

} // namespace push::config
