// The log file target of platform.h (portable: Qt only). The Windows service logs here;
// on Linux the journal reads stderr and nothing installs it.
#include "platform/platform.h"

#include <QDir>
#include <QFile>
#include <QMutex>

namespace push::platform {

namespace {
constexpr qint64 kRotateBytes = 10 * 1024 * 1024;
constexpr int kKeptFiles = 4; // push-service.1.log (newest) ... push-service.4.log

struct LogFile
{
    QMutex mutex;
    QString directory;
    QFile file;
};

LogFile &logFile()
{
    static LogFile log;
    return log;
}

QString rotatedName(const QString &directory, int n)
{
    return QDir(directory).filePath(n == 0 ? QStringLiteral("push-service.log")
                                           : QStringLiteral("push-service.%1.log").arg(n));
}

// Called with the mutex held.
bool openLog(LogFile &log)
{
    log.file.setFileName(rotatedName(log.directory, 0));
    return log.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
}

void rotate(LogFile &log)
{
    log.file.close();
    QFile::remove(rotatedName(log.directory, kKeptFiles));
    for (int n = kKeptFiles - 1; n >= 0; --n)
        QFile::rename(rotatedName(log.directory, n), rotatedName(log.directory, n + 1));
    openLog(log);
}

void writeLine(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString line = qFormatLogMessage(type, context, message);
    LogFile &log = logFile();
    {
        QMutexLocker lock(&log.mutex);
        if (log.file.isOpen()) {
            log.file.write(line.toUtf8());
            log.file.write("\n");
            log.file.flush();
            if (log.file.size() >= kRotateBytes)
                rotate(log);
        }
    }
    writeSystemLog(type, line);
}
} // namespace

bool installLogOutput(LogTarget target, const QString &directory, QString *error)
{
    if (target == LogTarget::Console) {
        qInstallMessageHandler(nullptr);
        return true;
    }
    LogFile &log = logFile();
    QMutexLocker lock(&log.mutex);
    log.directory = directory;
    if (!QDir().mkpath(directory) || !openLog(log)) {
        *error = QStringLiteral("cannot write the log file %1").arg(log.file.fileName());
        return false;
    }
    lock.unlock();
    qInstallMessageHandler(writeLine);
    return true;
}

} // namespace push::platform
