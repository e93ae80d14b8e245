#include "documentview.h"

#include "client/session.h"
#include "shared/configuration.h"
#include "widgets/revisionsdialog.h"
#include "widgets/streameditor.h"
#include "widgets/webhookeditor.h"

#include <QAction>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QSplitter>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace console {

namespace {

constexpr int kKeyRole = Qt::UserRole;
constexpr int kCoreRole = Qt::UserRole + 1;
const QString kPath = QLatin1String(ServiceClient::kConfigurationPath);

} // namespace

DocumentView::Confirm DocumentView::confirm = [](QWidget *parent, const QString &title,
                                                 const QString &text) {
    return QMessageBox::question(parent, title, text) == QMessageBox::Yes;
};

DocumentView::AskToSave DocumentView::askToSave = [](QWidget *parent, const QString &text) {
    const auto answer =
        QMessageBox::question(parent, tr("Unsaved changes"), text,
                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    return answer == QMessageBox::Save ? 1 : answer == QMessageBox::Discard ? 0 : -1;
};

QJsonObject entriesOf(DocumentView::Kind kind, const QJsonObject &document)
{
    QJsonObject entries;
    if (kind == DocumentView::Kind::Streams) {
        for (auto it = document.constBegin(); it != document.constEnd(); ++it) {
            if (it.key() != QLatin1String(push::kWebhooksKey) && it.value().isObject())
                entries.insert(it.key(), it.value());
        }
        return entries;
    }
    const QJsonValue webhooks = document.value(QLatin1String(push::kWebhooksKey));
    if (webhooks.isObject())
        return webhooks.toObject();
    for (const QJsonValue &value : webhooks.toArray()) {
        const QString id = value.toObject().value(QLatin1String("id")).toString();
        if (!id.isEmpty())
            entries.insert(id, value);
    }
    return entries;
}

DocumentView::DocumentView(Kind kind, QWidget *parent)
    : QWidget(parent)
    , m_kind(kind)
    , m_toolbar(new QToolBar)
    , m_tree(new QTreeWidget)
    , m_banner(new QLabel)
{
    if (kind == Kind::Streams)
        m_editor = new StreamEditor;
    else
        m_editor = new WebhookEditor;
    setObjectName(kind == Kind::Streams ? QStringLiteral("streamsView")
                                        : QStringLiteral("webhooksView"));
    m_tree->setObjectName(QStringLiteral("entryTree"));
    m_banner->setObjectName(QStringLiteral("banner"));
    m_tree->setHeaderLabels({tr("Id"), tr("Name")});
    m_tree->header()->setStretchLastSection(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_banner->setWordWrap(true);
    m_banner->setVisible(false);

    auto add = [this](const QString &text, const QKeySequence &shortcut, auto slot, bool edits) {
        QAction *action = m_toolbar->addAction(text, this, slot);
        action->setShortcut(shortcut);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        if (edits)
            m_editActions.append(action);
        return action;
    };
    add(tr("New"), QKeySequence::New, &DocumentView::newEntry, true);
    add(tr("Save"), QKeySequence::Save, qOverload<>(&DocumentView::save), true);
    add(tr("Duplicate"), QKeySequence(Qt::CTRL | Qt::Key_D), &DocumentView::duplicate, true);
    add(tr("Delete"), QKeySequence(Qt::CTRL | Qt::Key_Delete), &DocumentView::deleteEntry, true);
    m_toolbar->addSeparator();
    add(tr("Import…"), QKeySequence(Qt::CTRL | Qt::Key_I), &DocumentView::importJson, true);
    add(tr("Export…"), QKeySequence(Qt::CTRL | Qt::Key_E), &DocumentView::exportJson, false);
    add(tr("History…"), QKeySequence(Qt::CTRL | Qt::Key_H), &DocumentView::showHistory, false);
    add(tr("Reload"), QKeySequence::Refresh, &DocumentView::reload, false);
    if (kind == Kind::Webhooks) {
        m_toolbar->addSeparator();
        m_testAction = add(tr("Send test event"), QKeySequence(Qt::CTRL | Qt::Key_T),
                           &DocumentView::testWebhook, false);
    }

    auto *splitter = new QSplitter;
    splitter->addWidget(m_tree);
    splitter->addWidget(m_editor);
    splitter->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_toolbar);
    layout->addWidget(m_banner);
    layout->addWidget(splitter, 1);

    connect(m_tree, &QTreeWidget::currentItemChanged, this, &DocumentView::onSelectionChanged);
    connect(m_editor, &EntryEditor::changed, this, &DocumentView::updateActions);
    setSession(nullptr);
}

QString DocumentView::noun() const
{
    return m_kind == Kind::Streams ? tr("stream") : tr("webhook");
}

void DocumentView::setSession(Session *session)
{
    m_session = session;
    m_document = {};
    m_coreDocument = {};
    m_currentKey.clear();
    m_currentNew = false;
    m_original = {};
    m_editor->setEntry({}, true);
    fillTree();
    updateActions();
    if (session)
        reload();
}

bool DocumentView::isDirty() const
{
    if (m_currentCore && !(m_session && m_session->coreEditable()))
        return false;
    return m_currentNew ? !m_editor->entry().isEmpty() : m_editor->entry() != m_original;
}

void DocumentView::whenSaved(std::function<void()> proceed)
{
    if (!isDirty()) {
        proceed();
        return;
    }
    const QString id = m_editor->entryId();
    const int answer = askToSave(this, tr("The %1 '%2' has unsaved changes. Save them?")
                                           .arg(noun(), id.isEmpty() ? tr("(new)") : id));
    if (answer < 0)
        return;
    if (answer > 0) {
        save(std::move(proceed)); // goes on once saved; not at all when the save fails
        return;
    }
    m_original = m_editor->entry(); // discarded
    m_currentNew = false;
    proceed();
}

QJsonObject DocumentView::entries(bool core) const
{
    return entriesOf(m_kind, core ? m_coreDocument : m_document);
}

void DocumentView::setBanner(const QString &text, bool error)
{
    m_banner->setText(text);
    m_banner->setStyleSheet(
        error ? QStringLiteral("background: #fde7e9; color: #b00020; padding: 4px")
              : QStringLiteral("background: #e7f5e9; color: #1b5e20; padding: 4px"));
    m_banner->setVisible(!text.isEmpty());
    if (!text.isEmpty())
        emit message(text, error);
}

void DocumentView::reload()
{
    if (!m_session)
        return;
    whenSaved([this] { load(); });
}

void DocumentView::load()
{
    if (!m_session)
        return;
    ApiReply *own = m_session->client().get(kPath, m_session->documentScope());
    own->setWhat(tr("Loading the %1 configuration").arg(m_session->documentName()));
    connect(own, &ApiReply::finished, this, [this, own] {
        if (!own->ok()) {
            setBanner(tr("Cannot load the configuration: %1").arg(own->error()), true);
            return;
        }
        m_document = own->object();
        if (!m_session->showsCore()) {
            fillTree();
            emit loaded();
            return;
        }
        QUrlQuery core;
        core.addQueryItem(QStringLiteral("core"), QString());
        ApiReply *coreReply = m_session->client().get(kPath, core);
        coreReply->setWhat(tr("Loading the core configuration"));
        connect(coreReply, &ApiReply::finished, this, [this, coreReply] {
            if (coreReply->ok())
                m_coreDocument = coreReply->object();
            else
                setBanner(tr("Cannot load the core configuration: %1").arg(coreReply->error()),
                          true);
            fillTree();
            emit loaded();
        });
    });
}

void DocumentView::fillTree()
{
    const QString keepKey = m_currentKey;
    const bool keepCore = m_currentCore;
    m_selecting = true;
    m_tree->clear();
    if (m_session) {
        auto addGroup = [this](const QString &title, const QJsonObject &entries, bool core) {
            auto *group = new QTreeWidgetItem(m_tree, {title});
            group->setFlags(Qt::ItemIsEnabled);
            group->setData(0, kCoreRole, core);
            for (auto it = entries.constBegin(); it != entries.constEnd(); ++it) {
                auto *item = new QTreeWidgetItem(
                    group,
                    {it.key(), it.value().toObject().value(QLatin1String("name")).toString()});
                item->setData(0, kKeyRole, it.key());
                item->setData(0, kCoreRole, core);
            }
            group->setExpanded(true);
        };
        addGroup(m_session->editsCore() ? tr("Core document") : m_session->documentName(),
                 entries(false), m_session->editsCore());
        if (m_session->showsCore())
            addGroup(m_session->coreEditable() ? tr("Core document")
                                               : tr("Core document (read-only)"),
                     entries(true), true);
    }
    m_selecting = false;
    if (!keepKey.isEmpty() && !m_currentNew)
        selectEntry(keepKey, keepCore && m_session && !m_session->editsCore());
    updateActions();
}

bool DocumentView::selectEntry(const QString &id, bool core)
{
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = m_tree->topLevelItem(g);
        const bool groupCore = g > 0;
        if (groupCore != core)
            continue;
        for (int i = 0; i < group->childCount(); ++i) {
            if (group->child(i)->data(0, kKeyRole).toString() == id) {
                m_tree->setCurrentItem(group->child(i));
                return m_tree->currentItem() == group->child(i);
            }
        }
    }
    return false;
}

