#include "siopacket.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace push::socketio {

namespace {

const QLatin1String kBinaryKey("_binary");
const QLatin1String kPlaceholderKey("_placeholder");

bool hasBinary(const QJsonValue &value)
{
    if (isBinaryValue(value))
        return true;
    if (value.isArray()) {
        for (const QJsonValue &v : value.toArray()) {
            if (hasBinary(v))
                return true;
        }
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (hasBinary(it.value()))
                return true;
        }
    }
    return false;
}

// Binary values → placeholders, collecting the bytes in order.
QJsonValue deconstruct(const QJsonValue &value, QList<QByteArray> &attachments)
{
    if (isBinaryValue(value)) {
        const int num = int(attachments.size());
        attachments.append(binaryBytes(value));
        return QJsonObject{{kPlaceholderKey, true}, {QStringLiteral("num"), num}};
    }
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(deconstruct(v, attachments));
        return out;
    }
    if (value.isObject()) {
        QJsonObject out;
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            out.insert(it.key(), deconstruct(it.value(), attachments));
        return out;
    }
    return value;
}

bool placeInto(QJsonValue &value, const QList<QByteArray> &attachments)
{
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        if (object.value(kPlaceholderKey).toBool()) {
            // A placeholder must name an attachment by a whole index in range.
            const QJsonValue numValue = object.value(QLatin1String("num"));
            const double number = numValue.toDouble(-1);
            // Range first: converting a double outside int's range is undefined.
            if (!numValue.isDouble() || !(number >= 0 && number < double(attachments.size())))
                return false;
            const int num = int(number);
            if (number != num)
                return false;
            value = binaryValue(attachments.at(num));
            return true;
        }
        for (auto it = object.begin(); it != object.end(); ++it) {
            QJsonValue child = it.value();
            if (!placeInto(child, attachments))
                return false;
            it.value() = child;
        }
        value = object;
    } else if (value.isArray()) {
        QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            QJsonValue child = array.at(i);
            if (!placeInto(child, attachments))
                return false;
            array.replace(i, child);
        }
        value = array;
    }
    return true;
}

} // namespace

QJsonValue binaryValue(const QByteArray &bytes)
{
    return QJsonObject{{kBinaryKey, QString::fromLatin1(bytes.toBase64())}};
}

bool isBinaryValue(const QJsonValue &value)
{
    if (!value.isObject())
        return false;
    const QJsonObject object = value.toObject();
    return object.size() == 1 && object.value(kBinaryKey).isString();
}

QByteArray binaryBytes(const QJsonValue &value)
{
    return QByteArray::fromBase64(value.toObject().value(kBinaryKey).toString().toLatin1());
}

