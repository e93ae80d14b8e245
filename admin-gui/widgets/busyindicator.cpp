#include "busyindicator.h"

#include "client/serviceclient.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace console {

BusyIndicator::BusyIndicator(QWidget *parent)
    : QWidget(parent)
    , m_label(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    m_bar->setRange(0, 0);
    m_bar->setMaximumWidth(120);
    m_cancel->setObjectName(QStringLiteral("cancelCalls"));
    connect(m_cancel, &QPushButton::clicked, this, &BusyIndicator::cancelAll);
    m_delay.setSingleShot(true);
    m_delay.setInterval(300);
    connect(&m_delay, &QTimer::timeout, this, &BusyIndicator::update);
    setVisible(false);
}

void BusyIndicator::track(ApiReply *reply)
{
    m_replies.append(reply);
    connect(reply, &ApiReply::finished, this, [this, reply] {
        m_replies.removeAll(reply);
        update();
    });
    if (!m_delay.isActive() && !isVisible())
        m_delay.start();
}

int BusyIndicator::pending() const
{
    int n = 0;
    for (const QPointer<ApiReply> &reply : m_replies)
        n += reply ? 1 : 0;
    return n;
}

void BusyIndicator::cancelAll()
{
    const QList<QPointer<ApiReply>> replies = m_replies;
    for (const QPointer<ApiReply> &reply : replies) {
        if (reply)
            reply->abort();
    }
}

void BusyIndicator::update()
{
    m_replies.removeIf([](const QPointer<ApiReply> &reply) { return reply.isNull(); });
    QList<ApiReply *> shown;
    for (const QPointer<ApiReply> &reply : std::as_const(m_replies)) {
        if (!reply->quiet())
            shown.append(reply);
    }
    if (shown.isEmpty()) {
        m_delay.stop();
        setVisible(false);
        return;
    }
    if (m_delay.isActive())
        return; // not yet 300 ms
    m_label->setText(shown.size() == 1 ? tr("%1…").arg(shown.first()->what())
                                       : tr("%1 calls…").arg(shown.size()));
    setVisible(true);
}

} // namespace console
