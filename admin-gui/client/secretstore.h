#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace console {

// Secrets (client secrets, pasted tokens) in the operating system's keychain through
// QtKeychain: the Secret Service (GNOME Keyring, KWallet) on Linux, the Credential Manager
// on Windows, the Keychain on macOS. Never in QSettings or a file. The environment
// variable PUSH_CONSOLE_SECRETS=memory selects a process-local store instead: for tests
// on machines without any keychain service, which then say so.
class SecretStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)

public:
    explicit SecretStore(QObject *parent = nullptr);

    bool isKeychain() const { return !m_memory; }
    QString backendName() const;

    // Each `done` runs on `context`'s thread, and not at all once `context` is gone (a
    // keychain may take its time: an unlock prompt).
    // `done` gets an empty error on success.
    void write(const QString &key, const QString &secret, QObject *context,
               std::function<void(const QString &error)> done);
    // `done` gets the secret, or an error (also when there is none).
    void read(const QString &key, QObject *context,
              std::function<void(const QString &secret, const QString &error)> done);
    void remove(const QString &key, QObject *context = nullptr,
                std::function<void(const QString &error)> done = {});

    static constexpr auto kService = "push-console";

private:
    bool m_memory = false;
    QHash<QString, QString> m_values; // the memory store only
};

} // namespace console
