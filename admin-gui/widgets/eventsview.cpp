#include "eventsview.h"

#include "client/eventsmodel.h"
#include "client/session.h"
#include "widgets/publishdialog.h"
#include "widgets/replaypanel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace console {

EventsView::EventsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new EventsModel(2000, this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView)
    , m_detail(new QPlainTextEdit)
    , m_filter(new QLineEdit)
    , m_pause(new QPushButton(tr("Pause")))
    , m_replay(new ReplayPanel)
    , m_pages(new QTabWidget)
{
    setObjectName(QStringLiteral("eventsView"));
    m_table->setObjectName(QStringLiteral("eventsTable"));
    m_detail->setObjectName(QStringLiteral("eventDetail"));
    m_pause->setObjectName(QStringLiteral("pauseEvents"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setWordWrap(false);
    for (const auto &[column, width] : {std::pair{EventsModel::Time, 110},
                                        {EventsModel::Event, 300},
                                        {EventsModel::Tenant, 90},
                                        {EventsModel::CorrelationId, 160},
                                        {EventsModel::Streams, 220}})
        m_table->setColumnWidth(column, width);
    m_detail->setReadOnly(true);
    m_detail->setFont(QFont(QStringLiteral("monospace")));
    m_filter->setPlaceholderText(tr("Filter: event, tenant, correlation id, stream…"));
    m_filter->setClearButtonEnabled(true);
    m_pause->setCheckable(true);
    m_pause->setShortcut(QKeySequence(Qt::Key_Space));
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_pause, &QPushButton::toggled, m_model, &EventsModel::setPaused);
    connect(m_model, &EventsModel::pendingChanged, this, [this](int count) {
        m_pause->setText(m_model->paused() ? tr("Resume (%1 new)").arg(count) : tr("Pause"));
    });
    connect(m_pause, &QPushButton::toggled, this, [this](bool paused) {
        m_pause->setText(paused ? tr("Resume (%1 new)").arg(m_model->pendingCount()) : tr("Pause"));
    });
    auto *clear = new QPushButton(tr("Clear"));
    connect(clear, &QPushButton::clicked, m_model, &EventsModel::clear);
    auto *publish = new QPushButton(tr("Publish test event…"));
    publish->setObjectName(QStringLiteral("publishTestEvent"));
    connect(publish, &QPushButton::clicked, this, &EventsView::publishTestEvent);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &EventsView::showDetail);
    // Follow the tail unless a row is selected to read.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_table->selectionModel()->hasSelection())
            m_table->scrollToBottom();
    });

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_pause);
    bar->addWidget(clear);
    bar->addWidget(publish);
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *live = new QWidget;
    auto *liveLayout = new QVBoxLayout(live);
    liveLayout->addLayout(bar);
    liveLayout->addWidget(splitter, 1);
    m_pages->setObjectName(QStringLiteral("eventsPages"));
    m_pages->addTab(live, tr("Live"));
    m_pages->addTab(m_replay, tr("Replay"));
    connect(m_replay, &ReplayPanel::message, this, &EventsView::message);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);
}

void EventsView::setSession(Session *session)
{
    m_session = session;
    m_model->clear();
    m_detail->clear();
    m_replay->setSession(session);
}

void EventsView::onActivity(const QString &type, const QJsonObject &item)
{
    if (type == QLatin1String("event-received"))
        m_model->append(item);
}

void EventsView::showDetail()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    const QJsonObject item = m_model->at(m_proxy->mapToSource(current).row());
    m_detail->setPlainText(QString::fromUtf8(QJsonDocument(item).toJson(QJsonDocument::Indented)));
}

void EventsView::publishTestEvent()
{
    if (!m_session) {
        emit message(tr("Connect to a service first"), true);
        return;
    }
    auto *dialog = new PublishDialog(*m_session, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PublishDialog::published, this,
            [this](const QString &text) { emit message(text, false); });
    dialog->open();
}

} // namespace console
