#include "amqpbus.h"

#include "bus/amqpconnection.h"
#include "bus/amqptable.h"
#include "shared/logthrottle.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QUrl>
#include <QUuid>

#if __has_include(<rabbitmq-c/amqp.h>) // see amqptable.h
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/ssl_socket.h>
#include <rabbitmq-c/tcp_socket.h>
#else
#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#endif

#include <algorithm>
#include <cstring>

Q_LOGGING_CATEGORY(lcBus, "push.bus")

namespace push::bus {

// An instance's queue outlives a broker restart (durable) but not the instance for long:
// the broker deletes it after this long without a consumer.
constexpr int kQueueExpiresMs = 5 * 60 * 1000;

QString bindAndConsume(amqp_connection_state_t state, amqp_channel_t channel, amqp_bytes_t queue,
                       const QByteArray &exchange, qint64 prefetch, const char *consumerTag,
                       bool exclusive)
{
    amqp_queue_bind(state, channel, queue, bytesOf(exchange), amqp_cstring_bytes("#"),
                    amqp_empty_table);
    QString failure = replyError(amqp_get_rpc_reply(state), "queue.bind");
    if (failure.isEmpty()) {
        amqp_basic_qos(state, channel, 0, uint16_t(std::clamp<qint64>(prefetch, 1, 65535)), 0);
        failure = replyError(amqp_get_rpc_reply(state), "basic.qos");
    }
    if (failure.isEmpty()) {
        amqp_basic_consume(state, channel, queue, amqp_cstring_bytes(consumerTag), 0, 0,
                           exclusive ? 1 : 0, amqp_empty_table);
        failure = replyError(amqp_get_rpc_reply(state), "basic.consume");
    }
    return failure;
}

QString replyError(const amqp_rpc_reply_t &reply, const char *what)
{
    switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return QString();
    case AMQP_RESPONSE_NONE:
        return QStringLiteral("%1: missing reply").arg(QLatin1String(what));
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        return QStringLiteral("%1: %2").arg(
            QLatin1String(what), QString::fromLatin1(amqp_error_string2(reply.library_error)));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            const auto *m = static_cast<amqp_connection_close_t *>(reply.reply.decoded);
            return QStringLiteral("%1: broker closed the connection: %2 %3")
                .arg(QLatin1String(what))
                .arg(m->reply_code)
                .arg(QString::fromUtf8(static_cast<const char *>(m->reply_text.bytes),
                                       int(m->reply_text.len)));
        }
        if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            const auto *m = static_cast<amqp_channel_close_t *>(reply.reply.decoded);
            return QStringLiteral("%1: broker closed the channel: %2 %3")
                .arg(QLatin1String(what))
                .arg(m->reply_code)
                .arg(QString::fromUtf8(static_cast<const char *>(m->reply_text.bytes),
                                       int(m->reply_text.len)));
        }
        return QStringLiteral("%1: broker error, method 0x%2")
            .arg(QLatin1String(what))
            .arg(reply.reply.id, 8, 16, QLatin1Char('0'));
    }
    return QStringLiteral("%1: unknown reply").arg(QLatin1String(what));
}

namespace {

struct ParsedUrl
{
    QByteArray host, user, password, vhost;
    int port = 5672;
    bool tls = false;
};

bool parseUrl(const QString &text, ParsedUrl *out, QString *error)
{
    QByteArray buffer = text.toUtf8();
    amqp_connection_info info{};
    if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
        *error = QStringLiteral("the AMQP URL '%1' is not amqp://user:password@host:port/vhost")
                     .arg(QUrl(text).toDisplayString(QUrl::RemovePassword));
        return false;
    }
    out->host = info.host;
    out->user = info.user;
    out->password = info.password;
    out->vhost = info.vhost;
    if (out->vhost.isEmpty())
        out->vhost = "/"; // "amqp://host/" names the default virtual host too
    out->port = info.port;
    out->tls = info.ssl != 0;
    return true;
}

} // namespace

