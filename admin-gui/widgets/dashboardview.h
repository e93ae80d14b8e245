#pragma once

#include <QDateTime>
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace console {

class ReplayLogTiles;
class Session;

// Connections and events per second over the last ten minutes, as charts (Qt Charts),
// from the service's /metrics read every few seconds while connected, the current
// figures beside them, and the replay log's tiles below.
class DashboardView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardView)

public:
    explicit DashboardView(QWidget *parent = nullptr);

    void setSession(Session *session);
    void setInterval(int milliseconds) { m_timer.setInterval(milliseconds); }
    int samples() const { return m_samples; }
    QLineSeries *subscriptionSeries() const { return m_sse; }
    QLineSeries *eventRateSeries() const { return m_events; }
    QLabel *figures() const { return m_figures; }
    ReplayLogTiles *replayLog() const { return m_replayLog; }

public slots:
    void sample();

private:
    struct Chart
    {
        QChart *chart;
        QDateTimeAxis *time;
        QValueAxis *value;
    };
    Chart makeChart(const QString &title, const QString &unit, QChartView *view);
    void append(QLineSeries *series, const QDateTime &at, double value, Chart &chart);

    QPointer<Session> m_session;
    QTimer m_timer;
    QChartView *m_connectionsView;
    QChartView *m_eventsView;
    Chart m_connections{};
    Chart m_rates{};
    QLineSeries *m_sse;
    QLineSeries *m_socketio;
    QLineSeries *m_events;
    QLineSeries *m_deliveries;
    QLabel *m_figures;
    ReplayLogTiles *m_replayLog;
    double m_lastEvents = -1;
    double m_lastDeliveries = -1;
    QDateTime m_lastAt;
    QDateTime m_firstAt;
    int m_samples = 0;
    bool m_inFlight = false;
};

} // namespace console
