#include "webhookeditor.h"

#include "configuration.h"
#include "keyvalue.h"
#include "webhook.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace console {

namespace {

enum EventColumn { Namespace, Name, CorrelationId, Context, EventColumnCount };
enum Kind { Plain, ApplicationStatus };

QString cell(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

WebhookEditor::WebhookEditor(QWidget *parent)
    : EntryEditor(parent)
    , m_id(new QLineEdit)
    , m_name(new QLineEdit)
    , m_url(new QLineEdit)
    , m_description(new QLineEdit)
    , m_kind(new QComboBox)
    , m_kindPages(new QStackedWidget)
    , m_events(new QTableWidget(0, EventColumnCount))
    , m_targetId(new QLineEdit)
    , m_interval(new QSpinBox)
    , m_eventTypes(new QLineEdit)
    , m_json(new QPlainTextEdit)
    , m_problemsLabel(new QLabel)
{
    m_id->setObjectName(QStringLiteral("webhookId"));
    m_url->setObjectName(QStringLiteral("webhookUrl"));
    m_json->setObjectName(QStringLiteral("webhookJson"));
    m_problemsLabel->setObjectName(QStringLiteral("webhookProblems"));
    m_url->setPlaceholderText(QStringLiteral("https://example.org/hook"));
    m_kind->addItems({tr("Plain: on these events"), tr("Application status")});
    m_events->setHorizontalHeaderLabels(
        {tr("Namespace"), tr("Name"), tr("Correlation id"), tr("Context (key=value, …)")});
    m_events->horizontalHeader()->setStretchLastSection(true);
    m_interval->setRange(0, 24 * 60);
    m_interval->setSuffix(tr(" min"));
    m_eventTypes->setPlaceholderText(tr("status-service:application-status-changed, …"));
    m_json->setFont(QFont(QStringLiteral("monospace")));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_problemsLabel->setWordWrap(true);
    m_problemsLabel->setStyleSheet(QStringLiteral("color: #b00020"));

    auto *plainPage = new QWidget;
    auto *addEvent = new QPushButton(tr("Add event"));
    auto *removeEvent = new QPushButton(tr("Remove event"));
    connect(addEvent, &QPushButton::clicked, this, [this] { addEventRow(); });
    connect(removeEvent, &QPushButton::clicked, this, [this] {
        if (m_events->currentRow() >= 0) {
            m_events->removeRow(m_events->currentRow());
            fromForm();
        }
    });
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(addEvent);
    buttons->addWidget(removeEvent);
    buttons->addStretch();
    auto *plainLayout = new QVBoxLayout(plainPage);
    plainLayout->setContentsMargins(0, 0, 0, 0);
    plainLayout->addWidget(m_events, 1);
    plainLayout->addLayout(buttons);
    auto *statusPage = new QWidget;
    auto *statusLayout = new QFormLayout(statusPage);
    statusLayout->addRow(tr("Target application"), m_targetId);
    statusLayout->addRow(tr("Interval"), m_interval);
    statusLayout->addRow(tr("Event types"), m_eventTypes);
    m_kindPages->addWidget(plainPage);
    m_kindPages->addWidget(statusPage);

    auto *form = new QWidget;
    auto *fields = new QFormLayout;
    fields->addRow(tr("Id"), m_id);
    fields->addRow(tr("Name"), m_name);
    fields->addRow(tr("URL"), m_url);
    fields->addRow(tr("Description"), m_description);
    fields->addRow(tr("Kind"), m_kind);
    auto *formLayout = new QVBoxLayout(form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addLayout(fields);
    formLayout->addWidget(m_kindPages, 1);
    auto *splitter = new QSplitter;
    splitter->addWidget(form);
    splitter->addWidget(m_json);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_problemsLabel);

    for (QLineEdit *edit : {m_id, m_name, m_url, m_description, m_targetId, m_eventTypes})
        connect(edit, &QLineEdit::textEdited, this, &WebhookEditor::fromForm);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_kindPages->setCurrentIndex(index);
        if (!m_updating)
            fromForm();
    });
    connect(m_interval, &QSpinBox::valueChanged, this, [this] {
        if (!m_updating)
            fromForm();
    });
    connect(m_events, &QTableWidget::itemChanged, this, [this] {
        if (!m_updating)
            fromForm();
    });
    connect(m_json, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_updating)
            fromJson();
    });
}

void WebhookEditor::addEventRow(const QString &eventNamespace, const QString &name)
{
    const bool wasUpdating = std::exchange(m_updating, true);
    const int row = m_events->rowCount();
    m_events->insertRow(row);
    for (int column = 0; column < EventColumnCount; ++column)
        m_events->setItem(row, column, new QTableWidgetItem);
    m_events->item(row, Namespace)->setText(eventNamespace);
    m_events->item(row, Name)->setText(name);
    m_updating = wasUpdating;
    if (!m_updating)
        fromForm();
}

void WebhookEditor::setEntry(const QJsonObject &entry, bool readOnly)
{
    m_entry = entry;
    m_readOnly = readOnly;
    for (QLineEdit *edit : {m_id, m_name, m_url, m_description, m_targetId, m_eventTypes})
        edit->setReadOnly(readOnly);
    m_kind->setEnabled(!readOnly);
    m_interval->setReadOnly(readOnly);
    m_events->setEditTriggers(readOnly ? QAbstractItemView::NoEditTriggers
                                       : QAbstractItemView::AllEditTriggers);
    m_json->setReadOnly(readOnly);
    showEntry();
    m_updating = true;
    m_json->setPlainText(QString::fromUtf8(QJsonDocument(m_entry).toJson(QJsonDocument::Indented)));
    m_updating = false;
    validate({});
}