void DocumentView::onSelectionChanged()
{
    if (m_selecting)
        return;
    QTreeWidgetItem *item = m_tree->currentItem();
    if (!item || item->data(0, kKeyRole).toString().isEmpty())
        return;
    const QString key = item->data(0, kKeyRole).toString();
    const bool core = item->data(0, kCoreRole).toBool();
    if (key == m_currentKey && core == m_currentCore && !m_currentNew)
        return;
    const bool inCoreGroup = core && !(m_session && m_session->editsCore());
    if (isDirty()) {
        // Stay on the entry with unsaved changes until they are saved or discarded.
        m_selecting = true;
        m_tree->setCurrentItem(nullptr);
        m_selecting = false;
        whenSaved([this, key, inCoreGroup] { selectEntry(key, inCoreGroup); });
        return;
    }
    openEntry(key, core, entries(inCoreGroup).value(key).toObject(), false);
}

void DocumentView::openEntry(const QString &key, bool core, const QJsonObject &entry, bool isNew)
{
    m_currentKey = key;
    m_currentCore = core;
    m_currentNew = isNew;
    m_original = isNew ? QJsonObject() : entry;
    const bool readOnly = core && !(m_session && m_session->coreEditable());
    m_editor->setEntry(entry, readOnly);
    updateActions();
}

