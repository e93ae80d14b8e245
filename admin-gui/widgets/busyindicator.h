#pragma once

#include <QList>
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace console {

class ApiReply;

// The status bar's "working…" indicator: once a call has taken more than 300 ms it shows
// what is going on with a busy bar and a Cancel button that aborts every pending call.
class BusyIndicator final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BusyIndicator)

public:
    explicit BusyIndicator(QWidget *parent = nullptr);

    void track(ApiReply *reply);
    int pending() const;

public slots:
    void cancelAll();

private:
    void update();

    QList<QPointer<ApiReply>> m_replies;
    QTimer m_delay;
    QLabel *m_label;
    QProgressBar *m_bar;
    QPushButton *m_cancel;
};

} // namespace console
