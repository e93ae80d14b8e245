#include "subscriptionsmodel.h"

#include <QDateTime>
#include <QJsonDocument>

namespace console {

SubscriptionsModel::SubscriptionsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int SubscriptionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SubscriptionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SubscriptionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char *const names[] = {"Id",      "Tenant", "Stream",    "Transport", "User",
                                        "Address", "Since",  "Delivered", "Queued",    "Criteria"};
    return tr(names[section]);
}

QVariant SubscriptionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QJsonObject &s = m_rows.at(index.row());
    if (role == kIdRole)
        return s.value(QLatin1String("id")).toString();
    const bool sort = role == Qt::UserRole;
    if (role != Qt::DisplayRole && !sort && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Id:
        return sort ? QVariant(s.value(QLatin1String("id")).toString().toULongLong())
                    : QVariant(s.value(QLatin1String("id")).toString());
    case Tenant:
        return s.value(QLatin1String("tenant")).isNull()
                   ? tr("(cross-tenant)")
                   : s.value(QLatin1String("tenant")).toString();
    case Stream:
        return s.value(QLatin1String("stream")).toString();
    case Transport:
        return s.value(QLatin1String("transport")).toString();
    case User: {
        const QJsonObject user = s.value(QLatin1String("user")).toObject();
        if (user.isEmpty())
            return tr("(anonymous)");
        const QString name = user.value(QLatin1String("name")).toString();
        const QString id = user.value(QLatin1String("id")).toString();
        return name.isEmpty() ? id : QStringLiteral("%1 (%2)").arg(name, id);
    }
    case Address:
        return s.value(QLatin1String("remoteAddress")).toString();
    case Since: {
        const QDateTime since = QDateTime::fromString(
            s.value(QLatin1String("connectedSince")).toString(), Qt::ISODateWithMs);
        return sort ? QVariant(since)
                    : QVariant(since.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    }
    case Delivered:
        return s.value(QLatin1String("delivered")).toInteger();
    case Queued:
        return s.value(QLatin1String("bytesQueued")).toInteger();
    case Criteria: {
        const QJsonValue criteria = s.value(QLatin1String("criteria"));
        return criteria.isObject()
                   ? QString::fromUtf8(
                         QJsonDocument(criteria.toObject()).toJson(QJsonDocument::Compact))
                   : QString();
    }
    default:
        return {};
    }
}

void SubscriptionsModel::reset(const QList<QJsonObject> &subscriptions)
{
    beginResetModel();
    m_rows = subscriptions;
    endResetModel();
}

int SubscriptionsModel::rowOf(const QString &id) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).value(QLatin1String("id")).toString() == id)
            return row;
    }
    return -1;
}

void SubscriptionsModel::add(const QJsonObject &subscription)
{
    const int existing = rowOf(subscription.value(QLatin1String("id")).toString());
    if (existing >= 0) {
        m_rows[existing] = subscription;
        emit dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
        return;
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(subscription);
    endInsertRows();
}

void SubscriptionsModel::remove(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

} // namespace console
