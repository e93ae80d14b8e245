#pragma once

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTableWidget;

namespace console {

// An editor of one entry of a configuration document (a stream, a webhook): a form beside
// the JSON of the same entry, kept in sync both ways, and a line of problems checked as
// you type with the service's own rules. Subclasses build the form and say how the entry
// maps to it; this class keeps the JSON view, the problems and the read-only state.
class EntryEditor : public QWidget
{
    Q_OBJECT

public:
    explicit EntryEditor(QWidget *parent = nullptr);

    void setEntry(const QJsonObject &entry, bool readOnly);
    // The entry as edited: the form's, or the JSON view's when that was edited last.
    QJsonObject entry() const { return m_entry; }
    // Why it cannot be saved, in the server's words (validateConfiguration); empty: valid.
    QStringList problems() const { return m_problems; }
    QString entryId() const { return m_entry.value(QLatin1String("id")).toString(); }
    QPlainTextEdit *jsonEdit() const { return m_json; }
    QLabel *problemsLabel() const { return m_problemsLabel; }

signals:
    void changed();

protected:
    // Puts `form` beside the JSON view, with the problems line under both.
    void setForm(QWidget *form);
    // The form shows m_entry (called with updating() true: form signals are to be ignored).
    virtual void showEntry() = 0;
    virtual void setFormReadOnly(bool readOnly) = 0;
    // The service's rules on m_entry, and notes that do not stop a save.
    virtual QStringList validateEntry() const = 0;
    virtual QStringList notesOnEntry() const { return {}; }
    virtual QString readOnlyNote() const = 0;
    // The form changed: it now says `entry` (with `formProblems` found reading it).
    void formChanged(const QJsonObject &entry, const QStringList &formProblems);
    bool updating() const { return m_updating || m_readOnly; }

    // A table row of empty, editable cells with the first ones set to `texts`.
    void appendRow(QTableWidget *table, const QStringList &texts);
    static QString cell(const QTableWidget *table, int row, int column);
    // Puts {correlationId?, context?} read from two cells into `event` (as "criteria", left
    // out when empty); a malformed context is a problem named after `where`.
    static void setCriteria(QJsonObject &event, const QString &correlationId,
                            const QString &contextText, const QString &where,
                            QStringList *problems);

    QJsonObject m_entry;

private:
    void fromJson();
    void showJson();
    void validate(const QStringList &formProblems);

    QPlainTextEdit *m_json;
    QLabel *m_problemsLabel;
    QStringList m_problems;
    bool m_updating = false;
    bool m_readOnly = false;
};

} // namespace console
