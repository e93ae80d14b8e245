#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace console {

// The items of one replay, in the log's order: each item's cursor, when the log appended
// it (the cursor's milliseconds), its event (namespace:name, when the stream's projection
// keeps them), correlation id, and the item's JSON.
class ReplayModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayModel)

public:
    enum Column { Cursor, Appended, Event, CorrelationId, Item, ColumnCount };

    explicit ReplayModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void append(const QList<QJsonObject> &items);
    void clear();
    QJsonObject at(int row) const { return m_rows.value(row); }

private:
    QList<QJsonObject> m_rows;
};

} // namespace console
