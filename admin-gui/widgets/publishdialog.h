#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace console {

class Session;

// Publishes one event with POST /event/v1/events (the connection's token needs the
// event-sender role): namespace, name, correlation id, context (key=value), payload JSON,
// and for a core connection the tenant.
class PublishDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PublishDialog)

public:
    explicit PublishDialog(Session &session, QWidget *parent = nullptr);

    QLineEdit *namespaceEdit() const { return m_namespace; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *correlationEdit() const { return m_correlationId; }
    QLineEdit *contextEdit() const { return m_context; }
    QPlainTextEdit *payloadEdit() const { return m_payload; }
    QLabel *errorLabel() const { return m_error; }

    void accept() override;

signals:
    void published(const QString &summary);

private:
    Session &m_session;
    QLineEdit *m_tenant;
    QLineEdit *m_namespace;
    QLineEdit *m_name;
    QLineEdit *m_correlationId;
    QLineEdit *m_context;
    QPlainTextEdit *m_payload;
    QLabel *m_error;
};

} // namespace console