void DocumentView::updateActions()
{
    const bool connected = !m_session.isNull();
    for (QAction *action : std::as_const(m_editActions))
        action->setEnabled(connected);
    if (m_testAction)
        m_testAction->setEnabled(connected && !m_currentKey.isEmpty() && !m_currentNew);
}

void DocumentView::newEntry()
{
    if (m_session)
        whenSaved([this] { startNew(); });
}

void DocumentView::startNew()
{
    if (!m_session)
        return;
    m_tree->setCurrentItem(nullptr);
    QJsonObject blank{{QStringLiteral("id"), QString()}, {QStringLiteral("name"), QString()}};
    if (m_kind == Kind::Streams)
        blank.insert(QStringLiteral("events"), QJsonArray());
    else
        blank.insert(QStringLiteral("url"), QString());
    openEntry(QString(), m_session->editsCore(), blank, true);
    m_editor->setFocus();
}

void DocumentView::duplicate()
{
    if (!m_session || (m_currentKey.isEmpty() && !m_currentNew))
        return;
    // A copy of what is on the screen: unsaved edits are copied, not lost.
    QJsonObject copy = m_editor->entry();
    QString id = copy.value(QLatin1String("id")).toString() + QStringLiteral("-copy");
    const QJsonObject own = entries(false);
    for (int n = 2; own.contains(id); ++n)
        id = copy.value(QLatin1String("id")).toString() + QStringLiteral("-copy-%1").arg(n);
    copy.insert(QStringLiteral("id"), id);
    copy.insert(QStringLiteral("name"),
                tr("%1 (copy)").arg(copy.value(QLatin1String("name")).toString()));
    m_tree->setCurrentItem(nullptr);
    openEntry(QString(), m_session->editsCore(), copy, true);
}

