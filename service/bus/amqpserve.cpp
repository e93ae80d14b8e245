// AmqpBus on a live connection: consuming, publishing in confirm mode, the shared queue.
#include "bus/amqpbus.h"

#include "bus/amqpconnection.h"
#include "bus/amqptable.h"

#include <algorithm>
#include <cstring>

namespace push::bus {

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
        failure = bindAndConsume(connection.state, kSharedChannel, bytesOf(shared), exchange,
                                 m_settings.prefetch, kSharedConsumer, false);
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

// Durable and not auto-deleted: what the instances have not taken yet waits for them
// across their restarts (and a quorum queue's across the broker's). Failing to consume it
// fails the connection: without it, nothing reaches the log.
QString AmqpBus::openBuffer(Connection &connection, const QByteArray &exchange)
{
    const QByteArray name = m_settings.bufferQueue.toUtf8();
    amqp_channel_open(connection.state, kBufferChannel);
    QString failure = replyError(amqp_get_rpc_reply(connection.state), "channel.open");
    if (failure.isEmpty()) {
        // One consumer at a time (the broker moves on to another instance when it goes):
        // the log keeps the order the events were published in.
        amqp_table_entry_t entries[2];
        entries[0].key = amqp_cstring_bytes("x-queue-type");
        entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
        entries[0].value.value.bytes = amqp_cstring_bytes("quorum");
        entries[1].key = amqp_cstring_bytes("x-single-active-consumer");
        entries[1].value.kind = AMQP_FIELD_KIND_BOOLEAN;
        entries[1].value.value.boolean = 1;
        const amqp_table_t arguments{2, entries};
        amqp_queue_declare(connection.state, kBufferChannel, bytesOf(name), 0, 1, 0, 0, arguments);
        failure = replyError(amqp_get_rpc_reply(connection.state), "queue.declare (buffer)");
    }
    if (failure.isEmpty())
        failure = bindAndConsume(connection.state, kBufferChannel, bytesOf(name), exchange,
                                 m_settings.bufferPrefetch, kBufferConsumer, false);
    connection.bufferOpen = failure.isEmpty();
    return failure;
}

AmqpBus::Settle AmqpBus::settlerFor(const Connection &connection, uint64_t tag)
{
    return [this, generation = connection.generation, tag](bool ok) {
        {
            std::lock_guard lock(m_mutex);
            m_settled.push_back({generation, tag, ok});
        }
        wake();
    };
}

// The buffer queue's deliveries the log is done with, one by one (they finish in any order).
bool AmqpBus::settleBuffer(Connection &connection)
{
    std::deque<Settled> settled;
    {
        std::lock_guard lock(m_mutex);
        settled.swap(m_settled);
    }
    for (const Settled &one : settled) {
        if (one.generation != connection.generation)
            continue;
        const int status = one.ok
                               ? amqp_basic_ack(connection.state, kBufferChannel, one.tag, 0)
                               : amqp_basic_nack(connection.state, kBufferChannel, one.tag, 0, 1);
        if (status != AMQP_STATUS_OK) {
            recordError(QStringLiteral("cannot acknowledge deliveries of the buffer queue"));
            return false;
        }
    }
    return true;
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
                deliver(connection, envelope);
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
                if (frame.frame_type == AMQP_FRAME_METHOD && !handleMethod(connection, frame))
                    return false;
                continue;
            }
            if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
                reply.library_error == AMQP_STATUS_HEARTBEAT_TIMEOUT) {
                ++m_stalls;
                recordError(QStringLiteral("the broker sent nothing for %1 s (heartbeat timeout): "
                                           "stalled or unreachable")
                                .arg(2 * m_settings.heartbeatSeconds));
                return false;
            }
            recordError(replyError(reply, "consume"));
            return false;
        }
        if (confirmsOverdue(connection))
            return false;
        if (!acknowledge(connection) || !settleBuffer(connection))
            return false;
        if (amqp_data_in_buffer(connection.state) || amqp_frames_enqueued(connection.state))
            continue;
        {
            std::lock_guard lock(m_mutex);
            if (!m_outgoing.empty() || !m_settled.empty())
                continue;
        }
        // Wakes at least every 250 ms so that the library sends and checks heartbeats and
        // overdue confirms are noticed.
        if (m_waiter.wait(socketFd, 250) == platform::SocketWaiter::Result::Failed) {
            recordError(QStringLiteral("poll failed"));
            return false;
        }
    }
}

void AmqpBus::deliver(Connection &connection, const amqp_envelope_t &envelope)
{
    const auto consumedBy = [&envelope](const char *consumer) {
        return envelope.consumer_tag.len == strlen(consumer) &&
               memcmp(envelope.consumer_tag.bytes, consumer, envelope.consumer_tag.len) == 0;
    };
    const bool shared = consumedBy(kSharedConsumer);
    const bool buffer = consumedBy(kBufferConsumer);
    if (!shared && !buffer)
        ++m_received;
    QString problem;
    std::optional<DomainEvent> event = eventFromMessage(envelope, &problem);
    if (buffer) {
        Settle settle = settlerFor(connection, envelope.delivery_tag);
        if (event)
            problem = m_onEvent(std::move(*event), Delivery::Buffer, settle);
        if (!event || !problem.isEmpty())
            settle(true); // dropped: counted and logged for this instance's own copy
        return;
    }
    if (event)
        problem = m_onEvent(std::move(*event), shared ? Delivery::Shared : Delivery::Own, {});
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
}

