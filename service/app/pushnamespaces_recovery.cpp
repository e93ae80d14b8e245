// socket.io connection state recovery on the replay log (docs/resume.md, "socket.io"): the
// pid a recoverable session gets, and what a CONNECT that brings one back is answered.
#include "pushnamespaces.h"

#include "app/recoverytoken.h"
#include "http/worker.h"
#include "metrics/metrics.h"
#include "resume/replaylog.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcSio)

namespace push::app {

using socketio::ConnectRequest;
using socketio::ConnectResult;

namespace {

// socket.io-client's offsets are the cursors this service sent: short.
constexpr qsizetype kMaxOffsetLength = 256;

void refused(std::atomic<quint64> &counter, const ConnectRequest &request, const QString &why)
{
    ++counter;
    qCInfo(lcSio).noquote() << "session" << request.sessionId << "on" << request.nsp
                            << "not recovered:" << why;
}

} // namespace

std::optional<RecoveryToken> PushNamespaces::claimedSession(const ConnectRequest &request,
                                                            const Admitted &admitted) const
{
    const QJsonValue pid = request.auth.value(QStringLiteral("pid"));
    if (pid.isUndefined())
        return std::nullopt; // a new client
    metrics::Registry &counters = metrics::registry();
    const QString text = pid.toString();
    if (!pid.isString() || text.size() > RecoveryToken::kMaxLength) {
        refused(counters.sioRecoveryInvalid, request, QStringLiteral("the pid is not ours"));
        return std::nullopt;
    }
    QString why;
    std::optional<RecoveryToken> token =
        RecoveryToken::verify(text.toLatin1(), m_recovery.key, &why);
    if (!token) {
        refused(counters.sioRecoveryInvalid, request, QStringLiteral("the pid: %1").arg(why));
        return std::nullopt;
    }
    const QJsonValue offset = request.auth.value(QStringLiteral("offset"));
    if (!offset.isUndefined() && !offset.isNull() &&
        (!offset.isString() || offset.toString().size() > kMaxOffsetLength ||
         !Cursor::parse(offset.toString().toLatin1()))) {
        refused(counters.sioRecoveryInvalid, request, QStringLiteral("the offset is no cursor"));
        return std::nullopt;
    }
    // Restored only as what it was: the same namespace, stream, criteria and user (the
    // token and the access rules were checked again, as for any CONNECT).
    if (token->nsp != request.nsp || token->stream != admitted.streamId ||
        token->criteria != admitted.criteriaText || token->user != admitted.userId) {
        refused(counters.sioRecoveryMismatch, request,
                QStringLiteral("the pid is of another namespace, stream, criteria or user"));
        return std::nullopt;
    }
    return token;
}

void PushNamespaces::connectRecoverable(const ConnectRequest &request, Admitted admitted, Done done)
{
    std::optional<RecoveryToken> claimed = claimedSession(request, admitted);
    // The log's epoch, watermark and head (no entries): where a new session begins, and
    // whether a claimed one's place is still there. Read on the log's reader thread,
    // answered on the session's worker (`done` runs there).
    http::Worker *worker = request.worker;
    const QString tenantUrn = admitted.tenantUrn; // read before `admitted` moves
    m_recovery.log->read(
        tenantUrn, std::nullopt, 0,
        [this, worker, request, admitted = std::move(admitted), claimed = std::move(claimed),
         done = std::move(done)](bool ok, const resume::LogView &read, const QString &error) {
            resume::LogView view;
            view.epoch = read.epoch;
            view.head = read.head;
            view.watermark = read.watermark;
            worker->run([this, ok, view, error, request, admitted, claimed, done] {
                if (!ok) {
                    // Delivered as without resume: no pid, no offsets.
                    qCWarning(lcSio).noquote() << "session" << request.sessionId
                                               << "is not recoverable: the replay log cannot "
                                                  "be read:"
                                               << error;
                    if (claimed)
                        refused(metrics::registry().sioRecoveryExpired, request, error);
                    done(accept(admitted));
                    return;
                }
                done(decideRecovery(request, admitted, claimed, view));
            });
        });
}

ConnectResult PushNamespaces::decideRecovery(const ConnectRequest &request,
                                             const Admitted &admitted,
                                             const std::optional<RecoveryToken> &claimed,
                                             const resume::LogView &view)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (claimed) {
        // Where the client stands: its offset, or the session's start when it got no event
        // of this session (socket.io-client keeps an older session's offset meanwhile).
        Cursor at = claimed->start;
        const QJsonValue offset = request.auth.value(QStringLiteral("offset"));
        if (offset.isString()) {
            const std::optional<Cursor> sent = Cursor::parse(offset.toString().toLatin1());
            if (sent->epoch == at.epoch && sent->entry > at.entry)
                at = *sent;
        }
        const QByteArray cursor = at.toString();
        // socket.io counts its window from the disconnection, which another instance
        // cannot know: here from the newer of the session's start and the offset's event.
        const qint64 since = std::max(claimed->issuedMs, qint64(at.entry.ms));
        QString why;
        if (at.entry > std::max(view.head, view.watermark))
            why = QStringLiteral("the offset is past the log's head");
        else if (const char *reason = m_recovery.log->resetReason(cursor, view))
            why = QLatin1String(reason);
        else if (now - since > m_recovery.maxDisconnectionMs)
            why = QStringLiteral("disconnected for longer than %1 s")
                      .arg(m_recovery.maxDisconnectionMs / 1000);
        if (why.isEmpty()) {
            ++metrics::registry().sioRecovered;
            qCInfo(lcSio).noquote() << "session" << request.sessionId << "restores socket"
                                    << claimed->sid << "on" << request.nsp << "from" << cursor;
            ConnectResult result = accept(admitted, cursor, m_recovery.log, &m_registry);
            result.socketId = claimed->sid;
            result.connectFields.insert(QStringLiteral("pid"),
                                        request.auth.value(QStringLiteral("pid")));
            return result;
        }
        refused(metrics::registry().sioRecoveryExpired, request, why);
    }
    // A new session, from the log's head on (its newest entry, or the newest trimmed one
    // when every entry is gone): what it carries is in its pid.
    RecoveryToken token;
    token.sid = socketio::newSocketId();
    token.nsp = request.nsp;
    token.stream = admitted.streamId;
    token.criteria = admitted.criteriaText;
    token.user = admitted.userId;
    token.start = Cursor{view.epoch, std::max(view.head, view.watermark)};
    token.issuedMs = now;
    const QByteArray start = token.start.toString();
    ConnectResult result = accept(admitted, start, m_recovery.log, &m_registry);
    result.socketId = token.sid;
    result.connectFields.insert(QStringLiteral("pid"),
                                QString::fromLatin1(token.sign(m_recovery.key)));
    return result;
}

} // namespace push::app
