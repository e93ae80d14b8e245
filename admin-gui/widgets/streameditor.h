#pragma once

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableWidget;

namespace console {

// What the document view needs of an editor of one entry (a stream, a webhook): show it,
// give back what was edited, and say what is wrong with it.
class EntryEditor : public QWidget
{
    Q_OBJECT

public:
    using QWidget::QWidget;

    virtual void setEntry(const QJsonObject &entry, bool readOnly) = 0;
    // The entry as edited: the form's, or the JSON view's when that was edited last.
    virtual QJsonObject entry() const = 0;
    // Why it cannot be saved, in the server's words (validateConfiguration); empty: valid.
    virtual QStringList problems() const = 0;
    virtual QString entryId() const { return entry().value(QLatin1String("id")).toString(); }

signals:
    void changed();
};

// A stream's form — id, name, description, public, subscriber roles, and a table of its
// events with namespace, name, projection map (key=path) and criteria (correlation id,
// context key=value) — beside the JSON of the same stream. Editing either updates the
// other; the problems line validates as you type with push_shared's rules.
class StreamEditor final : public EntryEditor
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamEditor)

public:
    explicit StreamEditor(QWidget *parent = nullptr);

    void setEntry(const QJsonObject &entry, bool readOnly) override;
    QJsonObject entry() const override { return m_entry; }
    QStringList problems() const override { return m_problems; }

    QLineEdit *idEdit() const { return m_id; }
    QLineEdit *nameEdit() const { return m_name; }
    QCheckBox *publicBox() const { return m_public; }
    QTableWidget *eventsTable() const { return m_events; }
    QPlainTextEdit *jsonEdit() const { return m_json; }
    QLabel *problemsLabel() const { return m_problemsLabel; }
    void addEventRow(const QString &eventNamespace = {}, const QString &name = {});

private:
    void fromForm();
    void fromJson();
    void showEntry(); // the entry into the form and the JSON view
    void validate(const QStringList &formProblems);

    QLineEdit *m_id;
    QLineEdit *m_name;
    QPlainTextEdit *m_description;
    QCheckBox *m_public;
    QLineEdit *m_roles;
    QTableWidget *m_events;
    QPlainTextEdit *m_json;
    QLabel *m_problemsLabel;
    QJsonObject m_entry;
    QStringList m_problems;
    bool m_updating = false;
    bool m_readOnly = false;
};

} // namespace console
