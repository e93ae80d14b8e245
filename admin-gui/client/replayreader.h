#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

namespace console {

class ApiReply;
class ServiceClient;

// Reads a stream's replay log (docs/resume.md, "Polling") through
// GET /stream/v1/streams/{stream}/events, page after page through `next`, until nothing is
// newer, `cap` items were read, the service answers a reset, a call fails, or cancel().
// A reset ends the replay: it is reported with its reason, never read on from the head.
//
// From a time: a first read without `after` answers the tenant's head, whose epoch names the
// log; the replay then starts after cursorBefore(epoch, time).
class ReplayReader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayReader)

public:
    enum class Outcome { Done, Capped, Reset, Failed, Cancelled };

    struct Request
    {
        QString stream;
        QString tenant;   // ?tenant= (empty: the token's tenant)
        QString criteria; // ?criteria= (JSON; empty: none)
        QByteArray after; // from this cursor on (exclusive)...
        QDateTime since;  // ...or, when valid, from this time on (inclusive)
        int cap = 1000;   // items at most
    };

    // The largest page the service reads (top).
    static constexpr int kPageSize = 200;

    explicit ReplayReader(ServiceClient &client, QObject *parent = nullptr);

    void start(const Request &request);
    void cancel();
    bool running() const { return m_running; }
    int itemCount() const { return m_read; }
    // Where the replay stands: the last `next` (after a reset: the head of the log).
    const QByteArray &next() const { return m_next; }
    // The reason of the reset that ended the replay, else empty.
    const QString &resetReason() const { return m_reset; }

    // The cursor of the log `epoch` that the entries appended at `time` (to the
    // millisecond) and later come after.
    static QByteArray cursorBefore(const QString &epoch, const QDateTime &time);
    // What a reset reason means, for the person.
    static QString explainReset(const QString &reason);

signals:
    void itemsRead(const QList<QJsonObject> &items);
    void finished(console::ReplayReader::Outcome outcome, const QString &message);

private:
    // A page after `after`; an empty `after` reads the head only.
    void readPage(const QByteArray &after);
    void onPage(ApiReply *reply, const QByteArray &after);
    void finish(Outcome outcome, const QString &message);

    ServiceClient &m_client;
    Request m_request;
    QPointer<ApiReply> m_reply;
    QByteArray m_next;
    QString m_reset;
    int m_read = 0;
    bool m_running = false;
};

} // namespace console
