#pragma once

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

#include <functional>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;
class QToolBar;

namespace console {

class EntryEditor;
class Session;

// The streams (or the webhooks) of the edited configuration document and, beside them,
// the core document's (read-only unless the connection is a core administrator's): a
// tree of entries and the editor of the selected one, with New, Save (PATCH UPDATE),
// Delete (with confirmation), Duplicate, Import and Export JSON, the revision history
// with a diff and restore, and for webhooks a test call. Unsaved changes are never lost
// silently: switching entries, reloading or leaving asks first.
class DocumentView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentView)

public:
    enum class Kind { Streams, Webhooks };
    // Asks a yes/no question; tests replace it.
    using Confirm = std::function<bool(QWidget *parent, const QString &title, const QString &text)>;
    static Confirm confirm;
    // Save, Discard or Cancel for unsaved changes: 1, 0, -1. Tests replace it.
    using AskToSave = std::function<int(QWidget *parent, const QString &text)>;
    static AskToSave askToSave;

    explicit DocumentView(Kind kind, QWidget *parent = nullptr);

    void setSession(Session *session);
    Kind kind() const { return m_kind; }
    EntryEditor *editor() const { return m_editor; }
    QTreeWidget *tree() const { return m_tree; }
    QLabel *banner() const { return m_banner; }
    bool isDirty() const;
    // Runs `proceed` once there are no unsaved changes: at once when there are none; when
    // there are, after asking — once saved (Save), or discarded (Discard); never for Cancel
    // or a save that fails.
    void whenSaved(std::function<void()> proceed);
    // The entries of the edited (own) or core document, by id.
    QJsonObject entries(bool core = false) const;
    QString currentId() const { return m_currentKey; }

public slots:
    void reload();
    void newEntry();
    void save() { save({}); }
    void save(std::function<void()> then);
    void deleteEntry();
    void duplicate();
    void importJson();
    void exportJson();
    void showHistory();
    void testWebhook();
    bool selectEntry(const QString &id, bool core = false);
    // An activity item of type configuration-changed.
    void onConfigurationChanged(const QJsonObject &item);

signals:
    void message(const QString &text, bool error);
    void saved(const QString &id);
    void loaded();

private:
    void load();
    void startNew();
    void importFile();
    void openHistory();
    void fillTree();
    // Puts `entry` in the editor: read-only when it is core and the session may not change
    // core entries. (Not show(): that would hide QWidget::show().)
    void openEntry(const QString &key, bool core, const QJsonObject &entry, bool isNew);
    void onSelectionChanged();
    void setBanner(const QString &text, bool error);
    void setDocument(const QJsonObject &document);
    // Is the entry on the screen one of the core document shown beside a tenant's?
    bool editingCoreBeside() const;
    // Webhook changes rewrite the whole `webhooks` key of the latest document. `core`: of
    // the core document shown beside a tenant's, else of the edited one.
    void changeWebhooks(bool core, std::function<void(QJsonObject &webhooks)> change,
                        std::function<void()> then);
    void patch(bool core, const QJsonObject &request, std::function<void()> then,
               const QString &failure = QString());
    void updateActions();
    QString noun() const;

    Kind m_kind;
    QPointer<Session> m_session;
    QToolBar *m_toolbar;
    QTreeWidget *m_tree;
    EntryEditor *m_editor;
    QLabel *m_banner;
    QJsonObject m_document;
    QJsonObject m_coreDocument;
    QString m_currentKey; // empty for a new, unsaved entry
    bool m_currentCore = false;
    bool m_currentNew = false;
    QJsonObject m_original;
    bool m_selecting = false;
    QList<QAction *> m_editActions;
    QAction *m_testAction = nullptr;
};

// The entries of `document` for a kind: streams (every key but `webhooks`) or webhooks
// (the `webhooks` key, an object by id or an array, as an object by id).
QJsonObject entriesOf(DocumentView::Kind kind, const QJsonObject &document);

} // namespace console
