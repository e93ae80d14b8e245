#include "dashboardview.h"

#include "client/prometheus.h"
#include "client/session.h"
#include "widgets/replaylogtiles.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QValueAxis>

namespace console {

namespace {
constexpr qint64 kWindowSeconds = 600;
} // namespace

DashboardView::DashboardView(QWidget *parent)
    : QWidget(parent)
    , m_connectionsView(new QChartView)
    , m_eventsView(new QChartView)
    , m_sse(new QLineSeries)
    , m_socketio(new QLineSeries)
    , m_events(new QLineSeries)
    , m_deliveries(new QLineSeries)
    , m_figures(new QLabel)
    , m_replayLog(new ReplayLogTiles)
{
    setObjectName(QStringLiteral("dashboardView"));
    m_figures->setObjectName(QStringLiteral("dashboardFigures"));
    m_sse->setName(tr("SSE"));
    m_socketio->setName(tr("socket.io"));
    m_events->setName(tr("events/s"));
    m_deliveries->setName(tr("deliveries/s"));
    m_connections = makeChart(tr("Subscriptions"), tr("open"), m_connectionsView);
    m_rates = makeChart(tr("Throughput"), tr("per second"), m_eventsView);
    for (QLineSeries *series : {m_sse, m_socketio}) {
        m_connections.chart->addSeries(series);
        series->attachAxis(m_connections.time);
        series->attachAxis(m_connections.value);
    }
    for (QLineSeries *series : {m_events, m_deliveries}) {
        m_rates.chart->addSeries(series);
        series->attachAxis(m_rates.time);
        series->attachAxis(m_rates.value);
    }
    m_figures->setTextFormat(Qt::RichText);
    m_figures->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_figures->setMinimumWidth(220);
    m_figures->setText(tr("Not connected"));
    auto *layout = new QGridLayout(this);
    layout->addWidget(m_connectionsView, 0, 0);
    layout->addWidget(m_eventsView, 1, 0);
    layout->addWidget(m_figures, 0, 1, 2, 1);
    layout->addWidget(m_replayLog, 2, 0, 1, 2);
    layout->setColumnStretch(0, 1);
    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, &DashboardView::sample);
}

DashboardView::Chart DashboardView::makeChart(const QString &title, const QString &unit,
                                              QChartView *view)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    auto *time = new QDateTimeAxis;
    time->setFormat(QStringLiteral("HH:mm"));
    time->setTickCount(6);
    auto *value = new QValueAxis;
    value->setTitleText(unit);
    value->setLabelFormat(QStringLiteral("%.0f"));
    value->setRange(0, 1);
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(value, Qt::AlignLeft);
    const QDateTime now = QDateTime::currentDateTime();
    time->setRange(now.addSecs(-kWindowSeconds), now);
    // setChart() releases the chart the view made for itself without deleting it.
    QChart *const previous = view->chart();
    view->setChart(chart);
    delete previous;
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return {chart, time, value};
}

void DashboardView::setSession(Session *session)
{
    m_session = session;
    for (QLineSeries *series : {m_sse, m_socketio, m_events, m_deliveries})
        series->clear();
    m_lastEvents = m_lastDeliveries = -1;
    m_samples = 0;
    m_firstAt = QDateTime();
    m_figures->setText(session ? tr("Reading /metrics…") : tr("Not connected"));
    m_replayLog->clear();
    if (session) {
        m_timer.start();
        sample();
    } else {
        m_timer.stop();
    }
}

void DashboardView::append(QLineSeries *series, const QDateTime &at, double value, Chart &chart)
{
    series->append(double(at.toMSecsSinceEpoch()), value);
    const double oldest = double(at.addSecs(-kWindowSeconds).toMSecsSinceEpoch());
    while (series->count() > 0 && series->at(0).x() < oldest)
        series->remove(0);
    // The last ten minutes, or since the first sample (at least a minute).
    QDateTime from = at.addSecs(-kWindowSeconds);
    if (m_firstAt.isValid() && m_firstAt > from)
        from = std::min(m_firstAt, at.addSecs(-60));
    chart.time->setRange(from, at);
    chart.time->setFormat(from.secsTo(at) < 180 ? QStringLiteral("HH:mm:ss")
                                                : QStringLiteral("HH:mm"));
    double top = 1;
    for (QAbstractSeries *abstract : chart.chart->series()) {
        const auto *line = static_cast<QLineSeries *>(abstract);
        for (const QPointF &point : line->points())
            top = std::max(top, point.y());
    }
    chart.value->setRange(0, top * 1.2);
}

