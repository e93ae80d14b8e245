#include "streameditor.h"

#include "configuration.h"
#include "keyvalue.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace console {

namespace {

enum EventColumn { Namespace, Name, Map, CorrelationId, Context, EventColumnCount };

QString cell(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

StreamEditor::StreamEditor(QWidget *parent)
    : EntryEditor(parent)
    , m_id(new QLineEdit)
    , m_name(new QLineEdit)
    , m_description(new QPlainTextEdit)
    , m_public(new QCheckBox(tr("Anyone in the tenant may subscribe (publicSubscribe)")))
    , m_roles(new QLineEdit)
    , m_events(new QTableWidget(0, EventColumnCount))
    , m_json(new QPlainTextEdit)
    , m_problemsLabel(new QLabel)
{
    m_id->setObjectName(QStringLiteral("streamId"));
    m_name->setObjectName(QStringLiteral("streamName"));
    m_public->setObjectName(QStringLiteral("streamPublic"));
    m_roles->setObjectName(QStringLiteral("streamRoles"));
    m_events->setObjectName(QStringLiteral("streamEvents"));
    m_json->setObjectName(QStringLiteral("streamJson"));
    m_problemsLabel->setObjectName(QStringLiteral("streamProblems"));
    m_roles->setPlaceholderText(tr("role, another-role (besides stream-listener)"));
    m_description->setMaximumHeight(60);
    m_events->setHorizontalHeaderLabels({tr("Namespace"), tr("Name"), tr("Map (key=path, …)"),
                                         tr("Correlation id"), tr("Context (key=value, …)")});
    m_events->horizontalHeader()->setStretchLastSection(true);
    m_events->horizontalHeader()->setSectionResizeMode(Map, QHeaderView::Stretch);
    m_json->setFont(QFont(QStringLiteral("monospace")));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_problemsLabel->setWordWrap(true);
    m_problemsLabel->setStyleSheet(QStringLiteral("color: #b00020"));

    auto *addEvent = new QPushButton(tr("Add event"));
    addEvent->setObjectName(QStringLiteral("addStreamEvent"));
    auto *removeEvent = new QPushButton(tr("Remove event"));
    connect(addEvent, &QPushButton::clicked, this, [this] { addEventRow(); });
    connect(removeEvent, &QPushButton::clicked, this, [this] {
        const int row = m_events->currentRow();
        if (row >= 0) {
            m_events->removeRow(row);
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

    auto *splitter = new QSplitter;
    splitter->addWidget(form);
    splitter->addWidget(m_json);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_problemsLabel);

    for (QLineEdit *edit : {m_id, m_name, m_roles})
        connect(edit, &QLineEdit::textEdited, this, &StreamEditor::fromForm);
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_updating)
            fromForm();
    });
    connect(m_public, &QCheckBox::toggled, this, [this] {
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

void StreamEditor::addEventRow(const QString &eventNamespace, const QString &name)
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

void StreamEditor::setEntry(const QJsonObject &entry, bool readOnly)
{
    m_entry = entry;
    m_readOnly = readOnly;
    for (QLineEdit *edit : {m_id, m_name, m_roles})
        edit->setReadOnly(readOnly);
    m_description->setReadOnly(readOnly);
    m_public->setEnabled(!readOnly);
    m_events->setEditTriggers(readOnly ? QAbstractItemView::NoEditTriggers
                                       : QAbstractItemView::AllEditTriggers);
    m_json->setReadOnly(readOnly);
    showEntry();
    m_json->setPlainText(QString::fromUtf8(QJsonDocument(m_entry).toJson(QJsonDocument::Indented)));
    validate({});
}

void StreamEditor::showEntry()
{
    m_updating = true;
    m_id->setText(m_entry.value(QLatin1String("id")).toString());
    m_name->setText(m_entry.value(QLatin1String("name")).toString());
    m_description->setPlainText(m_entry.value(QLatin1String("description")).toString());
    m_public->setChecked(m_entry.value(QLatin1String("publicSubscribe")).toBool());
    QStringList roles;
    for (const QJsonValue &role : m_entry.value(QLatin1String("subscriberRoles")).toArray())
        roles.append(role.toString());
    m_roles->setText(roles.join(QStringLiteral(", ")));
    m_events->setRowCount(0);
    const push::Stream stream = push::Stream::fromJson(m_entry);
    for (const push::StreamEvent &event : stream.events) {
        addEventRow(event.eventNamespace, event.name);
        const int row = m_events->rowCount() - 1;
        m_events->item(row, Map)->setText(keyvalue::formatMap(event.map));
        m_events->item(row, CorrelationId)->setText(event.criteria.correlationId);
        m_events->item(row, Context)->setText(keyvalue::formatContext(event.criteria.context));
    }
    m_updating = false;
}

void StreamEditor::fromForm()
{
    if (m_updating || m_readOnly)
        return;
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
        QJsonObject criteria;
        const QString correlationId = cell(m_events, row, CorrelationId);
        if (!correlationId.isEmpty())
            criteria.insert(QStringLiteral("correlationId"), correlationId);
        const auto context = keyvalue::parseContext(cell(m_events, row, Context), &error);
        if (!context)
            problems.append(tr("%1, context: %2").arg(where, error));
        else if (!context->isEmpty())
            criteria.insert(QStringLiteral("context"), *context);
        if (!criteria.isEmpty())
            event.insert(QStringLiteral("criteria"), criteria);
        events.append(event);
    }
    entry.insert(QStringLiteral("events"), events);
    m_entry = entry;
    m_updating = true;
    m_json->setPlainText(QString::fromUtf8(QJsonDocument(m_entry).toJson(QJsonDocument::Indented)));
    m_updating = false;
    validate(problems);
    emit changed();
}

void StreamEditor::fromJson()
{
    if (m_readOnly)
        return;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(m_json->toPlainText().toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        m_problems = {error.error != QJsonParseError::NoError
                          ? tr("JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset)
                          : tr("JSON: a stream is an object")};
        m_problemsLabel->setText(m_problems.join(QLatin1Char('\n')));
        emit changed();
        return;
    }
    m_entry = document.object();
    showEntry();
    validate({});
    emit changed();
}

void StreamEditor::validate(const QStringList &formProblems)
{
    QStringList problems = formProblems;
    const QString id = m_entry.value(QLatin1String("id")).toString();
    // The server's rules, on a document holding only this stream.
    // (The document key is the id: its own error would repeat the id's.)
    const QString key = id.isEmpty() ? QStringLiteral("stream") : id;
    for (const push::ValidationError &error :
         push::validateConfiguration(QJsonObject{{key, m_entry}})) {
        if (error.property != key)
            problems.append(error.message);
    }
    m_problems = problems;
    m_problemsLabel->setText(m_readOnly
                                 ? tr("Read-only: a core stream, changed by core administrators")
                                 : problems.join(QLatin1Char('\n')));
}

} // namespace console