AmqpBus::AmqpBus(BusSettings settings, EventHandler onEvent, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_onEvent(std::move(onEvent))
    , m_queueName("push-service." + QUuid::createUuid().toString(QUuid::Id128).left(12).toLatin1())
{}

AmqpBus::~AmqpBus()
{
    stop();
}

QString AmqpBus::stateName(State state)
{
    switch (state) {
    case State::Connected:
        return QStringLiteral("connected");
    case State::Connecting:
        return QStringLiteral("connecting");
    case State::Disconnected:
        break;
    }
    return QStringLiteral("disconnected");
}

QString AmqpBus::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

bool AmqpBus::start(QString *error)
{
    ParsedUrl url;
    if (!parseUrl(m_settings.url, &url, error))
        return false;
    if (!m_waiter.open(error))
        return false;
    m_thread = std::thread([this] { run(); });
    return true;
}

void AmqpBus::stop()
{
    if (!m_thread.joinable())
        return;
    m_stopping = true;
    wake();
    m_thread.join();
    failPending(QStringLiteral("the service is shutting down"));
    m_waiter.close();
}

void AmqpBus::wake()
{
    m_wakeup.notify_all();
    m_waiter.wake();
}

bool AmqpBus::sleepFor(int milliseconds)
{
    std::unique_lock lock(m_mutex);
    m_wakeup.wait_for(lock, std::chrono::milliseconds(milliseconds),
                      [this] { return m_stopping.load(); });
    return !m_stopping;
}

void AmqpBus::setState(State state, const QString &error)
{
    {
        std::lock_guard lock(m_mutex);
        if (!error.isEmpty())
            m_lastError = error;
        else if (state == State::Connected)
            m_lastError.clear();
    }
    if (m_state.exchange(state) != state)
        emit stateChanged(state);
}

void AmqpBus::recordError(const QString &error)
{
    std::lock_guard lock(m_mutex);
    m_lastError = error;
}

void AmqpBus::publish(const DomainEvent &event, const QByteArray &traceparent, PublishDone done)
{
    Outgoing outgoing{routingKey(event),
                      QJsonDocument(event.payload.toObject()).toJson(QJsonDocument::Compact), event,
                      traceparent, std::move(done)};
    QString refusal;
    {
        std::lock_guard lock(m_mutex);
        if (m_state.load() != State::Connected)
            refusal = QStringLiteral("the event bus is not connected (%1)")
                          .arg(m_lastError.isEmpty() ? stateName(m_state.load()) : m_lastError);
        else if (int(m_outgoing.size()) >= m_settings.maxPendingPublishes)
            refusal = QStringLiteral("the event bus has %1 events waiting; try again")
                          .arg(m_outgoing.size());
        if (refusal.isEmpty())
            m_outgoing.push_back(std::move(outgoing));
    }
    if (!refusal.isEmpty()) {
        finish(outgoing, false, refusal);
        return;
    }
    wake();
}

void AmqpBus::finish(Outgoing &outgoing, bool ok, const QString &error)
{
    if (outgoing.done)
        outgoing.done(ok, error);
}

void AmqpBus::failPending(const QString &reason)
{
    std::deque<Outgoing> failed;
    {
        std::lock_guard lock(m_mutex);
        failed.swap(m_outgoing);
    }
    for (Outgoing &outgoing : failed)
        finish(outgoing, false, reason);
}

void AmqpBus::run()
{
    ParsedUrl url;
    QString error;
    parseUrl(m_settings.url, &url, &error); // checked in start()
    const QString where = QStringLiteral("%1:%2%3")
                              .arg(QString::fromUtf8(url.host))
                              .arg(url.port)
                              .arg(url.tls ? QStringLiteral(" (TLS)") : QString());
    constexpr int kFirstBackoffMs = 250;
    int backoffMs = kFirstBackoffMs;
    int failures = 0;
    LogThrottle refusedLog(std::chrono::seconds(30));
    while (!m_stopping) {
        setState(State::Connecting);
        Connection connection;
        connection.generation = ++m_generation;
        QString failure = connect(connection, where);
        if (failure.isEmpty()) {
            if (failures > 0)
                ++m_reconnects;
            failures = 0;
            backoffMs = kFirstBackoffMs;
            setState(State::Connected);
            qCInfo(lcBus).noquote()
                << "connected to" << where << "exchange" << m_settings.exchange << "queue"
                << QString::fromLatin1(m_queueName) << "prefetch" << m_settings.prefetch
                << "heartbeat" << m_settings.heartbeatSeconds << "s";
            failure = serve(connection) ? QString() : lastError();
            if (!failure.isEmpty())
                connection.loggedIn = false; // broken or closed: no polite close
            else if (m_stopping) {
                // Stopping for good: the queue would only collect events until it expires.
                amqp_queue_delete(connection.state, kConsumeChannel, connection.queue, 0, 0);
                amqp_get_rpc_reply(connection.state);
            }
            failUnconfirmed(connection,
                            m_stopping ? QStringLiteral("the service is shutting down")
                                       : QStringLiteral("the event bus connection was lost before "
                                                        "the broker confirmed the event: %1")
                                             .arg(failure));
            if (m_stopping)
                break;
            qCWarning(lcBus).noquote() << "lost the broker at" << where << ":" << failure;
        } else {
            connection.loggedIn = false;
            if (const int held = refusedLog.allow(); held >= 0)
                qCWarning(lcBus).noquote() << failure << "- retrying in" << backoffMs << "ms"
                                           << LogThrottle::suppressed(held);
        }
        ++failures;
        m_sharedActive = false;
        setState(State::Disconnected, failure);
        failPending(QStringLiteral("the event bus connection was lost: %1").arg(failure));
        if (!sleepFor(backoffMs))
            break;
        backoffMs = std::min(backoffMs * 2, std::max(m_settings.maxBackoffMs, kFirstBackoffMs));
    }
    m_sharedActive = false;
    setState(State::Disconnected, QStringLiteral("stopped"));
}

QString AmqpBus::connect(Connection &connection, const QString &where)
{
    ParsedUrl url;
    QString failure;
    parseUrl(m_settings.url, &url, &failure);
    amqp_socket_t *socket =
        url.tls ? amqp_ssl_socket_new(connection.state) : amqp_tcp_socket_new(connection.state);
    if (url.tls && socket) {
        const QByteArray ca = qgetenv("PUSH_AMQP_CA_FILE");
        const char *bundle = ca.isEmpty() ? "/etc/ssl/certs/ca-certificates.crt" : ca.constData();
        amqp_ssl_socket_set_cacert(socket, bundle);
        amqp_ssl_socket_set_verify_peer(socket, 1);
        amqp_ssl_socket_set_verify_hostname(socket, 1);
    }
    // A broker that accepts the TCP connection but never answers (stopped) must not hold
    // the bus thread: the handshake and every set-up call give up after this.
    timeval timeout{std::max(2, m_settings.heartbeatSeconds), 0};
    amqp_set_handshake_timeout(connection.state, &timeout);
    amqp_set_rpc_timeout(connection.state, &timeout);
    timeval connectTimeout{10, 0};
    if (!socket)
        return QStringLiteral("cannot create a socket");
    if (const int status =
            amqp_socket_open_noblock(socket, url.host.constData(), url.port, &connectTimeout);
        status != AMQP_STATUS_OK)
        return QStringLiteral("cannot connect to %1: %2")
            .arg(where, QString::fromLatin1(amqp_error_string2(status)));
    // A dead peer (host gone, cable cut) is noticed by the kernel within seconds too.
    platform::setTcpKeepAlive(amqp_get_sockfd(connection.state), 5, 2, 3);
    failure = replyError(amqp_login(connection.state, url.vhost.constData(), 0, 131072,
                                    m_settings.heartbeatSeconds, AMQP_SASL_METHOD_PLAIN,
                                    url.user.constData(), url.password.constData()),
                         "login");
    if (!failure.isEmpty())
        return failure;
    connection.loggedIn = true;
    const QByteArray exchange = m_settings.exchange.toUtf8();
    failure = openOwn(connection, exchange);
    if (failure.isEmpty() && !m_settings.sharedQueue.isEmpty())
        openShared(connection, exchange);
    if (failure.isEmpty() && !m_settings.bufferQueue.isEmpty())
        failure = openBuffer(connection, exchange);
    if (failure.isEmpty()) {
        amqp_channel_open(connection.state, kPublishChannel);
        failure = replyError(amqp_get_rpc_reply(connection.state), "channel.open");
    }
    if (failure.isEmpty()) {
        amqp_confirm_select(connection.state, kPublishChannel);
        failure = replyError(amqp_get_rpc_reply(connection.state), "confirm.select");
    }
    return failure;
}

// The exchange, this instance's queue bound to it, and the consumer (channel 1).
QString AmqpBus::openOwn(Connection &connection, const QByteArray &exchange)
{
    QString failure;
    amqp_channel_open(connection.state, kConsumeChannel);
    failure = replyError(amqp_get_rpc_reply(connection.state), "channel.open");
    if (failure.isEmpty()) {
        amqp_exchange_declare(connection.state, kConsumeChannel, bytesOf(exchange),
                              amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
        failure = replyError(amqp_get_rpc_reply(connection.state), "exchange.declare");
    }
    if (failure.isEmpty()) {
        // Durable, so that what the broker confirmed survives its restart; named, so that
        // this instance finds it again after reconnecting.
        amqp_table_entry_t expires;
        expires.key = amqp_cstring_bytes("x-expires");
        expires.value.kind = AMQP_FIELD_KIND_I32;
        expires.value.value.i32 = kQueueExpiresMs;
        const amqp_table_t arguments{1, &expires};
        amqp_queue_declare_ok_t *declared = amqp_queue_declare(
            connection.state, kConsumeChannel, bytesOf(m_queueName), 0, 1, 0, 0, arguments);
        failure = replyError(amqp_get_rpc_reply(connection.state), "queue.declare");
        if (failure.isEmpty())
            connection.queue = amqp_bytes_malloc_dup(declared->queue);
    }
    if (failure.isEmpty()) {
        failure = bindAndConsume(connection.state, kConsumeChannel, connection.queue, exchange,
                                 m_settings.prefetch, kOwnConsumer, true);
    }
    return failure;
}

} // namespace push::bus
