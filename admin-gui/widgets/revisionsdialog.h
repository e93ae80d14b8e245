#pragma once

#include <QDialog>
#include <QJsonArray>

class QCheckBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace console {

class Session;

// The numbered revisions of a configuration document (who and when), the diff of the
// selected one against the current one (or the one before it), and Restore (PATCH
// REPLACE with its document, itself a new revision).
class RevisionsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RevisionsDialog)

public:
    RevisionsDialog(Session &session, bool core, QWidget *parent = nullptr);

    QListWidget *list() const { return m_list; }
    QPlainTextEdit *diffView() const { return m_diff; }

signals:
    void restored(qint64 revision);

private:
    void load();
    void showDiff();
    void restore();

    Session &m_session;
    bool m_core;
    QJsonArray m_revisions;
    QListWidget *m_list;
    QPlainTextEdit *m_diff;
    QCheckBox *m_againstPrevious;
    QPushButton *m_restore;
    QLabel *m_status;
};

} // namespace console
