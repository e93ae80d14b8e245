#include "replaymodel.h"

#include "shared/cursor.h"

#include <QDateTime>
#include <QJsonDocument>

namespace console {

ReplayModel::ReplayModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int ReplayModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ReplayModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReplayModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Cursor", "Appended", "Event", "Correlation id", "Item"};
    return tr(names[section]);
}

QVariant ReplayModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() ||
        (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const QJsonObject &item = m_rows.at(index.row());
    const QString cursor = item.value(QLatin1String("cursor")).toString();
    switch (index.column()) {
    case Cursor:
        return cursor;
    case Appended: {
        const std::optional<push::Cursor> parsed = push::Cursor::parse(cursor.toUtf8());
        if (!parsed)
            return QString();
        return QDateTime::fromMSecsSinceEpoch(qint64(parsed->entry.ms))
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    }
    case Event:
        if (!item.contains(QLatin1String("name")))
            return QString();
        return item.value(QLatin1String("namespace")).toString() + QLatin1Char(':') +
               item.value(QLatin1String("name")).toString();
    case CorrelationId:
        return item.value(QLatin1String("correlationId")).toString();
    case Item: {
        QJsonObject shown = item;
        shown.remove(QLatin1String("cursor"));
        return QString::fromUtf8(QJsonDocument(shown).toJson(QJsonDocument::Compact));
    }
    default:
        return {};
    }
}

void ReplayModel::append(const QList<QJsonObject> &items)
{
    if (items.isEmpty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + items.size()) - 1);
    m_rows.append(items);
    endInsertRows();
}

void ReplayModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

} // namespace console