Encoded encode(const Packet &packet)
{
    Encoded out;
    PacketType type = packet.type;
    QJsonValue data = packet.data;
    if ((type == PacketType::Event || type == PacketType::Ack) && hasBinary(data)) {
        type = type == PacketType::Event ? PacketType::BinaryEvent : PacketType::BinaryAck;
        data = deconstruct(data, out.attachments);
    } else if (type == PacketType::BinaryEvent || type == PacketType::BinaryAck) {
        data = deconstruct(data, out.attachments);
    }
    out.text = QByteArray::number(int(type));
    if (type == PacketType::BinaryEvent || type == PacketType::BinaryAck)
        out.text += QByteArray::number(out.attachments.size()) + '-';
    if (!packet.nsp.isEmpty() && packet.nsp != QLatin1String("/"))
        out.text += packet.nsp.toUtf8() + ',';
    if (packet.id >= 0)
        out.text += QByteArray::number(packet.id);
    if (data.isObject())
        out.text += QJsonDocument(data.toObject()).toJson(QJsonDocument::Compact);
    else if (data.isArray())
        out.text += QJsonDocument(data.toArray()).toJson(QJsonDocument::Compact);
    else if (data.isString()) // CONNECT_ERROR of v4 servers may be a plain string
        out.text +=
            QJsonDocument(QJsonArray{data}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    return out;
}

std::optional<Decoded> decode(const QByteArray &text, QString *errorOut)
{
    QString ignored;
    QString *error = errorOut ? errorOut : &ignored;
    Decoded decoded;
    Packet &packet = decoded.packet;
    if (text.isEmpty() || text.at(0) < '0' || text.at(0) > '6') {
        *error = QStringLiteral("unknown packet type");
        return std::nullopt;
    }
    packet.type = PacketType(text.at(0) - '0');
    qsizetype i = 1;
    if (packet.type == PacketType::BinaryEvent || packet.type == PacketType::BinaryAck) {
        const qsizetype dash = text.indexOf('-', i);
        bool ok = false;
        const int count = dash > i ? text.mid(i, dash - i).toInt(&ok) : -1;
        if (!ok || count < 0 || count > 1000) {
            *error = QStringLiteral("bad attachment count");
            return std::nullopt;
        }
        decoded.attachmentCount = count;
        i = dash + 1;
    }
    if (i < text.size() && text.at(i) == '/') {
        const qsizetype comma = text.indexOf(',', i);
        const qsizetype end = comma < 0 ? text.size() : comma;
        packet.nsp = QString::fromUtf8(text.mid(i, end - i));
        i = comma < 0 ? text.size() : comma + 1;
    }
    const qsizetype idStart = i;
    while (i < text.size() && text.at(i) >= '0' && text.at(i) <= '9')
        ++i;
    if (i > idStart) {
        bool ok = false;
        packet.id = text.mid(idStart, i - idStart).toLongLong(&ok);
        if (!ok || i - idStart > 15) {
            *error = QStringLiteral("bad ack id");
            return std::nullopt;
        }
    }
    const QByteArray json = text.mid(i);
    if (!json.isEmpty()) {
        QJsonParseError parseError{};
        // QJsonDocument parses only objects and arrays at the top: wrap to read any value.
        const QJsonDocument document = QJsonDocument::fromJson("[" + json + "]", &parseError);
        if (parseError.error != QJsonParseError::NoError || document.array().size() != 1) {
            *error = QStringLiteral("bad JSON payload");
            return std::nullopt;
        }
        packet.data = document.array().first();
    }
    bool shapeOk = true;
    switch (packet.type) {
    case PacketType::Connect:
        shapeOk = json.isEmpty() || packet.data.isObject();
        break;
    case PacketType::Disconnect:
        shapeOk = json.isEmpty();
        break;
    case PacketType::Event:
    case PacketType::BinaryEvent:
        shapeOk = packet.data.isArray() && !packet.data.toArray().isEmpty() &&
                  packet.data.toArray().first().isString();
        break;
    case PacketType::Ack:
    case PacketType::BinaryAck:
        shapeOk = packet.data.isArray() && packet.id >= 0;
        break;
    case PacketType::ConnectError:
        shapeOk = packet.data.isObject() || packet.data.isString();
        break;
    }
    if (!shapeOk) {
        *error = QStringLiteral("payload of the wrong shape for the packet type");
        return std::nullopt;
    }
    return decoded;
}

bool reconstruct(Packet &packet)
{
    return placeInto(packet.data, packet.attachments);
}

QByteArray eventFrame(const QString &nsp, const QString &eventName, const QByteArray &json,
                      const QByteArray &offset)
{
    QByteArray frame;
    frame.reserve(json.size() + eventName.size() + nsp.size() + offset.size() + 20);
    frame += "42";
    if (!nsp.isEmpty() && nsp != QLatin1String("/"))
        frame += nsp.toUtf8() + ',';
    frame += "[";
    frame += QJsonDocument(QJsonArray{eventName}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    frame += ',';
    frame += json;
    if (!offset.isEmpty())
        frame += ',' + QJsonDocument(QJsonArray{QString::fromUtf8(offset)})
                           .toJson(QJsonDocument::Compact)
                           .mid(1)
                           .chopped(1);
    frame += ']';
    return frame;
}

} // namespace push::socketio
