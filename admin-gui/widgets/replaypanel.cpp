#include "replaypanel.h"

#include "client/replaymodel.h"
#include "client/session.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace console {

ReplayPanel::ReplayPanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new ReplayModel(this))
    , m_stream(new QComboBox)
    , m_fromCursor(new QRadioButton(tr("After cursor")))
    , m_fromTime(new QRadioButton(tr("From time")))
    , m_cursor(new QLineEdit)
    , m_time(new QDateTimeEdit(QDateTime::currentDateTime().addSecs(-3600)))
    , m_criteria(new QLineEdit)
    , m_cap(new QSpinBox)
    , m_replay(new QPushButton(tr("Replay")))
    , m_continue(new QPushButton(tr("Continue")))
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_status(new QLabel)
    , m_table(new QTableView)
    , m_detail(new QPlainTextEdit)
{
    setObjectName(QStringLiteral("replayPanel"));
    m_stream->setObjectName(QStringLiteral("replayStream"));
    m_cursor->setObjectName(QStringLiteral("replayCursor"));
    m_time->setObjectName(QStringLiteral("replayTime"));
    m_status->setObjectName(QStringLiteral("replayStatus"));
    m_table->setObjectName(QStringLiteral("replayTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->setWordWrap(false);
    for (const auto &[column, width] : {std::pair{ReplayModel::Cursor, 210},
                                        {ReplayModel::Appended, 170},
                                        {ReplayModel::Event, 220},
                                        {ReplayModel::CorrelationId, 140}})
        m_table->setColumnWidth(column, width);
    m_detail->setReadOnly(true);
    m_detail->setFont(QFont(QStringLiteral("monospace")));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ReplayPanel::showDetail);
    connect(m_replay, &QPushButton::clicked, this, &ReplayPanel::replay);
    connect(m_continue, &QPushButton::clicked, this, &ReplayPanel::continueReplay);
    connect(m_cancel, &QPushButton::clicked, this, &ReplayPanel::cancel);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildForm());
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);
    setRunning(false);
    setSession(nullptr);
}

QWidget *ReplayPanel::buildForm()
{
    m_stream->setEditable(true);
    m_stream->setMinimumContentsLength(24);
    m_cursor->setPlaceholderText(tr("<epoch>.<ms>-<seq>, e.g. 3fa2c01b.1764966000123-0"));
    m_time->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    m_time->setCalendarPopup(true);
    m_criteria->setPlaceholderText(tr("optional, JSON: {\"correlationId\": \"…\"}"));
    m_cap->setRange(1, 100000);
    m_cap->setValue(1000);
    m_cap->setSuffix(tr(" items at most"));
    m_fromCursor->setChecked(true);
    auto *from = new QButtonGroup(this);
    from->addButton(m_fromCursor);
    from->addButton(m_fromTime);
    // Typing in one of the two chooses it.
    connect(m_cursor, &QLineEdit::textEdited, m_fromCursor,
            [this] { m_fromCursor->setChecked(true); });
    connect(m_time, &QDateTimeEdit::dateTimeChanged, m_fromTime,
            [this] { m_fromTime->setChecked(true); });

    auto *cursorRow = new QHBoxLayout;
    cursorRow->addWidget(m_fromCursor);
    cursorRow->addWidget(m_cursor, 1);
    cursorRow->addWidget(m_fromTime);
    cursorRow->addWidget(m_time);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_cap);
    buttons->addStretch(1);
    buttons->addWidget(m_replay);
    buttons->addWidget(m_continue);
    buttons->addWidget(m_cancel);
    auto *form = new QWidget;
    auto *layout = new QFormLayout(form);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addRow(tr("Stream"), m_stream);
    layout->addRow(tr("From"), cursorRow);
    layout->addRow(tr("Criteria"), m_criteria);
    layout->addRow(QString(), buttons);
    return form;
}

void ReplayPanel::setSession(Session *session)
{
    if (m_reader) {
        m_reader->cancel();
        m_reader->deleteLater();
        m_reader = nullptr;
    }
    m_session = session;
    m_model->clear();
    m_detail->clear();
    m_stream->clear();
    setRunning(false);
    m_continue->setEnabled(false);
    m_status->setText(session ? tr("Replays a stream's log from a cursor or from a time.")
                              : tr("Not connected"));
    if (!session)
        return;
    m_reader = new ReplayReader(session->client(), this);
    connect(m_reader, &ReplayReader::itemsRead, m_model, &ReplayModel::append);
    connect(m_reader, &ReplayReader::finished, this, &ReplayPanel::onFinished);
    connect(m_reader, &ReplayReader::itemsRead, this, [this] {
        m_status->setText(tr("Replaying… %n item(s)", nullptr, m_reader->itemCount()));
    });
    loadStreams();
}

void ReplayPanel::loadStreams()
{
    if (!m_session)
        return;
    QUrlQuery query;
    if (!m_session->connection().tenant.isEmpty())
        query.addQueryItem(QStringLiteral("tenant"), m_session->connection().tenant);
    ApiReply *reply = m_session->client().get(QStringLiteral("/stream/v1/streams"), query);
    reply->setWhat(tr("Reading the streams"));
    reply->setQuiet(true);
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (!reply->ok())
            return; // the stream can still be typed in
        const QString typed = m_stream->currentText();
        m_stream->clear();
        m_stream->addItems(reply->object().keys());
        m_stream->setCurrentText(typed);
    });
}

void ReplayPanel::replay()
{
    if (!m_session || !m_reader) {
        emit message(tr("Connect to a service first"), true);
        return;
    }
    ReplayReader::Request request;
    request.stream = m_stream->currentText().trimmed();
    request.tenant = m_session->connection().tenant;
    request.criteria = m_criteria->text().trimmed();
    request.cap = m_cap->value();
    if (m_fromTime->isChecked())
        request.since = m_time->dateTime();
    else
        request.after = m_cursor->text().trimmed().toUtf8();
    if (request.stream.isEmpty()) {
        m_status->setText(tr("Name the stream to replay"));
        return;
    }
    m_model->clear();
    m_detail->clear();
    start(std::move(request));
}

void ReplayPanel::continueReplay()
{
    if (!m_reader || m_reader->next().isEmpty())
        return;
    ReplayReader::Request request = m_last;
    request.since = QDateTime();
    request.after = m_reader->next();
    start(std::move(request));
}

void ReplayPanel::start(ReplayReader::Request request)
{
    m_last = request;
    setRunning(true);
    m_continue->setEnabled(false);
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Replaying %1…").arg(request.stream));
    m_reader->start(request);
}

void ReplayPanel::cancel()
{
    if (m_reader)
        m_reader->cancel();
}

void ReplayPanel::onFinished(ReplayReader::Outcome outcome, const QString &text)
{
    setRunning(false);
    m_continue->setEnabled(outcome == ReplayReader::Outcome::Capped);
    const bool bad =
        outcome == ReplayReader::Outcome::Reset || outcome == ReplayReader::Outcome::Failed;
    m_status->setStyleSheet(bad ? QStringLiteral("color: #b00020; font-weight: bold;") : QString());
    m_status->setText(text);
}

void ReplayPanel::setRunning(bool running)
{
    m_replay->setEnabled(!running);
    m_cancel->setEnabled(running);
}

void ReplayPanel::showDetail()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    m_detail->setPlainText(QString::fromUtf8(
        QJsonDocument(m_model->at(current.row())).toJson(QJsonDocument::Indented)));
}

} // namespace console
