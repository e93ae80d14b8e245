#pragma once

#include "widgets/entryeditor.h"

class QComboBox;
class QLineEdit;
class QSpinBox;
class QStackedWidget;
class QTableWidget;

namespace console {

// A webhook's form — id, name, url, description, and either the events it fires on
// (namespace, name, criteria) or, for an application-status webhook, the target
// application, interval and event types — beside its JSON (EntryEditor).
class WebhookEditor final : public EntryEditor
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookEditor)

public:
    explicit WebhookEditor(QWidget *parent = nullptr);

    QLineEdit *idEdit() const { return m_id; }
    QLineEdit *urlEdit() const { return m_url; }
    QTableWidget *eventsTable() const { return m_events; }
    void addEventRow(const QString &eventNamespace = {}, const QString &name = {});

protected:
    void showEntry() override;
    void setFormReadOnly(bool readOnly) override;
    QStringList validateEntry() const override;
    QStringList notesOnEntry() const override;
    QString readOnlyNote() const override;

private:
    void fromForm();

    QLineEdit *m_id;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_description;
    QComboBox *m_kind;
    QStackedWidget *m_kindPages;
    QTableWidget *m_events;
    QLineEdit *m_targetId;
    QSpinBox *m_interval;
    QLineEdit *m_eventTypes;
};

} // namespace console