bool DocumentView::editingCoreBeside() const
{
    return m_currentCore && m_session && !m_session->editsCore();
}

void DocumentView::patch(bool core, const QJsonObject &request, std::function<void()> then,
                         const QString &failure)
{
    // The core document beside a tenant's: only a core administrator changes it, and a core
    // caller who names no tenant is changing the core document.
    const QUrlQuery scope = core ? QUrlQuery() : m_session->documentScope();
    ApiReply *reply = m_session->client().patch(kPath, request, scope);
    reply->setWhat(tr("Saving"));
    connect(reply, &ApiReply::finished, this, [this, reply, then, core, failure] {
        if (!reply->ok()) {
            setBanner(
                tr("%1: %2").arg(failure.isEmpty() ? tr("Not saved") : failure, reply->error()),
                true);
            return;
        }
        const QJsonObject configuration = reply->object()
                                              .value(QLatin1String("latest"))
                                              .toObject()
                                              .value(QLatin1String("configuration"))
                                              .toObject();
        (core ? m_coreDocument : m_document) = configuration;
        then();
    });
}

void DocumentView::changeWebhooks(bool core, std::function<void(QJsonObject &)> change,
                                  std::function<void()> then)
{
    // Read the latest document first: the whole `webhooks` key is written back.
    QUrlQuery scope = m_session->documentScope();
    if (core) {
        scope = QUrlQuery();
        scope.addQueryItem(QStringLiteral("core"), QString());
    }
    ApiReply *latest = m_session->client().get(kPath, scope);
    latest->setWhat(tr("Reading the latest webhooks"));
    connect(latest, &ApiReply::finished, this, [this, latest, change, then, core] {
        if (!latest->ok()) {
            setBanner(tr("Not saved: %1").arg(latest->error()), true);
            return;
        }
        QJsonObject webhooks = entriesOf(Kind::Webhooks, latest->object());
        change(webhooks);
        patch(core,
              {{QStringLiteral("operation"), QStringLiteral("UPDATE")},
               {QStringLiteral("update"),
                QJsonObject{{QLatin1String(push::kWebhooksKey), webhooks}}}},
              then);
    });
}

void DocumentView::save(std::function<void()> then)
{
    if (!m_session)
        return;
    if (m_currentCore && !m_session->coreEditable()) {
        setBanner(tr("Core entries are changed by core administrators"), true);
        return;
    }
    const QJsonObject entry = m_editor->entry();
    const QString id = entry.value(QLatin1String("id")).toString();
    QStringList problems = m_editor->problems();
    if (m_kind == Kind::Streams && id == QLatin1String(push::kWebhooksKey))
        problems.append(tr("'webhooks' is reserved for the webhooks"));
    const bool core = editingCoreBeside();
    if ((m_currentNew || id != m_currentKey) && entries(core).contains(id))
        problems.append(tr("a %1 with the id '%2' exists").arg(noun(), id));
    if (!problems.isEmpty()) {
        setBanner(tr("Not saved: %1").arg(problems.join(QStringLiteral("; "))), true);
        return;
    }
    const QString renamedFrom = (!m_currentNew && m_currentKey != id) ? m_currentKey : QString();
    const bool currentCore = m_currentCore;
    auto done = [this, id, core, currentCore, then] {
        m_currentNew = false;
        m_currentKey = id;
        m_original = entries(core).value(id).toObject();
        fillTree();
        selectEntry(id, core);
        openEntry(id, currentCore, m_original, false);
        setBanner(tr("Saved %1 '%2'").arg(noun(), id), false);
        emit saved(id);
        if (then)
            then();
    };
    if (m_kind == Kind::Webhooks) {
        changeWebhooks(
            core,
            [renamedFrom, id, entry](QJsonObject &webhooks) {
                if (!renamedFrom.isEmpty())
                    webhooks.remove(renamedFrom);
                webhooks.insert(id, entry);
            },
            done);
        return;
    }
    patch(core,
          {{QStringLiteral("operation"), QStringLiteral("UPDATE")},
           {QStringLiteral("update"), QJsonObject{{id, entry}}}},
          [this, renamedFrom, done, core, id] {
              if (renamedFrom.isEmpty()) {
                  done();
                  return;
              }
              // Saved under the new id: from here on this is that stream, whatever the
              // DELETE of the old one comes to.
              m_currentKey = id;
              m_currentNew = false;
              patch(core,
                    {{QStringLiteral("operation"), QStringLiteral("DELETE")},
                     {QStringLiteral("property"), renamedFrom}},
                    done, tr("Saved as '%1', but '%2' is still there").arg(id, renamedFrom));
          });
}