void WebhookEditor::showEntry()
{
    m_updating = true;
    const push::Webhook webhook = push::Webhook::fromJson(m_entry);
    m_id->setText(webhook.id);
    m_name->setText(webhook.name);
    m_url->setText(webhook.url);
    m_description->setText(webhook.description);
    const bool status = m_entry.contains(QLatin1String("targetId"));
    m_kind->setCurrentIndex(status ? ApplicationStatus : Plain);
    m_kindPages->setCurrentIndex(status ? ApplicationStatus : Plain);
    m_targetId->setText(webhook.targetId);
    m_interval->setValue(webhook.intervalMinutes);
    m_eventTypes->setText(webhook.eventTypes.join(QStringLiteral(", ")));
    m_events->setRowCount(0);
    for (const push::WebhookEvent &event : webhook.events) {
        addEventRow(event.eventNamespace, event.name);
        const int row = m_events->rowCount() - 1;
        m_events->item(row, CorrelationId)->setText(event.criteria.correlationId);
        m_events->item(row, Context)->setText(keyvalue::formatContext(event.criteria.context));
    }
    m_updating = false;
}

void WebhookEditor::fromForm()
{
    if (m_updating || m_readOnly)
        return;
    QStringList problems;
    QJsonObject entry = m_entry; // keeps keys the form does not show
    for (const char *key : {"description", "targetId", "intervalMinutes", "eventTypes", "events"})
        entry.remove(QLatin1String(key));
    entry.insert(QStringLiteral("id"), m_id->text().trimmed());
    entry.insert(QStringLiteral("name"), m_name->text().trimmed());
    entry.insert(QStringLiteral("url"), m_url->text().trimmed());
    if (!m_description->text().trimmed().isEmpty())
        entry.insert(QStringLiteral("description"), m_description->text().trimmed());
    if (m_kind->currentIndex() == ApplicationStatus) {
        entry.insert(QStringLiteral("targetId"), m_targetId->text().trimmed());
        entry.insert(QStringLiteral("intervalMinutes"), m_interval->value());
        QJsonArray types;
        for (const QString &type :
             m_eventTypes->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (!type.contains(QLatin1Char(':')))
                problems.append(tr("event type '%1' is not namespace:name").arg(type.trimmed()));
            types.append(QJsonObject{{QStringLiteral("id"), type.trimmed()}});
        }
        entry.insert(QStringLiteral("eventTypes"), types);
    } else {
        QJsonArray events;
        const QJsonArray before = m_entry.value(QLatin1String("events")).toArray();
        for (int row = 0; row < m_events->rowCount(); ++row) {
            QJsonObject event = before.at(row).toObject(); // and the keys of its events
            event.remove(QStringLiteral("criteria"));
            event.insert(QStringLiteral("namespace"), cell(m_events, row, Namespace));
            event.insert(QStringLiteral("name"), cell(m_events, row, Name));
            QJsonObject criteria;
            if (!cell(m_events, row, CorrelationId).isEmpty())
                criteria.insert(QStringLiteral("correlationId"),
                                cell(m_events, row, CorrelationId));
            QString error;
            const auto context = keyvalue::parseContext(cell(m_events, row, Context), &error);
            if (!context)
                problems.append(tr("event %1, context: %2").arg(row + 1).arg(error));
            else if (!context->isEmpty())
                criteria.insert(QStringLiteral("context"), *context);
            if (!criteria.isEmpty())
                event.insert(QStringLiteral("criteria"), criteria);
            events.append(event);
        }
        entry.insert(QStringLiteral("events"), events);
    }
    m_entry = entry;
    m_updating = true;
    m_json->setPlainText(QString::fromUtf8(QJsonDocument(m_entry).toJson(QJsonDocument::Indented)));
    m_updating = false;
    validate(problems);
    emit changed();
}

void WebhookEditor::fromJson()
{
    if (m_readOnly)
        return;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(m_json->toPlainText().toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        m_problems = {error.error != QJsonParseError::NoError
                          ? tr("JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset)
                          : tr("JSON: a webhook is an object")};
        m_problemsLabel->setText(m_problems.join(QLatin1Char('\n')));
        emit changed();
        return;
    }
    m_entry = document.object();
    showEntry();
    validate({});
    emit changed();
}

void WebhookEditor::validate(const QStringList &formProblems)
{
    QStringList problems = formProblems;
    const QString id = m_entry.value(QLatin1String("id")).toString();
    const QJsonObject document{
        {QLatin1String(push::kWebhooksKey),
         QJsonObject{{id.isEmpty() ? QStringLiteral("webhook") : id, m_entry}}}};
    for (const push::ValidationError &error : push::validateConfiguration(document))
        problems.append(error.message);
    if (id.isEmpty())
        problems.append(tr("the id is required"));
    m_problems = problems;
    // Not a rule of the server's, so no reason to refuse the save; but it will not fire.
    const push::Webhook webhook = push::Webhook::fromJson(m_entry);
    if (!webhook.url.isEmpty() && !webhook.hasHttpUrl())
        problems.append(tr("note: only an http:// or https:// url fires"));
    m_problemsLabel->setText(m_readOnly
                                 ? tr("Read-only: a core webhook, changed by core administrators")
                                 : problems.join(QLatin1Char('\n')));
}

} // namespace console
