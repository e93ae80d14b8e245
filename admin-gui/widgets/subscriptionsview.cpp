#include "subscriptionsview.h"

#include "client/session.h"
#include "client/subscriptionsmodel.h"
#include "widgets/documentview.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace console {

SubscriptionsView::SubscriptionsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new SubscriptionsModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView)
    , m_filter(new QLineEdit)
    , m_count(new QLabel)
{
    setObjectName(QStringLiteral("subscriptionsView"));
    m_table->setObjectName(QStringLiteral("subscriptionsTable"));
    m_filter->setObjectName(QStringLiteral("subscriptionsFilter"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(Qt::UserRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SubscriptionsModel::Id, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setWordWrap(false);
    m_table->setColumnWidth(SubscriptionsModel::Stream, 180);
    m_table->setColumnWidth(SubscriptionsModel::User, 180);
    m_table->setColumnWidth(SubscriptionsModel::Since, 150);
    m_filter->setPlaceholderText(tr("Filter: stream, user, address, transport…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        updateCount();
    });

    auto *disconnectButton = new QPushButton(tr("Disconnect"));
    disconnectButton->setObjectName(QStringLiteral("disconnectSubscription"));
    disconnectButton->setShortcut(QKeySequence::Delete);
    auto *refreshButton = new QPushButton(tr("Refresh"));
    refreshButton->setToolTip(
        tr("Read the list again (delivered and queued counts are as of the last read)"));
    connect(disconnectButton, &QPushButton::clicked, this, &SubscriptionsView::disconnectSelected);
    connect(refreshButton, &QPushButton::clicked, this, &SubscriptionsView::refresh);
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_count);
    bar->addWidget(refreshButton);
    bar->addWidget(disconnectButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &SubscriptionsView::updateCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &SubscriptionsView::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &SubscriptionsView::updateCount);
    updateCount();
}

void SubscriptionsView::setSession(Session *session)
{
    m_session = session;
    m_loading = false;
    m_again = false;
    m_duringLoad.clear();
    m_model->reset({});
    if (session)
        refresh();
}

void SubscriptionsView::updateCount()
{
    m_count->setText(m_proxy->rowCount() == m_model->rowCount()
                         ? tr("%n subscriptions", nullptr, m_model->rowCount())
                         : tr("%1 of %2").arg(m_proxy->rowCount()).arg(m_model->rowCount()));
}

void SubscriptionsView::refresh()
{
    if (!m_session)
        return;
    if (m_loading) {
        m_again = true; // one more read after this one, for what it may have missed
        return;
    }
    m_loading = true;
    loadPage(QString(), {});
}

void SubscriptionsView::loadPage(const QString &after, QList<QJsonObject> collected)
{
    QUrlQuery query = m_session->adminScope();
    query.addQueryItem(QStringLiteral("top"), QStringLiteral("1000"));
    if (!after.isEmpty())
        query.addQueryItem(QStringLiteral("after"), after);
    ApiReply *reply = m_session->client().get(QStringLiteral("/admin/v1/subscriptions"), query);
    reply->setWhat(tr("Loading subscriptions"));
    connect(reply, &ApiReply::finished, this, [this, reply, collected]() mutable {
        if (!reply->ok()) {
            m_loading = false;
            m_again = false;
            m_duringLoad.clear(); // the next full read decides
            if (!reply->aborted())
                emit message(tr("Cannot list the subscriptions: %1").arg(reply->error()), true);
            return;
        }
        for (const QJsonValue &value : reply->object().value(QLatin1String("results")).toArray())
            collected.append(value.toObject());
        const QString next = reply->object()
                                 .value(QLatin1String("page"))
                                 .toObject()
                                 .value(QLatin1String("next"))
                                 .toString();
        if (!next.isEmpty() && m_session) {
            loadPage(next, collected);
            return;
        }
        m_model->reset(collected);
        m_loading = false;
        // What the feed said while the list was being read applies on top of it.
        for (const auto &[type, item] : std::exchange(m_duringLoad, {}))
            onActivity(type, item);
        if (std::exchange(m_again, false))
            refresh();
    });
}

void SubscriptionsView::onActivity(const QString &type, const QJsonObject &item)
{
    if (!m_session || (type != QLatin1String("subscribe") && type != QLatin1String("unsubscribe")))
        return;
    if (m_loading) {
        m_duringLoad.append({type, item});
        return;
    }
    const QJsonObject subscription = item.value(QLatin1String("subscription")).toObject();
    if (type == QLatin1String("subscribe"))
        m_model->add(subscription);
    else if (type == QLatin1String("unsubscribe"))
        m_model->remove(subscription.value(QLatin1String("id")).toString());
}

void SubscriptionsView::disconnectSelected()
{
    if (!m_session)
        return;
    QStringList ids;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        ids.append(m_proxy->data(index, SubscriptionsModel::kIdRole).toString());
    if (ids.isEmpty()) {
        emit message(tr("Select the subscriptions to disconnect"), true);
        return;
    }
    if (!DocumentView::confirm(this, tr("Disconnect"),
                               tr("Disconnect %n subscription(s)? Each is told an administrator "
                                  "ended it.",
                                  nullptr, int(ids.size()))))
        return;
    for (const QString &id : std::as_const(ids)) {
        ApiReply *reply = m_session->client().remove(
            QStringLiteral("/admin/v1/subscriptions/%1").arg(id), m_session->adminScope());
        reply->setWhat(tr("Disconnecting %1").arg(id));
        connect(reply, &ApiReply::finished, this, [this, reply, id] {
            if (!reply->ok()) {
                emit message(tr("Subscription %1 not disconnected: %2").arg(id, reply->error()),
                             true);
                return;
            }
            m_model->remove(id); // the feed says so too
            emit message(tr("Subscription %1 disconnected").arg(id), false);
        });
    }
}

} // namespace console
