#pragma once

#include <QPointer>
#include <QWidget>

class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace console {

class EventsModel;
class ReplayPanel;
class Session;

// The events as they flow (the activity feed's event-received): namespace:name, tenant,
// correlation id, the streams it matched and how many deliveries it made; a filter,
// Pause (what comes meanwhile is kept and shown on resume), a JSON detail pane of the
// selected event, and "Publish test event". Its Replay page reads a stream's replay log
// from a cursor or a time (ReplayPanel).
class EventsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventsView)

public:
    explicit EventsView(QWidget *parent = nullptr);

    void setSession(Session *session);
    EventsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QPlainTextEdit *detail() const { return m_detail; }
    QPushButton *pauseButton() const { return m_pause; }
    QLineEdit *filter() const { return m_filter; }
    QTabWidget *pages() const { return m_pages; }
    ReplayPanel *replay() const { return m_replay; }

public slots:
    void onActivity(const QString &type, const QJsonObject &item);
    void publishTestEvent();

signals:
    void message(const QString &text, bool error);

private:
    void showDetail();

    QPointer<Session> m_session;
    EventsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QPlainTextEdit *m_detail;
    QLineEdit *m_filter;
    QPushButton *m_pause;
    ReplayPanel *m_replay;
    QTabWidget *m_pages;
};

} // namespace console
