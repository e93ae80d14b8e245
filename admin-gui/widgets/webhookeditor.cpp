#include "webhookeditor.h"

#include "client/keyvalue.h"
#include "shared/configuration.h"
#include "shared/webhook.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace console {

namespace {
enum EventColumn { Namespace, Name, CorrelationId, Context, EventColumnCount };
enum Kind { Plain, ApplicationStatus };
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
{
    m_id->setObjectName(QStringLiteral("webhookId"));
    m_url->setObjectName(QStringLiteral("webhookUrl"));
    jsonEdit()->setObjectName(QStringLiteral("webhookJson"));
    problemsLabel()->setObjectName(QStringLiteral("webhookProblems"));
    m_url->setPlaceholderText(QStringLiteral("https://example.org/hook"));
    m_kind->addItems({tr("Plain: on these events"), tr("Application status")});
    m_events->setHorizontalHeaderLabels(
        {tr("Namespace"), tr("Name"), tr("Correlation id"), tr("Context (key=value, …)")});
    m_events->horizontalHeader()->setStretchLastSection(true);
    m_interval->setRange(0, 24 * 60);
    m_interval->setSuffix(tr(" min"));
    m_eventTypes->setPlaceholderText(tr("status-service:application-status-changed, …"));

    auto *plainPage = new QWidget;
    auto *addEvent = new QPushButton(tr("Add event"));
    auto *removeEvent = new QPushButton(tr("Remove event"));
    connect(addEvent, &QPushButton::clicked, this, [this] { addEventRow(); });
    connect(removeEvent, &QPushButton::clicked, this, [this] {
        if (m_events->currentRow() >= 0 && !updating()) {
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
    setForm(form);

    const auto edited = [this] {
        if (!updating())
            fromForm();
    };
    for (QLineEdit *edit : {m_id, m_name, m_url, m_description, m_targetId, m_eventTypes})
        connect(edit, &QLineEdit::textEdited, this, edited);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this, edited](int index) {
        m_kindPages->setCurrentIndex(index);
        edited();
    });
    connect(m_interval, &QSpinBox::valueChanged, this, edited);
    connect(m_events, &QTableWidget::itemChanged, this, edited);
}

void WebhookEditor::addEventRow(const QString &eventNamespace, const QString &name)
{
    appendRow(m_events, {eventNamespace, name});
    if (!updating())
        fromForm();
}

void WebhookEditor::setFormReadOnly(bool readOnly)
{
    for (QLineEdit *edit : {m_id, m_name, m_url, m_description, m_targetId, m_eventTypes})
        edit->setReadOnly(readOnly);
    m_kind->setEnabled(!readOnly);
    m_interval->setReadOnly(readOnly);
    m_events->setEditTriggers(readOnly ? QAbstractItemView::NoEditTriggers
                                       : QAbstractItemView::AllEditTriggers);
}

void WebhookEditor::showEntry()
{
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
    for (const push::WebhookEvent &event : webhook.events)
        appendRow(m_events, {event.eventNamespace, event.name, event.criteria.correlationId,
                             keyvalue::formatContext(event.criteria.context)});
}

void WebhookEditor::fromForm()
{
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
            setCriteria(event, cell(m_events, row, CorrelationId), cell(m_events, row, Context),
                        tr("event %1").arg(row + 1), &problems);
            events.append(event);
        }
        entry.insert(QStringLiteral("events"), events);
    }
    formChanged(entry, problems);
}

QStringList WebhookEditor::validateEntry() const
{
    QStringList problems;
    const QString id = m_entry.value(QLatin1String("id")).toString();
    const QJsonObject document{
        {QLatin1String(push::kWebhooksKey),
         QJsonObject{{id.isEmpty() ? QStringLiteral("webhook") : id, m_entry}}}};
    for (const push::ValidationError &error : push::validateConfiguration(document))
        problems.append(error.message);
    if (id.isEmpty())
        problems.append(tr("the id is required"));
    return problems;
}

QStringList WebhookEditor::notesOnEntry() const
{
    // Not a rule of the server's, so no reason to refuse the save; but it will not fire.
    const push::Webhook webhook = push::Webhook::fromJson(m_entry);
    if (!webhook.url.isEmpty() && !webhook.hasHttpUrl())
        return {tr("note: only an http:// or https:// url fires")};
    return {};
}

QString WebhookEditor::readOnlyNote() const
{
    return tr("Read-only: a core webhook, changed by core administrators");
}

} // namespace console
