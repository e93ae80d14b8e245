#include "eventsmodel.h"

#include <QDateTime>
#include <QJsonArray>
#include <QStringList>

namespace console {

EventsModel::EventsModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(capacity)
{}

int EventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Time",           "Event",   "Tenant",
                                        "Correlation id", "Streams", "Deliveries"};
    return tr(names[section]);
}

QVariant EventsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() ||
        (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const QJsonObject &item = m_rows.at(index.row());
    const QJsonObject event = item.value(QLatin1String("event")).toObject();
    switch (index.column()) {
    case Time:
        return QDateTime::fromString(item.value(QLatin1String("at")).toString(), Qt::ISODateWithMs)
            .toLocalTime()
            .toString(QStringLiteral("HH:mm:ss.zzz"));
    case Event:
        return event.value(QLatin1String("namespace")).toString() + QLatin1Char(':') +
               event.value(QLatin1String("name")).toString();
    case Tenant:
        return event.value(QLatin1String("tenantId")).toString().section(QLatin1Char('/'), -1);
    case CorrelationId:
        return event.value(QLatin1String("correlationId")).toString();
    case Streams: {
        QStringList streams;
        for (const QJsonValue &value : item.value(QLatin1String("streams")).toArray())
            streams.append(value.toObject().value(QLatin1String("stream")).toString());
        return streams.join(QStringLiteral(", "));
    }
    case Deliveries:
        return item.value(QLatin1String("deliveries")).toInteger();
    default:
        return {};
    }
}

void EventsModel::append(const QJsonObject &item)
{
    ++m_received;
    if (m_paused) {
        m_pending.append(item);
        if (m_pending.size() > m_capacity)
            m_pending.removeFirst();
        emit pendingChanged(int(m_pending.size()));
        return;
    }
    insert({item});
}

void EventsModel::insert(const QList<QJsonObject> &items)
{
    if (items.isEmpty())
        return;
    const qsizetype overflow = m_rows.size() + items.size() - m_capacity;
    if (overflow > 0) {
        const int drop = int(std::min(overflow, m_rows.size()));
        if (drop > 0) {
            beginRemoveRows({}, 0, drop - 1);
            m_rows.remove(0, drop);
            endRemoveRows();
        }
    }
    const QList<QJsonObject> kept = items.mid(std::max<qsizetype>(0, items.size() - m_capacity));
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + kept.size() - 1));
    m_rows.append(kept);
    endInsertRows();
}

void EventsModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused) {
        insert(std::exchange(m_pending, {}));
        emit pendingChanged(0);
    }
}

void EventsModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_pending.clear();
    endResetModel();
    emit pendingChanged(0);
}

} // namespace console
