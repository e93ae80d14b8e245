#include "systemd.h"

#include <QByteArray>
#include <QList>

#ifdef PUSH_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif
#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace push::app::systemd {

namespace {
bool notify(const QByteArray &state)
{
#ifdef PUSH_HAVE_SYSTEMD
    return sd_notify(0, state.constData()) > 0;
#else
    Q_UNUSED(state);
    return false;
#endif
}
} // namespace

bool notifyReady(const QString &status)
{
    QByteArray text = status.toUtf8();
    text.replace('\n', ' ');
    return notify(QByteArrayLiteral("READY=1\nSTATUS=") + text);
}

void notifyReloading()
{
    notify(QByteArrayLiteral("RELOADING=1\nSTATUS=reloading settings"));
}

void notifyStopping()
{
    notify(QByteArrayLiteral("STOPPING=1\nSTATUS=stopping"));
}

bool stderrIsJournal()
{
#ifdef Q_OS_UNIX
    // "DEVICE:INODE" of the stream systemd connected; stderr may have been redirected since.
    const QByteArray value = qgetenv("JOURNAL_STREAM");
    const QList<QByteArray> parts = value.split(':');
    if (parts.size() != 2)
        return false;
    struct stat st = {};
    if (fstat(2, &st) != 0)
        return false;
    bool okDev = false;
    bool okIno = false;
    const qulonglong dev = parts.at(0).toULongLong(&okDev);
    const qulonglong ino = parts.at(1).toULongLong(&okIno);
    return okDev && okIno && dev == qulonglong(st.st_dev) && ino == qulonglong(st.st_ino);
#else
    return false;
#endif
}

QString messagePattern(bool journal)
{
    if (journal)
        return QStringLiteral(
            "%{if-debug}<7>%{endif}%{if-info}<6>%{endif}%{if-warning}<4>%{endif}"
            "%{if-critical}<3>%{endif}%{if-fatal}<2>%{endif}%{category}: %{message}");
    return QStringLiteral(
        "%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}"
        "%{if-warning}warn%{endif}%{if-critical}error%{endif}%{if-fatal}fatal%{endif} "
        "%{category}: %{message}");
}

} // namespace push::app::systemd
