#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace push::engineio {

// Engine.IO v4 packets (https://socket.io/docs/v4/engine-io-protocol/).
enum class PacketType : char {
    Open = '0',
    Close = '1',
    Ping = '2',
    Pong = '3',
    Message = '4',
    Upgrade = '5',
    Noop = '6',
};

struct Packet
{
    PacketType type = PacketType::Message;
    QByteArray data;     // UTF-8 text, or raw bytes when binary
    bool binary = false; // only Message packets can be binary

    static Packet text(PacketType type, const QByteArray &data = {}) { return {type, data, false}; }
    static Packet bytes(const QByteArray &data) { return {PacketType::Message, data, true}; }
    bool operator==(const Packet &other) const
    {
        return type == other.type && data == other.data && binary == other.binary;
    }
};

// One packet in a WebSocket text frame: "<type><data>".
QByteArray encodeText(const Packet &packet);
// A WebSocket text frame to a packet; nullopt for an empty frame or an unknown type.
std::optional<Packet> decodeText(const QByteArray &frame);

// HTTP long-polling payloads: packets joined by the record separator 0x1e, binary
// packets as "b<base64>".
inline constexpr char kRecordSeparator = '\x1e';
QByteArray encodePayload(const QList<Packet> &packets);
// nullopt when any packet is malformed (empty, unknown type, bad base64).
std::optional<QList<Packet>> decodePayload(const QByteArray &payload);

// The error codes and messages of the reference server's HTTP errors.
enum class ErrorCode {
    UnknownTransport = 0,
    UnknownSid = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
};
QString errorMessage(ErrorCode code);
// {"code":N,"message":"..."}
QByteArray errorBody(ErrorCode code);

} // namespace push::engineio
