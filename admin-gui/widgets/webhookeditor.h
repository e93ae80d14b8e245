#pragma once

#include "streameditor.h"

class QComboBox;
class QSpinBox;
class QStackedWidget;

namespace console {

// A webhook's form — id, name, url, description, and either the events it fires on
// (namespace, name, criteria) or, for an application-status webhook, the target
// application, interval and event types — beside its JSON, kept in sync both ways.
class WebhookEditor final : public EntryEditor
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookEditor)

public:
    explicit WebhookEditor(QWidget *parent = nullptr);

    void setEntry(const QJsonObject &entry, bool readOnly) override;
    QJsonObject entry() const override { return m_entry; }
    QStringList problems() const override { return m_problems; }

    QLineEdit *idEdit() const { return m_id; }
    QLineEdit *urlEdit() const { return m_url; }
    QPlainTextEdit *jsonEdit() const { return m_json; }
    QTableWidget *eventsTable() const { return m_events; }
    void addEventRow(const QString &eventNamespace = {}, const QString &name = {});

private:
    void fromForm();
    void fromJson();
    void showEntry();
    void validate(const QStringList &formProblems);

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
    QPlainTextEdit *m_json;
    QLabel *m_problemsLabel;
    QJsonObject m_entry;
    QStringList m_problems;
    bool m_updating = false;
    bool m_readOnly = false;
};

} // namespace console
