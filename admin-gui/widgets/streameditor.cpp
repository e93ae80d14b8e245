#include "streameditor.h"

#include "client/keyvalue.h"
#include "shared/configuration.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace console {

namespace {
enum EventColumn { Namespace, Name, Map, CorrelationId, Context, EventColumnCount };
} // namespace

StreamEditor::StreamEditor(QWidget *parent)
    : EntryEditor(parent)
    , m_id(new QLineEdit)
    , m_name(new QLineEdit)
    , m_description(new QPlainTextEdit)
    , m_public(new QCheckBox(tr("Anyone in the tenant may subscribe (publicSubscribe)")))
    , m_roles(new QLineEdit)
    , m_events(new QTableWidget(0, EventColumnCount))
{
    m_id->setObjectName(QStringLiteral("streamId"));
    m_name->setObjectName(QStringLiteral("streamName"));
    m_public->setObjectName(QStringLiteral("streamPublic"));
    m_roles->setObjectName(QStringLiteral("streamRoles"));
    m_events->setObjectName(QStringLiteral("streamEvents"));
    jsonEdit()->setObjectName(QStringLiteral("streamJson"));
    problemsLabel()->setObjectName(QStringLiteral("streamProblems"));
    m_roles->setPlaceholderText(tr("role, another-role (besides stream-listener)"));
    m_description->setMaximumHeight(60);
    m_events->setHorizontalHeaderLabels({tr("Namespace"), tr("Name"), tr("Map (key=path, …)"),
                                         tr("Correlation id"), tr("Context (key=value, …)")});
    m_events->horizontalHeader()->setStretchLastSection(true);
    m_events->horizontalHeader()->setSectionResizeMode(Map, QHeaderView::Stretch);

    auto *addEvent = new QPushButton(tr("Add event"));
    addEvent->setObjectName(QStringLiteral("addStreamEvent"));
    auto *removeEvent = new QPushButton(tr("Remove event"));
    connect(addEvent, &QPushButton::clicked, this, [this] { addEventRow(); });
    connect(removeEvent, &QPushButton::clicked, this, [this] {
        if (m_events->currentRow() >= 0 && !updating()) {
            m_events->removeRow(m_events->currentRow());
            fromForm();
        }
    });
    auto *form = new QWidget;
    auto *fields = new QFormLayout;
    fields->addRow(tr("Id"), m_id);
    fields->addRow(tr("Name"), m_name);
    fields->addRow(tr("Description"), m_description);
    fields->addRow(QString(), m_public);
    fields->addRow(tr("Subscriber roles"), m_roles);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(addEvent);
    buttons->addWidget(removeEvent);
    buttons->addStretch();
    auto *formLayout = new QVBoxLayout(form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->addLayout(fields);
    formLayout->addWidget(new QLabel(tr("Events")));
    formLayout->addWidget(m_events, 1);
    formLayout->addLayout(buttons);
    setForm(form);

    const auto edited = [this] {
        if (!updating())
            fromForm();
    };
    for (QLineEdit *edit : {m_id, m_name, m_roles})
        connect(edit, &QLineEdit::textEdited, this, edited);
    connect(m_description, &QPlainTextEdit::textChanged, this, edited);
    connect(m_public, &QCheckBox::toggled, this, edited);
    connect(m_events, &QTableWidget::itemChanged, this, edited);
}

void StreamEditor::addEventRow(const QString &eventNamespace, const QString &name)
{
    appendRow(m_events, {eventNamespace, name});
    if (!updating())
        fromForm();
}

void StreamEditor::setFormReadOnly(bool readOnly)
{
    for (QLineEdit *edit : {m_id, m_name, m_roles})
        edit->setReadOnly(readOnly);
    m_description->setReadOnly(readOnly);
    m_public->setEnabled(!readOnly);
    m_events->setEditTriggers(readOnly ? QAbstractItemView::NoEditTriggers
                                       : QAbstractItemView::AllEditTriggers);
}

void StreamEditor::showEntry()
{
    m_id->setText(m_entry.value(QLatin1String("id")).toString());
    m_name->setText(m_entry.value(QLatin1String("name")).toString());
    m_description->setPlainText(m_entry.value(QLatin1String("description")).toString());
    m_public->setChecked(m_entry.value(QLatin1String("publicSubscribe")).toBool());
    QStringList roles;
    for (const QJsonValue &role : m_entry.value(QLatin1String("subscriberRoles")).toArray())
        roles.append(role.toString());
    m_roles->setText(roles.join(QStringLiteral(", ")));
    m_events->setRowCount(0);
    for (const push::StreamEvent &event : push::Stream::fromJson(m_entry).events)
        appendRow(m_events,
                  {event.eventNamespace, event.name, keyvalue::formatMap(event.map),
                   event.criteria.correlationId, keyvalue::formatContext(event.criteria.context)});
}

void StreamEditor::fromForm()
{
    QStringList problems;
    QJsonObject entry = m_entry; // keeps keys the form does not show
    entry.insert(QStringLiteral("id"), m_id->text().trimmed());
    entry.insert(QStringLiteral("name"), m_name->text().trimmed());
    const QString description = m_description->toPlainText().trimmed();
    if (description.isEmpty())
        entry.remove(QStringLiteral("description"));
    else
        entry.insert(QStringLiteral("description"), description);
    entry.insert(QStringLiteral("publicSubscribe"), m_public->isChecked());
    QJsonArray roles;
    for (const QString &role : m_roles->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        roles.append(role.trimmed());
    entry.insert(QStringLiteral("subscriberRoles"), roles);
    QJsonArray events;
    const QJsonArray before = m_entry.value(QLatin1String("events")).toArray();
    for (int row = 0; row < m_events->rowCount(); ++row) {
        const QString where = tr("event %1").arg(row + 1);
        QJsonObject event = before.at(row).toObject(); // keeps keys the table does not show
        event.remove(QStringLiteral("map"));
        event.remove(QStringLiteral("criteria"));
        event.insert(QStringLiteral("namespace"), cell(m_events, row, Namespace));
        event.insert(QStringLiteral("name"), cell(m_events, row, Name));
        QString error;
        const auto map = keyvalue::parseMap(cell(m_events, row, Map), &error);
        if (!map) {
            problems.append(tr("%1, map: %2").arg(where, error));
        } else if (!map->isEmpty()) {
            QJsonObject mapObject;
            for (const auto &[key, path] : *map)
                mapObject.insert(key, path);
            event.insert(QStringLiteral("map"), mapObject);
        }
        setCriteria(event, cell(m_events, row, CorrelationId), cell(m_events, row, Context), where,
                    &problems);
        events.append(event);
    }
    entry.insert(QStringLiteral("events"), events);
    formChanged(entry, problems);
}

QStringList StreamEditor::validateEntry() const
{
    // The server's rules, on a document holding only this stream. (The document key is
    // the id: its own error would repeat the id's.)
    QStringList problems;
    const QString id = m_entry.value(QLatin1String("id")).toString();
    const QString key = id.isEmpty() ? QStringLiteral("stream") : id;
    for (const push::ValidationError &error :
         push::validateConfiguration(QJsonObject{{key, m_entry}})) {
        if (error.property != key)
            problems.append(error.message);
    }
    return problems;
}

QString StreamEditor::readOnlyNote() const
{
    return tr("Read-only: a core stream, changed by core administrators");
}

} // namespace console
