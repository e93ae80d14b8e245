#include "enginepacket.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace push::engineio {

namespace {

bool validType(char c)
{
    return c >= '0' && c <= '6';
}

} // namespace

QByteArray encodeText(const Packet &packet)
{
    return char(packet.type) + packet.data;
}

std::optional<Packet> decodeText(const QByteArray &frame)
{
    if (frame.isEmpty() || !validType(frame.at(0)))
        return std::nullopt;
    return Packet{PacketType(frame.at(0)), frame.mid(1), false};
}

QByteArray encodePayload(const QList<Packet> &packets)
{
    QByteArray payload;
    for (qsizetype i = 0; i < packets.size(); ++i) {
        if (i > 0)
            payload += kRecordSeparator;
        const Packet &packet = packets.at(i);
        if (packet.binary)
            payload += 'b' + packet.data.toBase64();
        else
            payload += encodeText(packet);
    }
    return payload;
}

std::optional<QList<Packet>> decodePayload(const QByteArray &payload)
{
    QList<Packet> packets;
    if (payload.isEmpty())
        return std::nullopt;
    for (const QByteArray &part : payload.split(kRecordSeparator)) {
        if (part.startsWith('b')) {
            auto bytes = QByteArray::fromBase64Encoding(part.mid(1),
                                                        QByteArray::AbortOnBase64DecodingErrors);
            if (!bytes)
                return std::nullopt;
            packets.append(Packet::bytes(*bytes));
            continue;
        }
        const auto packet = decodeText(part);
        if (!packet)
            return std::nullopt;
        packets.append(*packet);
    }
    return packets;
}

QString errorMessage(ErrorCode code)
{
    switch (code) {
    case ErrorCode::UnknownTransport:
        return QStringLiteral("Transport unknown");
    case ErrorCode::UnknownSid:
        return QStringLiteral("Session ID unknown");
    case ErrorCode::BadHandshakeMethod:
        return QStringLiteral("Bad handshake method");
    case ErrorCode::BadRequest:
        return QStringLiteral("Bad request");
    case ErrorCode::Forbidden:
        return QStringLiteral("Forbidden");
    case ErrorCode::UnsupportedProtocolVersion:
        return QStringLiteral("Unsupported protocol version");
    }
    return QStringLiteral("Bad request");
}

QByteArray errorBody(ErrorCode code)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("code"), int(code)},
                                     {QStringLiteral("message"), errorMessage(code)}})
        .toJson(QJsonDocument::Compact);
}

} // namespace push::engineio
