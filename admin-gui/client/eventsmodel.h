#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

namespace console {

// The tail of events the activity feed reports (event-received), newest last, at most
// `capacity` of them. Paused, it keeps what comes aside and shows it on resume.
class EventsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventsModel)

public:
    enum Column { Time, Event, Tenant, CorrelationId, Streams, Deliveries, ColumnCount };

    explicit EventsModel(int capacity = 2000, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    void append(const QJsonObject &item);
    void setPaused(bool paused);
    bool paused() const { return m_paused; }
    int pendingCount() const { return int(m_pending.size()); }
    void clear();
    QJsonObject at(int row) const { return m_rows.value(row); }
    // Events seen since start (shown or not): for the events-per-second chart.
    quint64 received() const { return m_received; }

signals:
    void pendingChanged(int count);

private:
    void insert(const QList<QJsonObject> &items);

    int m_capacity;
    QList<QJsonObject> m_rows;
    QList<QJsonObject> m_pending;
    bool m_paused = false;
    quint64 m_received = 0;
};

} // namespace console
