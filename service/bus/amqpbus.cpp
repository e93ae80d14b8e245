#include "amqpbus.h"

#include "amqptable.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QUrl>

#if __has_include(<rabbitmq-c/amqp.h>) // see amqptable.h
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/ssl_socket.h>
#include <rabbitmq-c/tcp_socket.h>
#else
#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#endif

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcBus, "push.bus")

namespace push::bus {

namespace {

constexpr amqp_channel_t kConsumeChannel = 1;
constexpr amqp_channel_t kSharedChannel = 3; // its own: a failure there must not stop the rest
constexpr amqp_channel_t kPublishChannel = 2;
constexpr int kHeartbeatSeconds = 30;
constexpr int kMaxBackoffMs = 30000;
constexpr const char *kOwnConsumer = "push-service";
constexpr const char *kSharedConsumer = "push-service-shared";

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

amqp_bytes_t bytesOf(const QByteArray &data)
{
    return amqp_bytes_t{size_t(data.size()), const_cast<char *>(data.constData())};
}

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

// One broker connection, closed and freed with the object.
struct AmqpBus::Connection
{
    amqp_connection_state_t state = amqp_new_connection();
    amqp_bytes_t queue = amqp_empty_bytes;
    uint64_t lastTag = 0;
    uint64_t ackedTag = 0;
    bool sharedOpen = false;
    uint64_t lastSharedTag = 0;
    uint64_t ackedSharedTag = 0;
    bool loggedIn = false;

