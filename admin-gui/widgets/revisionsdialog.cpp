#include "revisionsdialog.h"

#include "client/linediff.h"
#include "client/session.h"
#include "widgets/documentview.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace console {

namespace {

constexpr int kMaxRevisions = 100; // the service's largest page

QStringList lines(const QJsonValue &document)
{
    return QString::fromUtf8(QJsonDocument(document.toObject()).toJson(QJsonDocument::Indented))
        .split(QLatin1Char('\n'));
}

} // namespace

RevisionsDialog::RevisionsDialog(Session &session, bool core, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_core(core)
    , m_list(new QListWidget)
    , m_diff(new QPlainTextEdit)
    , m_againstPrevious(
          new QCheckBox(tr("Compare with the revision before it (else with the current one)")))
    , m_restore(new QPushButton(tr("Restore this revision")))
    , m_status(new QLabel)
{
    setWindowTitle(
        tr("Revisions of the %1 configuration").arg(core ? tr("core") : session.documentName()));
    resize(900, 560);
    m_diff->setReadOnly(true);
    m_diff->setFont(QFont(QStringLiteral("monospace")));
    m_diff->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_restore->setEnabled(false);
    auto *splitter = new QSplitter;
    splitter->addWidget(m_list);
    splitter->addWidget(m_diff);
    splitter->setStretchFactor(1, 3);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(m_restore, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_againstPrevious);
    layout->addWidget(buttons);
    connect(m_list, &QListWidget::currentRowChanged, this, &RevisionsDialog::showDiff);
    connect(m_againstPrevious, &QCheckBox::toggled, this, &RevisionsDialog::showDiff);
    connect(m_restore, &QPushButton::clicked, this, &RevisionsDialog::restore);
    load();
}

void RevisionsDialog::load()
{
    QUrlQuery scope = m_core ? QUrlQuery() : m_session.documentScope();
    scope.addQueryItem(QStringLiteral("top"), QString::number(kMaxRevisions)); // one page
    ApiReply *reply = m_session.client().get(
        QLatin1String(ServiceClient::kConfigurationPath) + QStringLiteral("/revisions"), scope);
    reply->setWhat(tr("Loading revisions"));
    m_status->setText(tr("Loading…"));
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (!reply->ok()) {
            m_status->setText(tr("Cannot load the revisions: %1").arg(reply->error()));
            return;
        }
        m_revisions = reply->object().value(QLatin1String("results")).toArray();
        m_list->clear();
        for (const QJsonValue &value : std::as_const(m_revisions)) {
            const QJsonObject revision = value.toObject();
            const QDateTime created = QDateTime::fromString(
                revision.value(QLatin1String("created")).toString(), Qt::ISODateWithMs);
            m_list->addItem(
                tr("%1 — %2 — %3")
                    .arg(revision.value(QLatin1String("revision")).toInteger())
                    .arg(created.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                         revision.value(QLatin1String("author")).toString()));
        }
        const bool more =
            reply->object().value(QLatin1String("page")).toObject().contains(QLatin1String("next"));
        m_status->setText(more ? tr("The newest %1 revisions").arg(m_revisions.size())
                               : tr("%1 revisions, newest first").arg(m_revisions.size()));
        if (!m_revisions.isEmpty())
            m_list->setCurrentRow(0);
    });
}

void RevisionsDialog::showDiff()
{
    const int row = m_list->currentRow();
    if (row < 0 || row >= m_revisions.size())
        return;
    const QJsonValue selected =
        m_revisions.at(row).toObject().value(QLatin1String("configuration"));
    const bool previous = m_againstPrevious->isChecked();
    const QJsonValue base =
        previous ? (row + 1 < m_revisions.size()
                        ? m_revisions.at(row + 1).toObject().value(QLatin1String("configuration"))
                        : QJsonValue(QJsonObject()))
                 : m_revisions.at(0).toObject().value(QLatin1String("configuration"));
    // What changes from the base to the selected revision.
    m_diff->setPlainText(formatDiff(diffLines(lines(base), lines(selected))));
    m_restore->setEnabled(row > 0);
}

void RevisionsDialog::restore()
{
    const int row = m_list->currentRow();
    if (row <= 0)
        return;
    const QJsonObject revision = m_revisions.at(row).toObject();
    const qint64 number = revision.value(QLatin1String("revision")).toInteger();
    if (!DocumentView::confirm(this, tr("Restore"),
                               tr("Replace the current configuration with revision %1? Streams it "
                                  "does not have are deleted and their subscribers disconnected.")
                                   .arg(number)))
        return;
    const QUrlQuery scope = m_core ? QUrlQuery() : m_session.documentScope();
    ApiReply *reply = m_session.client().patch(
        QLatin1String(ServiceClient::kConfigurationPath),
        {{QStringLiteral("operation"), QStringLiteral("REPLACE")},
         {QStringLiteral("configuration"), revision.value(QLatin1String("configuration"))}},
        scope);
    reply->setWhat(tr("Restoring revision %1").arg(number));
    connect(reply, &ApiReply::finished, this, [this, reply, number] {
        if (!reply->ok()) {
            m_status->setText(tr("Not restored: %1").arg(reply->error()));
            return;
        }
        emit restored(number);
        accept();
    });
}

} // namespace console
