#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace push::socketio {

// Socket.IO v5 packets (https://socket.io/docs/v4/socket-io-protocol/), carried in
// Engine.IO message packets.
enum class PacketType {
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
};

struct Packet
{
    PacketType type = PacketType::Event;
    QString nsp = QStringLiteral("/");
    QJsonValue data; // CONNECT: object or undefined; EVENT/ACK: array; CONNECT_ERROR: object
    qint64 id = -1;  // ack id, -1 when none
    QList<QByteArray> attachments; // binary attachments, in order (placeholders' "num")

    bool operator==(const Packet &other) const
    {
        return type == other.type && nsp == other.nsp && data == other.data && id == other.id &&
               attachments == other.attachments;
    }
};

// Encodes a packet: the text part and, for binary packets, its attachments (each sent as
// its own Engine.IO binary message after the text). A packet whose data holds binary
// values is written as BINARY_EVENT/BINARY_ACK with {"_placeholder":true,"num":N}.
struct Encoded
{
    QByteArray text;
    QList<QByteArray> attachments;
};
Encoded encode(const Packet &packet);

// Decodes the text part. For BINARY_* packets `attachmentCount` says how many binary
// messages must follow; reconstruct() then puts them in place of the placeholders.
// nullopt (with *error) on anything malformed: unknown type, bad namespace, bad ack id,
// bad JSON, data of the wrong shape for the type (CONNECT: object or nothing; EVENT:
// non-empty array whose first element is a string; ACK: array; CONNECT_ERROR: object or
// string; DISCONNECT: nothing).
struct Decoded
{
    Packet packet;
    int attachmentCount = 0;
};
std::optional<Decoded> decode(const QByteArray &text, QString *error);

// Replaces placeholders in packet.data with the attachments (as base64 strings marked
// by QJsonValue objects {"_binary": "<base64>"} — the JSON model has no bytes); false
// when a placeholder's num is out of range.
bool reconstruct(Packet &packet);

// The event frame of the fan-out: `42<nsp,>["<event>",<json>]` as an Engine.IO message
// text frame ('4' + Socket.IO EVENT), with `json` already serialised. A non-empty `offset`
// is one more, last argument (connection state recovery: `42["<event>",<json>,"<offset>"]`).
QByteArray eventFrame(const QString &nsp, const QString &eventName, const QByteArray &json,
                      const QByteArray &offset = {});

// How binary values travel through the QJsonValue model inside this library: an object
// {"_binary": "<base64>"}. encode() turns them into placeholders + attachments.
QJsonValue binaryValue(const QByteArray &bytes);
bool isBinaryValue(const QJsonValue &value);
QByteArray binaryBytes(const QJsonValue &value);

} // namespace push::socketio
