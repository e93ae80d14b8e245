// DocumentView's files: import and export of entries as JSON.
#include "widgets/documentview.h"

#include "client/session.h"
#include "shared/configuration.h"
#include "widgets/streameditor.h"

#include <QFile>
#include <QFileDialog>
#include <QJsonDocument>
#include <QTreeWidget>

namespace console {

void DocumentView::importJson()
{
    if (m_session)
        whenSaved([this] { importFile(); });
}

void DocumentView::importFile()
{
    if (!m_session)
        return;
    const QString file = QFileDialog::getOpenFileName(this, tr("Import %1").arg(noun()), QString(),
                                                      tr("JSON (*.json);;All files (*)"));
    if (file.isEmpty())
        return;
    QFile in(file);
    QJsonParseError error{};
    const QJsonDocument document = in.open(QIODevice::ReadOnly)
                                       ? QJsonDocument::fromJson(in.readAll(), &error)
                                       : QJsonDocument();
    if (!document.isObject()) {
        setBanner(tr("%1 is not a JSON object: %2")
                      .arg(file, in.isOpen() ? error.errorString() : in.errorString()),
                  true);
        return;
    }
    const QJsonObject object = document.object();
    if (object.contains(QLatin1String("id"))) { // one entry: into the editor, to review and save
        m_tree->setCurrentItem(nullptr);
        openEntry(QString(), m_session->editsCore(), object, true);
        setBanner(tr("Imported '%1' from %2: not saved yet")
                      .arg(object.value(QLatin1String("id")).toString(), file),
                  false);
        return;
    }
    const QJsonObject imported = entriesOf(m_kind, object).isEmpty() && m_kind == Kind::Webhooks
                                     ? object
                                     : entriesOf(m_kind, object);
    const QList<push::ValidationError> problems = push::validateConfiguration(
        m_kind == Kind::Streams ? imported
                                : QJsonObject{{QLatin1String(push::kWebhooksKey), imported}});
    if (!problems.isEmpty()) {
        setBanner(tr("Not imported: %1").arg(problems.first().message), true);
        return;
    }
    if (!confirm(this, tr("Import"),
                 tr("Import %1 entries from %2 into the %3 configuration?")
                     .arg(imported.size())
                     .arg(file, m_session->documentName())))
        return;
    // Into the edited document (the own one, which is the core one for a core connection).
    auto done = [this, imported] {
        fillTree();
        setBanner(tr("Imported %1 entries").arg(imported.size()), false);
    };
    if (m_kind == Kind::Webhooks)
        changeWebhooks(
            false,
            [imported](QJsonObject &webhooks) {
                for (auto it = imported.constBegin(); it != imported.constEnd(); ++it)
                    webhooks.insert(it.key(), it.value());
            },
            done);
    else
        patch(false,
              {{QStringLiteral("operation"), QStringLiteral("UPDATE")},
               {QStringLiteral("update"), imported}},
              done);
}

void DocumentView::exportJson()
{
    const bool one = !m_currentKey.isEmpty() || m_currentNew;
    const QJsonObject content = one ? m_editor->entry() : entries(false);
    const QString suggested = (one                       ? m_editor->entryId()
                               : m_kind == Kind::Streams ? QStringLiteral("streams")
                                                         : QStringLiteral("webhooks")) +
                              QStringLiteral(".json");
    const QString file = QFileDialog::getSaveFileName(this, tr("Export"), suggested,
                                                      tr("JSON (*.json);;All files (*)"));
    if (file.isEmpty())
        return;
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        out.write(QJsonDocument(content).toJson(QJsonDocument::Indented)) < 0) {
        setBanner(tr("Cannot write %1: %2").arg(file, out.errorString()), true);
        return;
    }
    setBanner(tr("Exported to %1").arg(file), false);
}

} // namespace console
