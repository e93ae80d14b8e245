#include "storereader.h"

#include "config/configstore.h"

namespace push::config {

StoreReader::StoreReader()
{
    m_thread.setObjectName(QStringLiteral("store-reader"));
}

StoreReader::~StoreReader()
{
    if (!m_thread.isRunning())
        return;
    // The connection is closed on the thread that opened it.
    QMetaObject::invokeMethod(
        m_context, [this] { m_store.reset(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool StoreReader::open(const QString &dataDir, const QString &databaseUrl, QString *error)
{
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
    bool opened = false;
    QMetaObject::invokeMethod(
        m_context,
        [&] {
            m_store = std::make_unique<ConfigStore>();
            opened = m_store->open(dataDir, databaseUrl, error);
            if (!opened)
                m_store.reset();
        },
        Qt::BlockingQueuedConnection);
    return opened;
}

void StoreReader::run(std::function<void(ConfigStore &)> job)
{
    QMetaObject::invokeMethod(
        m_context,
        [this, job = std::move(job)] {
            if (m_store)
                job(*m_store);
        },
        Qt::QueuedConnection);
}

} // namespace push::config
