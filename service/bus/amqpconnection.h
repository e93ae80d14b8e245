#pragma once

// Inside the bus only: one broker connection and the helpers both halves of AmqpBus use
// (amqpbus.cpp: connecting, amqpserve.cpp: consuming and publishing).

#include "bus/amqpbus.h"

#include <QLoggingCategory>

#if __has_include(<rabbitmq-c/amqp.h>) // see amqptable.h
#include <rabbitmq-c/amqp.h>
#else
#include <amqp.h>
#endif

#include <chrono>
#include <deque>

Q_DECLARE_LOGGING_CATEGORY(lcBus)

namespace push::bus {

constexpr amqp_channel_t kConsumeChannel = 1;
constexpr amqp_channel_t kPublishChannel = 2;
constexpr amqp_channel_t kSharedChannel = 3; // its own: a failure there must not stop the rest
constexpr const char *kOwnConsumer = "push-service";
constexpr const char *kSharedConsumer = "push-service-shared";
constexpr amqp_channel_t kBufferChannel = 4;
constexpr const char *kBufferConsumer = "push-service-buffer";

QString replyError(const amqp_rpc_reply_t &reply, const char *what);

// Binds `queue` to every routing key of `exchange`, sets the prefetch and starts consuming
// with acknowledgements; empty, or what the broker refused.
QString bindAndConsume(amqp_connection_state_t state, amqp_channel_t channel, amqp_bytes_t queue,
                       const QByteArray &exchange, qint64 prefetch, const char *consumerTag,
                       bool exclusive);

inline amqp_bytes_t bytesOf(const QByteArray &data)
{
    return amqp_bytes_t{size_t(data.size()), const_cast<char *>(data.constData())};
}

// One broker connection, closed and freed with the object: politely while it answers,
// by closing the socket once it is known broken (a stalled broker would never reply).
struct AmqpBus::Connection
{
    struct Unconfirmed
    {
        uint64_t tag = 0; // the publish channel's delivery tag (1, 2, ...)
        std::chrono::steady_clock::time_point sentAt;
        Outgoing outgoing;
    };

    amqp_connection_state_t state = amqp_new_connection();
    amqp_bytes_t queue = amqp_empty_bytes;
    uint64_t lastTag = 0;
    uint64_t ackedTag = 0;
    bool sharedOpen = false;
    uint64_t lastSharedTag = 0;
    uint64_t ackedSharedTag = 0;
    bool bufferOpen = false;
    quint64 generation = 0;
    bool loggedIn = false;
    uint64_t publishTag = 0;             // the last tag given to a publish
    std::deque<Unconfirmed> unconfirmed; // oldest first

    ~Connection()
    {
        if (loggedIn) {
            amqp_channel_close(state, kPublishChannel, AMQP_REPLY_SUCCESS);
            amqp_channel_close(state, kConsumeChannel, AMQP_REPLY_SUCCESS);
            if (sharedOpen)
                amqp_channel_close(state, kSharedChannel, AMQP_REPLY_SUCCESS);
            if (bufferOpen)
                amqp_channel_close(state, kBufferChannel, AMQP_REPLY_SUCCESS);
            amqp_connection_close(state, AMQP_REPLY_SUCCESS);
        }
        amqp_bytes_free(queue);
        amqp_destroy_connection(state);
    }
};

} // namespace push::bus
