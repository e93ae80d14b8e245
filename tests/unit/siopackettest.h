#pragma once

// What the Socket.IO codec's unit tests share (tst_siopacket, tst_siobinary): readable
// packets in QCOMPARE failures, and short ways to write packets and values.
#include "socketio/siopacket.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace push::socketio {

// Readable QCOMPARE failures (found by ADL).
inline char *toString(const Packet &packet)
{
    QByteArray data = "undefined/null";
    if (packet.data.isObject())
        data = QJsonDocument(packet.data.toObject()).toJson(QJsonDocument::Compact);
    else if (packet.data.isArray())
        data = QJsonDocument(packet.data.toArray()).toJson(QJsonDocument::Compact);
    else if (!packet.data.isNull() && !packet.data.isUndefined())
        data = QJsonDocument(QJsonArray{packet.data}).toJson(QJsonDocument::Compact);
    const QByteArray text = "Packet(type=" + QByteArray::number(int(packet.type)) +
                            ", nsp=" + packet.nsp.toUtf8() +
                            ", id=" + QByteArray::number(packet.id) + ", data=" + data +
                            ", attachments=" + QByteArray::number(packet.attachments.size()) + ')';
    return qstrdup(text.constData());
}

} // namespace push::socketio

Q_DECLARE_METATYPE(push::socketio::Packet)

namespace push::test {

// Any JSON value (QJsonDocument reads only objects and arrays at the top).
inline QJsonValue json(const QByteArray &text)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError || document.array().size() != 1)
        qFatal("bad JSON in test data: %s", text.constData());
    return document.array().first();
}

inline QByteArray bytes(std::initializer_list<unsigned char> values)
{
    QByteArray out;
    for (unsigned char c : values)
        out.append(char(c));
    return out;
}

inline QJsonValue bin(const QByteArray &data)
{
    return push::socketio::binaryValue(data);
}

inline push::socketio::Packet packet(push::socketio::PacketType type, const QString &nsp, qint64 id,
                                     const QJsonValue &data)
{
    push::socketio::Packet p;
    p.type = type;
    p.nsp = nsp;
    p.id = id;
    p.data = data;
    return p;
}

inline const QString kRoot = QStringLiteral("/");
inline const QString kAdmin = QStringLiteral("/admin");

} // namespace push::test
