#include "publishdialog.h"

#include "client/keyvalue.h"
#include "client/session.h"
#include "shared/domainevent.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace console {

PublishDialog::PublishDialog(Session &session, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_tenant(new QLineEdit(session.connection().tenant))
    , m_namespace(new QLineEdit(QStringLiteral("status-service")))
    , m_name(new QLineEdit(QStringLiteral("health-check-started")))
    , m_correlationId(new QLineEdit)
    , m_context(new QLineEdit)
    , m_payload(new QPlainTextEdit(QStringLiteral("{\n  \"applicationId\": \"portal\"\n}")))
    , m_error(new QLabel)
{
    setWindowTitle(tr("Publish a test event"));
    m_context->setPlaceholderText(tr("env=prod, attempt=1"));
    m_payload->setFont(QFont(QStringLiteral("monospace")));
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->setWordWrap(true);
    auto *form = new QFormLayout;
    if (session.connection().core)
        form->addRow(tr("Tenant"), m_tenant);
    form->addRow(tr("Namespace"), m_namespace);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Correlation id"), m_correlationId);
    form->addRow(tr("Context"), m_context);
    form->addRow(tr("Payload (JSON)"), m_payload);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    buttons->addButton(tr("Publish"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &PublishDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
}

void PublishDialog::accept()
{
    QString problem;
    const auto context = keyvalue::parseContext(m_context->text(), &problem);
    QJsonParseError error{};
    const QJsonDocument payload =
        QJsonDocument::fromJson(m_payload->toPlainText().toUtf8(), &error);
    QJsonObject body{{QStringLiteral("namespace"), m_namespace->text().trimmed()},
                     {QStringLiteral("name"), m_name->text().trimmed()},
                     {QStringLiteral("timestamp"),
                      push::DomainEvent::formatTimestamp(QDateTime::currentDateTimeUtc())},
                     {QStringLiteral("payload"), payload.object()}};
    if (!context)
        problem = tr("Context: %1").arg(problem);
    else if (!context->isEmpty())
        body.insert(QStringLiteral("context"), *context);
    if (!m_correlationId->text().trimmed().isEmpty())
        body.insert(QStringLiteral("correlationId"), m_correlationId->text().trimmed());
    if (m_session.connection().core)
        body.insert(QStringLiteral("tenantId"), m_tenant->text().trimmed());
    if (problem.isEmpty() && (error.error != QJsonParseError::NoError || !payload.isObject()))
        problem = tr("Payload: %1")
                      .arg(error.error != QJsonParseError::NoError ? error.errorString()
                                                                   : tr("an object"));
    QString invalid;
    if (problem.isEmpty() && !push::DomainEvent::fromJson(body, &invalid))
        problem = invalid; // the server's own rule
    if (!problem.isEmpty()) {
        m_error->setText(problem);
        return;
    }
    ApiReply *reply = m_session.client().post(QStringLiteral("/event/v1/events"), body);
    reply->setWhat(tr("Publishing"));
    m_error->setText(tr("Publishing…"));
    connect(reply, &ApiReply::finished, this, [this, reply, body] {
        if (!reply->ok()) {
            m_error->setText(tr("Not published: %1").arg(reply->error()));
            return;
        }
        emit published(tr("Published %1:%2 (%3 streams)")
                           .arg(body.value(QLatin1String("namespace")).toString(),
                                body.value(QLatin1String("name")).toString())
                           .arg(reply->object().value(QLatin1String("streams")).toInt()));
        QDialog::accept();
    });
}

} // namespace console