void DashboardView::sample()
{
    if (!m_session || m_inFlight)
        return;
    m_inFlight = true;
    ApiReply *reply = m_session->client().get(QStringLiteral("/metrics"));
    reply->setWhat(tr("Reading metrics"));
    reply->setQuiet(true);
    connect(reply, &ApiReply::finished, this, [this, reply] {
        m_inFlight = false;
        if (!reply->ok()) {
            m_figures->setText(tr("Cannot read /metrics: %1").arg(reply->error().toHtmlEscaped()));
            return;
        }
        const QList<Sample> samples = parsePrometheus(reply->body());
        m_replayLog->setSamples(samples);
        const QDateTime now = QDateTime::currentDateTime();
        if (!m_firstAt.isValid())
            m_firstAt = now;
        const double sse = sumOf(samples, QStringLiteral("push_subscriptions"),
                                 {{QStringLiteral("transport"), QStringLiteral("sse")}});
        const double socketio = sumOf(samples, QStringLiteral("push_subscriptions"),
                                      {{QStringLiteral("transport"), QStringLiteral("socketio")}});
        const double events = sumOf(samples, QStringLiteral("push_events_fanned_out_total"));
        const double deliveries = sumOf(samples, QStringLiteral("push_deliveries_total"));
        append(m_sse, now, sse, m_connections);
        append(m_socketio, now, socketio, m_connections);
        if (m_lastEvents >= 0 && m_lastAt.isValid()) {
            const double seconds = std::max(0.001, double(m_lastAt.msecsTo(now)) / 1000.0);
            append(m_events, now, std::max(0.0, events - m_lastEvents) / seconds, m_rates);
            append(m_deliveries, now, std::max(0.0, deliveries - m_lastDeliveries) / seconds,
                   m_rates);
        }
        m_lastEvents = events;
        m_lastDeliveries = deliveries;
        m_lastAt = now;
        ++m_samples;
        auto row = [](const QString &label, double value) {
            return QStringLiteral("<tr><td>%1</td><td align=right><b>%2</b></td></tr>")
                .arg(label.toHtmlEscaped())
                .arg(QLocale().toString(qint64(value)));
        };
        QString html = QStringLiteral("<table cellspacing=4>");
        html += row(tr("SSE subscriptions"), sse);
        html += row(tr("socket.io subscriptions"), socketio);
        html +=
            row(tr("HTTP connections"), sumOf(samples, QStringLiteral("push_http_connections")));
        html += row(tr("Events"), events);
        html += row(tr("Deliveries"), deliveries);
        html += row(tr("Slow clients cut off"),
                    sumOf(samples, QStringLiteral("push_disconnects_total"),
                          {{QStringLiteral("reason"), QStringLiteral("slow")}}));
        html +=
            row(tr("Webhook calls"), sumOf(samples, QStringLiteral("push_webhook_calls_total")));
        html += row(tr("Webhook calls failed"),
                    sumOf(samples, QStringLiteral("push_webhook_calls_total"),
                          {{QStringLiteral("outcome"), QStringLiteral("http-error")}}) +
                        sumOf(samples, QStringLiteral("push_webhook_calls_total"),
                              {{QStringLiteral("outcome"), QStringLiteral("timeout")}}) +
                        sumOf(samples, QStringLiteral("push_webhook_calls_total"),
                              {{QStringLiteral("outcome"), QStringLiteral("error")}}));
        html +=
            row(tr("Rejected tokens"), sumOf(samples, QStringLiteral("push_auth_failures_total")));
        html += row(tr("Bytes queued"), sumOf(samples, QStringLiteral("push_bytes_queued")));
        html += QStringLiteral("</table><p>%1</p>")
                    .arg(tr("as of %1").arg(now.toString(QStringLiteral("HH:mm:ss"))));
        m_figures->setText(html);
    });
}

} // namespace console
