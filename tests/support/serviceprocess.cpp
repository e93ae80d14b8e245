#include "serviceprocess.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QTimer>
#include <QtTest>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

ServiceProcess::ServiceProcess()
    : m_env(QProcessEnvironment::systemEnvironment())
{}

ServiceProcess::~ServiceProcess()
{
    stop();
}

int ServiceProcess::admin(const QStringList &arguments, QByteArray *output) const
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(PUSH_SERVICE_BINARY),
                  arguments + QStringList{QStringLiteral("--data-dir"), dataDir()});
    if (!process.waitForFinished(30000))
        return -1;
    if (output)
        *output = process.readAll();
    return process.exitCode();
}

bool ServiceProcess::setConfiguration(const QString &tenant, const QJsonObject &document) const
{
    QTemporaryFile file;
    if (!file.open())
        return false;
    file.write(QJsonDocument(document).toJson());
    file.flush();
    QStringList arguments{QStringLiteral("config"), QStringLiteral("set")};
    if (tenant == QLatin1String("--core"))
        arguments << QStringLiteral("--core");
    else
        arguments << QStringLiteral("--tenant") << tenant;
    arguments << file.fileName();
    QByteArray output;
    const int code = admin(arguments, &output);
    if (code != 0)
        qWarning().noquote() << "config set failed:" << output;
    return code == 0;
}

bool ServiceProcess::start(const QStringList &extraArguments)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessEnvironment(m_env);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_log.clear();
    m_port = 0;
    m_process->start(QStringLiteral(PUSH_SERVICE_BINARY),
                     QStringList{QStringLiteral("--port"), QStringLiteral("0"),
                                 QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                                 QStringLiteral("--data-dir"), dataDir()} +
                         extraArguments);
    if (!m_process->waitForStarted(10000))
        return false;
    static const QRegularExpression listening(QStringLiteral("listening on http://[^:]+:(\\d+)"));
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
        m_process->waitForReadyRead(200);
        m_log += m_process->readAll();
        const auto match = listening.match(QString::fromUtf8(m_log));
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            break;
        }
    }
    QObject::connect(m_process.get(), &QProcess::readyRead, m_process.get(),
                     [this] { m_log += m_process->readAll(); });
    if (m_port == 0)
        qWarning().noquote() << "push-service did not start:\n" << m_log;
    return m_port != 0;
}

void ServiceProcess::stop()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
#ifdef Q_OS_UNIX
    ::kill(pid_t(m_process->processId()), SIGTERM);
#else
    m_process->terminate();
#endif
    if (!m_process->waitForFinished(10000)) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_log += m_process->readAll();
}

bool ServiceProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

qint64 ServiceProcess::pid() const
{
    return m_process ? m_process->processId() : -1;
}

int ServiceProcess::exitCode() const
{
    return m_process ? m_process->exitCode() : -1;
}

QUrl ServiceProcess::url(const QString &pathAndQuery) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery));
}

qint64 ServiceProcess::residentKiB() const
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid()));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

QJsonObject ServiceProcess::Reply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

ServiceProcess::Reply
ServiceProcess::request(const QByteArray &method, const QString &pathAndQuery,
                        const QByteArray &body,
                        const QList<QPair<QByteArray, QByteArray>> &headers) const
{
    QNetworkAccessManager manager;
    QNetworkRequest request(url(pathAndQuery));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = manager.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(15000, &loop, &QEventLoop::quit);
    loop.exec();
    Reply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    reply->deleteLater();
    return result;
}

ServiceProcess::Reply ServiceProcess::get(const QString &pathAndQuery,
                                          const QList<QPair<QByteArray, QByteArray>> &headers) const
{
    return request("GET", pathAndQuery, {}, headers);
}

ServiceProcess::Reply ServiceProcess::post(const QString &pathAndQuery, const QByteArray &body,
                                           const QByteArray &contentType) const
{
    return request("POST", pathAndQuery, body, {{"Content-Type", contentType}});
}

QByteArray ServiceProcess::token(const QStringList &arguments) const
{
    QProcess process;
    process.start(QStringLiteral(PUSH_SERVICE_BINARY),
                  QStringList{QStringLiteral("token")} + arguments +
                      QStringList{QStringLiteral("--data-dir"), dataDir()});
    if (!process.waitForFinished(30000) || process.exitCode() != 0) {
        qWarning().noquote() << "push-service token failed:" << process.readAllStandardError();
        return {};
    }
    return process.readAllStandardOutput().trimmed();
}

ServiceProcess::Reply ServiceProcess::publish(const QString &tenant, const QJsonObject &event) const
{
    if (m_senderToken.isEmpty())
        m_senderToken = token({QStringLiteral("--core"), QStringLiteral("--sub"),
                               QStringLiteral("test-publisher"), QStringLiteral("--roles"),
                               QStringLiteral("urn:ads:platform:event-service:event-sender")});
    QJsonObject body = event;
    body.insert(QStringLiteral("tenantId"), tenant);
    return request(
        "POST", QStringLiteral("/event/v1/events"),
        QJsonDocument(body).toJson(QJsonDocument::Compact),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + m_senderToken}});
}

QJsonObject ServiceProcess::event(const QString &eventNamespace, const QString &name,
                                  const QJsonObject &payload, const QString &correlationId,
                                  const QJsonObject &context)
{
    QJsonObject event{
        {QStringLiteral("namespace"), eventNamespace},
        {QStringLiteral("name"), name},
        {QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("payload"), payload}};
    if (!correlationId.isEmpty())
        event.insert(QStringLiteral("correlationId"), correlationId);
    if (!context.isEmpty())
        event.insert(QStringLiteral("context"), context);
    return event;
}
