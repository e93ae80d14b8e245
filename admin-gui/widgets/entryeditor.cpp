#include "entryeditor.h"

#include "client/keyvalue.h"

#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace console {

EntryEditor::EntryEditor(QWidget *parent)
    : QWidget(parent)
    , m_json(new QPlainTextEdit)
    , m_problemsLabel(new QLabel)
{
    m_json->setObjectName(QStringLiteral("entryJson"));
    m_problemsLabel->setObjectName(QStringLiteral("entryProblems"));
    m_json->setFont(QFont(QStringLiteral("monospace")));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_problemsLabel->setWordWrap(true);
    m_problemsLabel->setStyleSheet(QStringLiteral("color: #b00020"));
    connect(m_json, &QPlainTextEdit::textChanged, this, [this] {
        if (!updating())
            fromJson();
    });
}

void EntryEditor::setForm(QWidget *form)
{
    auto *splitter = new QSplitter;
    splitter->addWidget(form);
    splitter->addWidget(m_json);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_problemsLabel);
}

void EntryEditor::setEntry(const QJsonObject &entry, bool readOnly)
{
    m_entry = entry;
    m_readOnly = readOnly;
    m_json->setReadOnly(readOnly);
    setFormReadOnly(readOnly);
    m_updating = true;
    showEntry();
    showJson();
    m_updating = false;
    validate({});
}

void EntryEditor::showJson()
{
    const bool was = std::exchange(m_updating, true);
    m_json->setPlainText(QString::fromUtf8(QJsonDocument(m_entry).toJson(QJsonDocument::Indented)));
    m_updating = was;
}

void EntryEditor::formChanged(const QJsonObject &entry, const QStringList &formProblems)
{
    m_entry = entry;
    showJson();
    validate(formProblems);
    emit changed();
}

void EntryEditor::fromJson()
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(m_json->toPlainText().toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        m_problems = {error.error != QJsonParseError::NoError
                          ? tr("JSON: %1 at offset %2").arg(error.errorString()).arg(error.offset)
                          : tr("JSON: an entry is an object")};
        m_problemsLabel->setText(m_problems.join(QLatin1Char('\n')));
        emit changed();
        return;
    }
    m_entry = document.object();
    m_updating = true;
    showEntry();
    m_updating = false;
    validate({});
    emit changed();
}

void EntryEditor::validate(const QStringList &formProblems)
{
    m_problems = formProblems + validateEntry();
    const QStringList shown = m_problems + notesOnEntry();
    // Nothing shown (no connection yet, or the entry was deleted): nothing to say of it.
    if (m_entry.isEmpty())
        m_problemsLabel->clear();
    else
        m_problemsLabel->setText(m_readOnly ? readOnlyNote() : shown.join(QLatin1Char('\n')));
}

void EntryEditor::appendRow(QTableWidget *table, const QStringList &texts)
{
    const bool was = std::exchange(m_updating, true);
    const int row = table->rowCount();
    table->insertRow(row);
    for (int column = 0; column < table->columnCount(); ++column)
        table->setItem(row, column, new QTableWidgetItem(texts.value(column)));
    m_updating = was;
}

void EntryEditor::setCriteria(QJsonObject &event, const QString &correlationId,
                              const QString &contextText, const QString &where,
                              QStringList *problems)
{
    QJsonObject criteria;
    if (!correlationId.isEmpty())
        criteria.insert(QStringLiteral("correlationId"), correlationId);
    QString error;
    const auto context = keyvalue::parseContext(contextText, &error);
    if (!context)
        problems->append(tr("%1, context: %2").arg(where, error));
    else if (!context->isEmpty())
        criteria.insert(QStringLiteral("context"), *context);
    event.remove(QStringLiteral("criteria"));
    if (!criteria.isEmpty())
        event.insert(QStringLiteral("criteria"), criteria);
}

QString EntryEditor::cell(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace console
