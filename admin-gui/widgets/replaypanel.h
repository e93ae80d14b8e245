#pragma once

#include "client/replayreader.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;
class QTableView;

namespace console {

class ReplayModel;
class Session;

// The Events view's Replay page: a stream's replay log read from a cursor or from a time
// (ReplayReader over the service's polling route), each item with its cursor, at most
// `cap` items per run (Continue reads on), cancellable; a reset is shown with its reason
// and ends the run.
class ReplayPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplayPanel)

public:
    explicit ReplayPanel(QWidget *parent = nullptr);

    void setSession(Session *session);

    QComboBox *streamCombo() const { return m_stream; }
    QRadioButton *fromCursorButton() const { return m_fromCursor; }
    QRadioButton *fromTimeButton() const { return m_fromTime; }
    QLineEdit *cursorEdit() const { return m_cursor; }
    QDateTimeEdit *timeEdit() const { return m_time; }
    QLineEdit *criteriaEdit() const { return m_criteria; }
    QSpinBox *capSpin() const { return m_cap; }
    QPushButton *replayButton() const { return m_replay; }
    QPushButton *continueButton() const { return m_continue; }
    QPushButton *cancelButton() const { return m_cancel; }
    QLabel *statusLabel() const { return m_status; }
    QTableView *table() const { return m_table; }
    ReplayModel *model() const { return m_model; }
    ReplayReader *reader() const { return m_reader; }

public slots:
    // A new run: the table is cleared, then filled from the cursor or the time.
    void replay();
    // Reads on after a run stopped at the cap, below what is shown.
    void continueReplay();
    void cancel();
    // Fills the stream list from GET /stream/v1/streams.
    void loadStreams();

signals:
    void message(const QString &text, bool error);

private:
    QWidget *buildForm();
    void start(ReplayReader::Request request);
    void onFinished(ReplayReader::Outcome outcome, const QString &text);
    void showDetail();
    void setRunning(bool running);

    QPointer<Session> m_session;
    ReplayReader *m_reader = nullptr; // made with the session's client
    ReplayModel *m_model;
    QComboBox *m_stream;
    QRadioButton *m_fromCursor;
    QRadioButton *m_fromTime;
    QLineEdit *m_cursor;
    QDateTimeEdit *m_time;
    QLineEdit *m_criteria;
    QSpinBox *m_cap;
    QPushButton *m_replay;
    QPushButton *m_continue;
    QPushButton *m_cancel;
    QLabel *m_status;
    QTableView *m_table;
    QPlainTextEdit *m_detail;
    ReplayReader::Request m_last;
};

} // namespace console
