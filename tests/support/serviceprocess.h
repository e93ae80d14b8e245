#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

// The real push-service binary, started on 127.0.0.1 port 0 with a temporary data
// directory, for integration tests. Its log is kept and printed when a test fails.
class ServiceProcess
{
public:
    ServiceProcess();
    ~ServiceProcess();

    QString dataDir() const { return m_dataDir.path(); }
    // Extra environment for the service (set before start()).
    void setEnv(const QString &name, const QString &value) { m_env.insert(name, value); }

    // Runs `push-service <arguments> --data-dir <dir>` to completion (tenant/config
    // commands); returns its exit code, output in *output.
    int admin(const QStringList &arguments, QByteArray *output = nullptr) const;
    // Writes `document` to a file and runs `config set`; scope is "--core" or a tenant.
    bool setConfiguration(const QString &tenant, const QJsonObject &document) const;

    bool start(const QStringList &extraArguments = {});
    void stop(); // SIGTERM, then waits
    bool isRunning() const;
    qint64 pid() const;
    int exitCode() const;
    quint16 port() const { return m_port; }
    QUrl url(const QString &pathAndQuery) const;
    QByteArray log() const { return m_log; }

    // Resident memory of the service process in KiB (Linux /proc), or -1.
    qint64 residentKiB() const;

    // Blocking helpers over one-shot HTTP (QNetworkAccessManager in a local loop).
    struct Reply
    {
        int status = 0;
        QByteArray body;
        QJsonObject json() const;
    };
    Reply get(const QString &pathAndQuery,
              const QList<QPair<QByteArray, QByteArray>> &headers = {}) const;
    Reply post(const QString &pathAndQuery, const QByteArray &body,
               const QByteArray &contentType = "application/json") const;
    Reply request(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                  const QList<QPair<QByteArray, QByteArray>> &headers) const;
    // A development-issuer token: `push-service token <arguments> --data-dir <dir>`.
    QByteArray token(const QStringList &arguments) const;
    // POSTs a domain event for a tenant (id or name, as tenantId) with a core sender's
    // token, and returns the reply.
    Reply publish(const QString &tenant, const QJsonObject &event) const;

    static QJsonObject event(const QString &eventNamespace, const QString &name,
                             const QJsonObject &payload, const QString &correlationId = {},
                             const QJsonObject &context = {});

private:
    QTemporaryDir m_dataDir;
    QProcessEnvironment m_env;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_log;
    quint16 m_port = 0;
    mutable QByteArray m_senderToken;
};
