#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QJsonObject>
#include <QList>

namespace console {

// The open subscriptions as the admin API describes them: filled from GET
// /admin/v1/subscriptions, then kept current by the activity feed's subscribe and
// unsubscribe items (no polling).
class SubscriptionsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscriptionsModel)

public:
    enum Column {
        Id,
        Tenant,
        Stream,
        Transport,
        User,
        Address,
        Since,
        Delivered,
        Queued,
        Criteria,
        ColumnCount
    };
    static constexpr int kIdRole = Qt::UserRole + 1;

    explicit SubscriptionsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void reset(const QList<QJsonObject> &subscriptions);
    void add(const QJsonObject &subscription); // replaces one with the same id
    void remove(const QString &id);
    QJsonObject at(int row) const { return m_rows.value(row); }
    int rowOf(const QString &id) const;

private:
    QList<QJsonObject> m_rows;
};

} // namespace console
