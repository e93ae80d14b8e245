#pragma once

#include "widgets/entryeditor.h"

class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QTableWidget;

namespace console {

// A stream's form — id, name, description, public, subscriber roles, and a table of its
// events with namespace, name, projection map (key=path) and criteria (correlation id,
// context key=value) — beside the JSON of the same stream (EntryEditor).
class StreamEditor final : public EntryEditor
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamEditor)

public:
    explicit StreamEditor(QWidget *parent = nullptr);

    QLineEdit *idEdit() const { return m_id; }
    QLineEdit *nameEdit() const { return m_name; }
    QCheckBox *publicBox() const { return m_public; }
    QTableWidget *eventsTable() const { return m_events; }
    void addEventRow(const QString &eventNamespace = {}, const QString &name = {});

protected:
    void showEntry() override;
    void setFormReadOnly(bool readOnly) override;
    QStringList validateEntry() const override;
    QString readOnlyNote() const override;

private:
    void fromForm();

    QLineEdit *m_id;
    QLineEdit *m_name;
    QPlainTextEdit *m_description;
    QCheckBox *m_public;
    QLineEdit *m_roles;
    QTableWidget *m_events;
};

} // namespace console