// Everything taken so far, with one basic.ack multiple per channel.
bool AmqpBus::acknowledge(Connection &connection)
{
    if (connection.lastTag != connection.ackedTag) {
        if (amqp_basic_ack(connection.state, kConsumeChannel, connection.lastTag, 1) !=
            AMQP_STATUS_OK) {
            recordError(QStringLiteral("cannot acknowledge deliveries"));
            return false;
        }
        connection.ackedTag = connection.lastTag;
    }
    if (connection.lastSharedTag != connection.ackedSharedTag) {
        if (amqp_basic_ack(connection.state, kSharedChannel, connection.lastSharedTag, 1) !=
            AMQP_STATUS_OK) {
            recordError(QStringLiteral("cannot acknowledge deliveries"));
            return false;
        }
        connection.ackedSharedTag = connection.lastSharedTag;
    }
    return true;
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
        QByteArray idBytes;
        amqp_basic_properties_t properties{};
        properties._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG |
                            AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
        properties.content_type = amqp_cstring_bytes("application/json");
        properties.delivery_mode = 2; // persistent, as ADSP's event service publishes
        properties.timestamp = uint64_t(outgoing.event.timestamp.toSecsSinceEpoch());
        properties.headers = headers.table();
        if (!outgoing.event.id.isEmpty()) {
            properties._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
            properties.message_id = bytesOf(idBytes = outgoing.event.id.toUtf8());
        }
        const QByteArray exchange = m_settings.exchange.toUtf8();
        const int status = amqp_basic_publish(connection.state, kPublishChannel, bytesOf(exchange),
                                              bytesOf(outgoing.routingKey), 0, 0, &properties,
                                              bytesOf(outgoing.body));
        if (status != AMQP_STATUS_OK) {
            const QString error = QStringLiteral("publish failed: %1")
                                      .arg(QString::fromLatin1(amqp_error_string2(status)));
            finish(outgoing, false, error);
            recordError(error);
            return false;
        }
        // Done when the broker confirms it (settle), failed when it does not in time.
        connection.unconfirmed.push_back(
            {++connection.publishTag, std::chrono::steady_clock::now(), std::move(outgoing)});
    }
}

bool AmqpBus::handleMethod(Connection &connection, const amqp_frame_t &frame)
{
    const amqp_method_number_t id = frame.payload.method.id;
    if (id == AMQP_BASIC_ACK_METHOD && frame.channel == kPublishChannel) {
        const auto *ack = static_cast<amqp_basic_ack_t *>(frame.payload.method.decoded);
        settle(connection, ack->delivery_tag, ack->multiple, true);
        return true;
    }
    if (id == AMQP_BASIC_NACK_METHOD && frame.channel == kPublishChannel) {
        const auto *nack = static_cast<amqp_basic_nack_t *>(frame.payload.method.decoded);
        settle(connection, nack->delivery_tag, nack->multiple, false);
        return true;
    }
    if (id == AMQP_CONNECTION_CLOSE_METHOD || id == AMQP_CHANNEL_CLOSE_METHOD) {
        // The broker closing something: a channel closed under us stops the connection.
        amqp_rpc_reply_t closed{};
        closed.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
        closed.reply = frame.payload.method;
        recordError(replyError(closed, "consume"));
        if (id == AMQP_CONNECTION_CLOSE_METHOD) {
            amqp_connection_close_ok_t ok{};
            amqp_send_method(connection.state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
            connection.loggedIn = false;
        }
        return false;
    }
    return true;
}

void AmqpBus::settle(Connection &connection, uint64_t tag, bool multiple, bool ok)
{
    // Tags are confirmed in any order, one at a time or "everything up to tag".
    for (auto it = connection.unconfirmed.begin(); it != connection.unconfirmed.end();) {
        if (it->tag > tag)
            break;
        if (!multiple && it->tag != tag) {
            ++it;
            continue;
        }
        if (ok)
            ++m_published;
        else
            ++m_unconfirmed;
        finish(it->outgoing, ok,
               ok ? QString()
                  : QStringLiteral("the broker refused the event (basic.nack); try again"));
        it = connection.unconfirmed.erase(it);
    }
}

bool AmqpBus::confirmsOverdue(Connection &connection)
{
    if (connection.unconfirmed.empty())
        return false;
    const auto age = std::chrono::steady_clock::now() - connection.unconfirmed.front().sentAt;
    if (age < std::chrono::milliseconds(m_settings.confirmTimeoutMs))
        return false;
    ++m_stalls;
    recordError(QStringLiteral("the broker did not confirm an event within %1 ms: stalled")
                    .arg(m_settings.confirmTimeoutMs));
    return true;
}

void AmqpBus::failUnconfirmed(Connection &connection, const QString &reason)
{
    for (Connection::Unconfirmed &pending : connection.unconfirmed) {
        ++m_unconfirmed;
        finish(pending.outgoing, false, reason);
    }
    connection.unconfirmed.clear();
}

} // namespace push::bus
