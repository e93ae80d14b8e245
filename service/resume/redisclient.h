#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

struct redisContext;
struct redisReply;

namespace push::resume {

// Where Redis is: redis://[[user]:password@]host[:port][/db] (port 6379, db 0).
struct RedisAddress
{
    QByteArray host;
    int port = 6379;
    QByteArray user;
    QByteArray password;
    int database = 0;

    // nullopt-like: false with *error for anything else.
    static bool parse(const QString &url, RedisAddress *address, QString *error);
};

struct ReplyDeleter
{
    void operator()(redisReply *reply) const;
};
using RedisReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// One blocking connection to Redis through hiredis, used on one thread. It connects on
// demand (with a timeout, then AUTH and SELECT), every command waits at most the
// timeout, and a connection that failed is dropped, to be made again by the next call.
class RedisClient
{
public:
    RedisClient(RedisAddress address, int timeoutMs);
    ~RedisClient();
    RedisClient(const RedisClient &) = delete;
    RedisClient &operator=(const RedisClient &) = delete;

    // Connected, or connects now; false with *error when Redis cannot be reached. A
    // connection idle for a second is checked first (PING), so that a command is not sent
    // on one Redis closed meanwhile (it restarted): nothing is sent twice.
    bool ensure(QString *error);
    bool isConnected() const { return m_context != nullptr; }
    // How long a command may wait for its answer (XREAD BLOCK needs more than its block).
    void setTimeout(int ms);
    // Sends every command, then reads every answer: one round trip. Empty (and the
    // connection dropped) when the connection failed; an answer may be a Redis error.
    std::vector<RedisReplyPtr> pipeline(const QList<QList<QByteArray>> &commands, QString *error);
    RedisReplyPtr command(const QList<QByteArray> &arguments, QString *error);
    void drop();

private:
    RedisAddress m_address;
    int m_timeoutMs;
    redisContext *m_context = nullptr;
    QElapsedTimer m_idle; // since the last answer
    bool connect(QString *error);
    std::vector<RedisReplyPtr> exchange(const QList<QList<QByteArray>> &commands, QString *error);
};

// Reading answers.
bool isError(const redisReply *reply);
QByteArray textOf(const redisReply *reply); // a string, status or error; empty otherwise
// A reply's sub-element, or nullptr when `reply` is not an array that long.
const redisReply *elementOf(const redisReply *reply, size_t index);

} // namespace push::resume
