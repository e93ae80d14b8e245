#pragma once

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace console {

class Session;
class SubscriptionsModel;

// Who is subscribed, live: a sortable, filterable table read once from GET
// /admin/v1/subscriptions and then kept current by the activity feed (read again only
// when the feed says it may have missed something); select and Disconnect ends
// subscriptions (DELETE, with confirmation).
class SubscriptionsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscriptionsView)

public:
    explicit SubscriptionsView(QWidget *parent = nullptr);

    void setSession(Session *session);
    SubscriptionsModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *filter() const { return m_filter; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }

public slots:
    void refresh();
    void disconnectSelected();
    void onActivity(const QString &type, const QJsonObject &item);

signals:
    void message(const QString &text, bool error);

private:
    void loadPage(const QString &after, QList<QJsonObject> collected);
    void updateCount();

    QPointer<Session> m_session;
    SubscriptionsModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QLabel *m_count;
    bool m_loading = false;
    QList<std::pair<QString, QJsonObject>> m_duringLoad;
    bool m_again = false;
};

} // namespace console