void DocumentView::deleteEntry()
{
    if (!m_session || m_currentKey.isEmpty() || m_currentNew)
        return;
    if (m_currentCore && !m_session->coreEditable()) {
        setBanner(tr("Core entries are changed by core administrators"), true);
        return;
    }
    const QString id = m_currentKey;
    if (!confirm(this, tr("Delete"),
                 tr("Delete the %1 '%2'? Its subscribers are disconnected.").arg(noun(), id)))
        return;
    auto done = [this, id] {
        m_currentKey.clear();
        m_original = {};
        m_editor->setEntry({}, true);
        fillTree();
        setBanner(tr("Deleted %1 '%2'").arg(noun(), id), false);
    };
    const bool core = editingCoreBeside();
    if (m_kind == Kind::Webhooks)
        changeWebhooks(
            core, [id](QJsonObject &webhooks) { webhooks.remove(id); }, done);
    else
        patch(core,
              {{QStringLiteral("operation"), QStringLiteral("DELETE")},
               {QStringLiteral("property"), id}},
              done);
}

void DocumentView::showHistory()
{
    if (m_session)
        whenSaved([this] { openHistory(); });
}

void DocumentView::openHistory()
{
    if (!m_session)
        return;
    const bool core = editingCoreBeside();
    auto *dialog = new RevisionsDialog(*m_session, core, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &RevisionsDialog::restored, this, [this](qint64 revision) {
        setBanner(tr("Restored revision %1").arg(revision), false);
        m_original = {};
        m_currentKey.clear();
        m_currentNew = false;
        reload();
    });
    dialog->open();
}

void DocumentView::testWebhook()
{
    if (!m_session || m_kind != Kind::Webhooks || m_currentKey.isEmpty() || m_currentNew)
        return;
    QUrlQuery scope = m_session->documentScope();
    const QString id = m_currentKey;
    ApiReply *reply =
        m_session->client().post(QStringLiteral("/admin/v1/webhooks/%1/test")
                                     .arg(QString::fromLatin1(QUrl::toPercentEncoding(id))),
                                 {}, scope);
    reply->setWhat(tr("Calling webhook %1").arg(id));
    connect(reply, &ApiReply::finished, this, [this, reply, id] {
        if (!reply->ok()) {
            setBanner(tr("Test of '%1' failed: %2").arg(id, reply->error()), true);
            return;
        }
        const QJsonObject result = reply->object();
        const bool success =
            result.value(QLatin1String("outcome")).toString() == QLatin1String("success");
        setBanner(tr("Test of '%1': %2 %3 in %4 ms")
                      .arg(id)
                      .arg(result.value(QLatin1String("statusCode")).toInt())
                      .arg(result.value(QLatin1String("status")).toString())
                      .arg(result.value(QLatin1String("responseTime")).toInteger()),
                  !success);
    });
}

void DocumentView::onConfigurationChanged(const QJsonObject &item)
{
    if (!m_session)
        return;
    const QString author = item.value(QLatin1String("author")).toString();
    if (isDirty()) {
        setBanner(tr("The configuration changed on the server (revision %1 by %2); save or reload "
                     "to see it")
                      .arg(item.value(QLatin1String("revision")).toInteger())
                      .arg(author),
                  false);
        return;
    }
    reload();
}

} // namespace console
