#include "redisclient.h"

#include <QUrl>

#include <hiredis/hiredis.h>

namespace push::resume {

namespace {

timeval timevalOf(int ms)
{
    return timeval{ms / 1000, (ms % 1000) * 1000};
}

} // namespace

bool RedisAddress::parse(const QString &text, RedisAddress *address, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("redis") || url.host().isEmpty()) {
        *error = QStringLiteral("not a redis://host[:port][/db] URL: %1")
                     .arg(url.toDisplayString(QUrl::RemovePassword));
        return false;
    }
    RedisAddress parsed;
    parsed.host = url.host().toUtf8();
    parsed.port = url.port(6379);
    parsed.user = url.userName(QUrl::FullyDecoded).toUtf8();
    parsed.password = url.password(QUrl::FullyDecoded).toUtf8();
    const QString path = url.path().mid(1);
    if (!path.isEmpty()) {
        bool ok = false;
        parsed.database = path.toInt(&ok);
        if (!ok || parsed.database < 0) {
            *error = QStringLiteral("the database in a Redis URL is a number: %1").arg(path);
            return false;
        }
    }
    *address = parsed;
    return true;
}

void ReplyDeleter::operator()(redisReply *reply) const
{
    freeReplyObject(reply);
}

RedisClient::RedisClient(RedisAddress address, int timeoutMs)
    : m_address(std::move(address))
    , m_timeoutMs(timeoutMs)
{}

RedisClient::~RedisClient()
{
    drop();
}

void RedisClient::drop()
{
    if (m_context)
        redisFree(m_context);
    m_context = nullptr;
}

void RedisClient::setTimeout(int ms)
{
    m_timeoutMs = ms;
    if (m_context)
        redisSetTimeout(m_context, timevalOf(ms));
}

bool RedisClient::ensure(QString *error)
{
    if (m_context && m_idle.isValid() && m_idle.elapsed() > 1000) {
        QString ignored;
        const std::vector<RedisReplyPtr> pong = exchange({{"PING"}}, &ignored);
        if (pong.empty() || isError(pong.front().get()))
            drop();
    }
    return m_context || connect(error);
}

bool RedisClient::connect(QString *error)
{
    redisContext *context =
        redisConnectWithTimeout(m_address.host.constData(), m_address.port, timevalOf(m_timeoutMs));
    if (!context || context->err) {
        *error = QStringLiteral("cannot connect to Redis at %1:%2: %3")
                     .arg(QString::fromUtf8(m_address.host))
                     .arg(m_address.port)
                     .arg(context ? QString::fromUtf8(context->errstr)
                                  : QStringLiteral("out of memory"));
        if (context)
            redisFree(context);
        return false;
    }
    redisSetTimeout(context, timevalOf(m_timeoutMs));
    m_context = context;
    m_idle.start();
    QList<QList<QByteArray>> setup;
    if (!m_address.password.isEmpty()) {
        if (m_address.user.isEmpty())
            setup.append({"AUTH", m_address.password});
        else
            setup.append({"AUTH", m_address.user, m_address.password});
    }
    if (m_address.database != 0)
        setup.append({"SELECT", QByteArray::number(m_address.database)});
    if (setup.isEmpty())
        return true;
    const std::vector<RedisReplyPtr> replies = exchange(setup, error);
    for (const RedisReplyPtr &reply : replies) {
        if (isError(reply.get())) {
            *error = QStringLiteral("Redis refused the connection's set-up: %1")
                         .arg(QString::fromUtf8(textOf(reply.get())));
            drop();
            return false;
        }
    }
    return m_context != nullptr;
}

std::vector<RedisReplyPtr> RedisClient::pipeline(const QList<QList<QByteArray>> &commands,
                                                 QString *error)
{
    if (!ensure(error))
        return {};
    return exchange(commands, error);
}

std::vector<RedisReplyPtr> RedisClient::exchange(const QList<QList<QByteArray>> &commands,
                                                 QString *error)
{
    std::vector<RedisReplyPtr> replies;
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    for (const QList<QByteArray> &command : commands) {
        argv.clear();
        lengths.clear();
        for (const QByteArray &argument : command) {
            argv.push_back(argument.constData());
            lengths.push_back(size_t(argument.size()));
        }
        if (redisAppendCommandArgv(m_context, int(argv.size()), argv.data(), lengths.data()) !=
            REDIS_OK)
            break;
    }
    for (qsizetype i = 0; i < commands.size() && !m_context->err; ++i) {
        void *reply = nullptr;
        if (redisGetReply(m_context, &reply) != REDIS_OK || !reply)
            break;
        replies.emplace_back(static_cast<redisReply *>(reply));
    }
    if (replies.size() != size_t(commands.size())) {
        *error = QStringLiteral("Redis connection lost: %1")
                     .arg(m_context->err ? QString::fromUtf8(m_context->errstr)
                                         : QStringLiteral("no answer"));
        replies.clear();
        drop();
        return replies;
    }
    m_idle.start();
    return replies;
}

RedisReplyPtr RedisClient::command(const QList<QByteArray> &arguments, QString *error)
{
    std::vector<RedisReplyPtr> replies = pipeline({arguments}, error);
    return replies.empty() ? RedisReplyPtr() : std::move(replies.front());
}

bool isError(const redisReply *reply)
{
    return !reply || reply->type == REDIS_REPLY_ERROR;
}

QByteArray textOf(const redisReply *reply)
{
    if (!reply)
        return {};
    if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS ||
        reply->type == REDIS_REPLY_ERROR)
        return QByteArray(reply->str, qsizetype(reply->len));
    return {};
}

const redisReply *elementOf(const redisReply *reply, size_t index)
{
    if (!reply || reply->type != REDIS_REPLY_ARRAY || index >= reply->elements)
        return nullptr;
    return reply->element[index];
}

} // namespace push::resume
