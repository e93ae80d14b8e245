#include "secretstore.h"

#include <qt6keychain/keychain.h>

#include <QTimer>

namespace console {

SecretStore::SecretStore(QObject *parent)
    : QObject(parent)
    , m_memory(qEnvironmentVariable("PUSH_CONSOLE_SECRETS") == QLatin1String("memory"))
{}

QString SecretStore::backendName() const
{
    return m_memory ? tr("process memory (PUSH_CONSOLE_SECRETS=memory: nothing is kept)")
                    : tr("the system keychain");
}

void SecretStore::write(const QString &key, const QString &secret, QObject *context,
                        std::function<void(const QString &)> done)
{
    if (m_memory) {
        m_values.insert(key, secret);
        QTimer::singleShot(0, context, [done] { done(QString()); });
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(QLatin1String(kService), this);
    job->setAutoDelete(true);
    job->setKey(key);
    job->setTextData(secret);
    connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job *job) {
        done(job->error() == QKeychain::NoError ? QString() : job->errorString());
    });
    job->start();
}

void SecretStore::read(const QString &key, QObject *context,
                       std::function<void(const QString &, const QString &)> done)
{
    if (m_memory) {
        const auto it = m_values.constFind(key);
        const QString value = it == m_values.constEnd() ? QString() : it.value();
        const QString error = it == m_values.constEnd() ? tr("no secret is stored") : QString();
        QTimer::singleShot(0, context, [done, value, error] { done(value, error); });
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(QLatin1String(kService), this);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job *job) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(job);
        if (job->error() == QKeychain::NoError)
            done(read->textData(), QString());
        else if (job->error() == QKeychain::EntryNotFound)
            done(QString(), tr("no secret is stored in the keychain"));
        else
            done(QString(), job->errorString());
    });
    job->start();
}

void SecretStore::remove(const QString &key, QObject *context,
                         std::function<void(const QString &)> done)
{
    if (!context)
        context = this;
    if (m_memory) {
        m_values.remove(key);
        if (done)
            QTimer::singleShot(0, context, [done] { done(QString()); });
        return;
    }
    auto *job = new QKeychain::DeletePasswordJob(QLatin1String(kService), this);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, context, [done](QKeychain::Job *job) {
        if (done)
            done(job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound
                     ? QString()
                     : job->errorString());
    });
    job->start();
}

} // namespace console