    ~Connection()
    {
        if (loggedIn) {
            amqp_channel_close(state, kPublishChannel, AMQP_REPLY_SUCCESS);
            amqp_channel_close(state, kConsumeChannel, AMQP_REPLY_SUCCESS);
            if (sharedOpen)
                amqp_channel_close(state, kSharedChannel, AMQP_REPLY_SUCCESS);
            amqp_connection_close(state, AMQP_REPLY_SUCCESS);
        }
        amqp_bytes_free(queue);
        amqp_destroy_connection(state);
    }
};

AmqpBus::AmqpBus(BusSettings settings, EventHandler onEvent, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_onEvent(std::move(onEvent))
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
    if (::pipe(m_wakeFds) != 0) {
        *error = QStringLiteral("cannot create the bus wake-up pipe: %1")
                     .arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    for (int fd : m_wakeFds)
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
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
    for (int &fd : m_wakeFds) {
        ::close(fd);
        fd = -1;
    }
}

void AmqpBus::wake()
{
    m_wakeup.notify_all();
    if (m_wakeFds[1] >= 0) {
        const char byte = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_wakeFds[1], &byte, 1);
    }
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

void AmqpBus::publish(const DomainEvent &event, const QByteArray &traceparent, QObject *context,
                      PublishDone done)
{
    Outgoing outgoing{routingKey(event),
                      QJsonDocument(event.payload.toObject()).toJson(QJsonDocument::Compact),
                      event,
                      traceparent,
                      context,
                      std::move(done)};
    {
        std::lock_guard lock(m_mutex);
        QString refusal;
        if (m_state.load() != State::Connected)
            refusal = QStringLiteral("the event bus is not connected (%1)")
                          .arg(m_lastError.isEmpty() ? stateName(m_state.load()) : m_lastError);
        else if (int(m_outgoing.size()) >= m_settings.maxPendingPublishes)
            refusal = QStringLiteral("the event bus has %1 events waiting; try again")
                          .arg(m_outgoing.size());
        if (refusal.isEmpty()) {
            m_outgoing.push_back(std::move(outgoing));
        } else {
            QMetaObject::invokeMethod(
                context, [done = std::move(outgoing.done), refusal] { done(false, refusal); },
                Qt::QueuedConnection);
            return;
        }
    }
    wake();
}

void AmqpBus::finish(Outgoing &outgoing, bool ok, const QString &error)
{
    QMetaObject::invokeMethod(
        outgoing.context, [done = std::move(outgoing.done), ok, error] { done(ok, error); },
        Qt::QueuedConnection);
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
    int backoffMs = 1000;
    int failures = 0;
    while (!m_stopping) {
        setState(State::Connecting);
        Connection connection;
        amqp_socket_t *socket =
            url.tls ? amqp_ssl_socket_new(connection.state) : amqp_tcp_socket_new(connection.state);
        if (url.tls && socket) {
            const QByteArray ca = qgetenv("PUSH_AMQP_CA_FILE");
            const char *bundle =
                ca.isEmpty() ? "/etc/ssl/certs/ca-certificates.crt" : ca.constData();
            amqp_ssl_socket_set_cacert(socket, bundle);
            amqp_ssl_socket_set_verify_peer(socket, 1);
            amqp_ssl_socket_set_verify_hostname(socket, 1);
        }
        timeval connectTimeout{10, 0};
        QString failure;
        if (!socket) {
            failure = QStringLiteral("cannot create a socket");
        } else if (const int status = amqp_socket_open_noblock(socket, url.host.constData(),
                                                               url.port, &connectTimeout);
                   status != AMQP_STATUS_OK) {
            failure = QStringLiteral("cannot connect to %1: %2")
                          .arg(where, QString::fromLatin1(amqp_error_string2(status)));
        } else {
            failure = replyError(amqp_login(connection.state, url.vhost.constData(), 0, 131072,
                                            kHeartbeatSeconds, AMQP_SASL_METHOD_PLAIN,
                                            url.user.constData(), url.password.constData()),
                                 "login");
            connection.loggedIn = failure.isEmpty();
        }
        if (failure.isEmpty()) {
            const QByteArray exchange = m_settings.exchange.toUtf8();
            amqp_channel_open(connection.state, kConsumeChannel);
            failure = replyError(amqp_get_rpc_reply(connection.state), "channel.open");
            if (failure.isEmpty()) {
                amqp_exchange_declare(connection.state, kConsumeChannel, bytesOf(exchange),
                                      amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
                failure = replyError(amqp_get_rpc_reply(connection.state), "exchange.declare");
            }
            if (failure.isEmpty()) {
                amqp_queue_declare_ok_t *declared =
                    amqp_queue_declare(connection.state, kConsumeChannel, amqp_empty_bytes, 0, 0, 1,
                                       1, amqp_empty_table);
                failure = replyError(amqp_get_rpc_reply(connection.state), "queue.declare");
                if (failure.isEmpty())
                    connection.queue = amqp_bytes_malloc_dup(declared->queue);
            }
            if (failure.isEmpty()) {
                amqp_queue_bind(connection.state, kConsumeChannel, connection.queue,
                                bytesOf(exchange), amqp_cstring_bytes("#"), amqp_empty_table);
                failure = replyError(amqp_get_rpc_reply(connection.state), "queue.bind");
            }
            if (failure.isEmpty()) {
                amqp_basic_qos(connection.state, kConsumeChannel, 0,
                               uint16_t(std::clamp(m_settings.prefetch, 1, 65535)), 0);
                failure = replyError(amqp_get_rpc_reply(connection.state), "basic.qos");
            }
            if (failure.isEmpty()) {
                amqp_basic_consume(connection.state, kConsumeChannel, connection.queue,
                                   amqp_cstring_bytes(kOwnConsumer), 0, 0, 1, amqp_empty_table);
                failure = replyError(amqp_get_rpc_reply(connection.state), "basic.consume");
            }
            if (failure.isEmpty() && !m_settings.sharedQueue.isEmpty())
                openShared(connection, exchange);
            if (failure.isEmpty()) {
                amqp_channel_open(connection.state, kPublishChannel);
                failure = replyError(amqp_get_rpc_reply(connection.state), "channel.open");
            }
        }
        if (failure.isEmpty()) {
            if (failures > 0)
                ++m_reconnects;
            failures = 0;
            backoffMs = 1000;
            setState(State::Connected);
            qCInfo(lcBus).noquote()
                << "connected to" << where << "exchange" << m_settings.exchange << "queue"
                << QString::fromUtf8(static_cast<const char *>(connection.queue.bytes),
                                     int(connection.queue.len))
                << "prefetch" << m_settings.prefetch;
            failure = serve(connection) ? QString() : lastError();
            if (m_stopping)
                break;
            qCWarning(lcBus).noquote() << "lost the broker at" << where << ":" << failure;
        } else if (failures == 0 || failures % 10 == 0) {
            qCWarning(lcBus).noquote() << failure << "- retrying in" << backoffMs / 1000 << "s";
        }
        ++failures;
        m_sharedActive = false;
        setState(State::Disconnected, failure);
        failPending(QStringLiteral("the event bus connection was lost: %1").arg(failure));
        if (!sleepFor(backoffMs))
            break;
        backoffMs = std::min(backoffMs * 2, kMaxBackoffMs);
    }
    m_sharedActive = false;
    setState(State::Disconnected, QStringLiteral("stopped"));
}

void AmqpBus::openShared(Connection &connection, const QByteArray &exchange)
{
    // Not exclusive: every instance consumes it, the broker hands each message to one of
    // them. Auto-delete: gone with the last instance. On a channel of its own, so that a
    // queue declared otherwise by someone else (PRECONDITION_FAILED) costs the webhooks,
    // not the subscribers' events.
    const QByteArray shared = m_settings.sharedQueue.toUtf8();
    amqp_channel_open(connection.state, kSharedChannel);
    QString failure = replyError(amqp_get_rpc_reply(connection.state), "channel.open");
    if (failure.isEmpty()) {
        amqp_queue_declare(connection.state, kSharedChannel, bytesOf(shared), 0, 0, 0, 1,
                           amqp_empty_table);
        failure = replyError(amqp_get_rpc_reply(connection.state), "queue.declare");
    }
    if (failure.isEmpty()) {
        amqp_queue_bind(connection.state, kSharedChannel, bytesOf(shared), bytesOf(exchange),
                        amqp_cstring_bytes("#"), amqp_empty_table);
        failure = replyError(amqp_get_rpc_reply(connection.state), "queue.bind");
    }
    if (failure.isEmpty()) {
        amqp_basic_qos(connection.state, kSharedChannel, 0,
                       uint16_t(std::clamp(m_settings.prefetch, 1, 65535)), 0);
        failure = replyError(amqp_get_rpc_reply(connection.state), "basic.qos");
    }
    if (failure.isEmpty()) {
        amqp_basic_consume(connection.state, kSharedChannel, bytesOf(shared),
                           amqp_cstring_bytes(kSharedConsumer), 0, 0, 0, amqp_empty_table);
        failure = replyError(amqp_get_rpc_reply(connection.state), "basic.consume");
    }
    connection.sharedOpen = failure.isEmpty();
    m_sharedActive = connection.sharedOpen;
    if (!failure.isEmpty()) {
        // The broker closed the channel: acknowledge that, keep the connection.
        amqp_channel_close_ok_t ok{};
        amqp_send_method(connection.state, kSharedChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
        qCWarning(lcBus).noquote() << "the shared queue" << m_settings.sharedQueue
                                   << "is not consumed, so webhooks are not called until the "
                                      "next connection:"
                                   << failure;
    }
}

bool AmqpBus::serve(Connection &connection)
{
    const int socketFd = amqp_get_sockfd(connection.state);
    for (;;) {
        if (m_stopping)
            return true;
        if (!drainPublishes(connection))
            return false;
        // Everything that has arrived, without blocking; acknowledged in one go.
        for (int n = 0; n < 1000; ++n) {
            amqp_maybe_release_buffers(connection.state);
            amqp_envelope_t envelope;
            timeval now{0, 0};
            const amqp_rpc_reply_t reply =
                amqp_consume_message(connection.state, &envelope, &now, 0);
            if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
                const bool shared = envelope.consumer_tag.len == strlen(kSharedConsumer) &&
                                    memcmp(envelope.consumer_tag.bytes, kSharedConsumer,
                                           envelope.consumer_tag.len) == 0;
                if (!shared)
                    ++m_received;
                QString problem;
                std::optional<DomainEvent> event = eventFromMessage(envelope, &problem);
                if (event)
                    problem =
                        m_onEvent(std::move(*event), shared ? Delivery::Shared : Delivery::Own);
                if (shared)
                    problem.clear(); // counted and logged once, for this instance's own copy
                if (!problem.isEmpty()) {
                    ++m_malformed;
                    qCWarning(lcBus).noquote()
                        << "dropped a malformed message (routing key"
                        << QString::fromUtf8(static_cast<const char *>(envelope.routing_key.bytes),
                                             int(envelope.routing_key.len))
                        << "):" << problem;
                }
                if (envelope.channel == kSharedChannel)
                    connection.lastSharedTag = envelope.delivery_tag;
                else
                    connection.lastTag = envelope.delivery_tag;
                amqp_destroy_envelope(&envelope);
                continue;
            }
            if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                reply.library_error == AMQP_STATUS_TIMEOUT)
                break;
            if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
                // A method instead of a delivery: the broker closing something, mostly.
                amqp_frame_t frame;
                if (amqp_simple_wait_frame_noblock(connection.state, &frame, &now) !=
                    AMQP_STATUS_OK)
                    break;
                if (frame.frame_type == AMQP_FRAME_METHOD &&
                    (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
                     frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD)) {
                    amqp_rpc_reply_t closed{};
                    closed.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
                    closed.reply = frame.payload.method;
                    setState(State::Connected, replyError(closed, "consume"));
                    if (frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD) {
                        amqp_connection_close_ok_t ok{};
                        amqp_send_method(connection.state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
                        connection.loggedIn = false;
                    }
                    return false;
                }
                continue;
            }
            setState(State::Connected, replyError(reply, "consume"));
            return false;
        }
        if (connection.lastTag != connection.ackedTag) {
            if (amqp_basic_ack(connection.state, kConsumeChannel, connection.lastTag, 1) !=
                AMQP_STATUS_OK) {
                setState(State::Connected, QStringLiteral("cannot acknowledge deliveries"));
                return false;
            }
            connection.ackedTag = connection.lastTag;
        }
        if (connection.lastSharedTag != connection.ackedSharedTag) {
            if (amqp_basic_ack(connection.state, kSharedChannel, connection.lastSharedTag, 1) !=
                AMQP_STATUS_OK) {
                setState(State::Connected, QStringLiteral("cannot acknowledge deliveries"));
                return false;
            }
            connection.ackedSharedTag = connection.lastSharedTag;
        }
        if (amqp_data_in_buffer(connection.state) || amqp_frames_enqueued(connection.state))
            continue;
        {
            std::lock_guard lock(m_mutex);
            if (!m_outgoing.empty())
                continue;
        }
        pollfd fds[2] = {{socketFd, POLLIN, 0}, {m_wakeFds[0], POLLIN, 0}};
        // Wakes at least every second so that the library sends and checks heartbeats.
        if (::poll(fds, 2, 1000) < 0 && errno != EINTR) {
            setState(State::Connected, QStringLiteral("poll failed"));
            return false;
        }
        if (fds[1].revents & POLLIN) {
            char drain[64];
            while (::read(m_wakeFds[0], drain, sizeof drain) > 0) {
            }
        }
    }
}

bool AmqpBus::drainPublishes(Connection &connection)
{
    for (;;) {
        Outgoing outgoing;
        {
            std::lock_guard lock(m_mutex);
            if (m_outgoing.empty())
                return true;
            outgoing = std::move(m_outgoing.front());
            m_outgoing.pop_front();
        }
        HeaderTable headers = messageHeaders(outgoing.event, outgoing.traceparent);
        amqp_basic_properties_t properties{};
        properties._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG |
                            AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
        properties.content_type = amqp_cstring_bytes("application/json");
        properties.delivery_mode = 2; // persistent, as ADSP's event service publishes
        properties.timestamp = uint64_t(outgoing.event.timestamp.toSecsSinceEpoch());
        properties.headers = headers.table();
        const QByteArray exchange = m_settings.exchange.toUtf8();
        const int status = amqp_basic_publish(connection.state, kPublishChannel, bytesOf(exchange),
                                              bytesOf(outgoing.routingKey), 0, 0, &properties,
                                              bytesOf(outgoing.body));
        if (status != AMQP_STATUS_OK) {
            const QString error = QStringLiteral("publish failed: %1")
                                      .arg(QString::fromLatin1(amqp_error_string2(status)));
            finish(outgoing, false, error);
            setState(State::Connected, error);
            return false;
        }
        ++m_published;
        finish(outgoing, true, QString());
    }
}

} // namespace push::bus
