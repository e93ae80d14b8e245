#include "consolehelpers.h"

#include "client/session.h"
#include "widgets/documentview.h"
#include "widgets/mainwindow.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QTreeWidget>

using namespace console;

namespace consoletest {

QByteArray tenantAdminToken(const ServiceProcess &service)
{
    return service.token({QStringLiteral("--tenant"), QStringLiteral("demo"),
                          QStringLiteral("--roles"),
                          QStringLiteral("urn:ads:platform:tenant-service:tenant-admin")});
}

bool connectWindow(MainWindow &window, const ServiceProcess &service)
{
    Connection dev;
    dev.id = QStringLiteral("dev");
    dev.name = QStringLiteral("test service");
    dev.url = service.url(QString());
    dev.tenant = QStringLiteral("demo");
    dev.auth = Connection::Auth::DevIssuer;
    dev.devBinary = QStringLiteral(PUSH_SERVICE_BINARY);
    dev.devDataDir = service.dataDir();
    QString error = QStringLiteral("pending");
    window.saveConnection(dev, QString(), [&error](const QString &e) { error = e; });
    if (!QTest::qWaitFor([&] { return error != QLatin1String("pending"); }, 10000) ||
        !error.isEmpty() || !window.connectTo(dev.id))
        return false;
    return QTest::qWaitFor(
        [&] {
            Session *session = window.session();
            // The trees are filled once both documents (the tenant's, the core's) are in.
            return session && session->tokens().hasToken() &&
                   session->activity().state() == ActivityStream::State::Open &&
                   inTree(window.streams(), QStringLiteral("application-health")) &&
                   window.webhooks()->tree()->topLevelItemCount() > 0;
        },
        20000);
}

bool addStream(const ServiceProcess &service, const QString &id, const QString &name)
{
    const QJsonObject stream{
        {QStringLiteral("id"), id},
        {QStringLiteral("name"), name},
        {QStringLiteral("publicSubscribe"), true},
        {QStringLiteral("events"),
         QJsonArray{QJsonObject{{QStringLiteral("namespace"), QStringLiteral("order-service")},
                                {QStringLiteral("name"), id}}}}};
    const QJsonObject patch{{QStringLiteral("operation"), QStringLiteral("UPDATE")},
                            {QStringLiteral("update"), QJsonObject{{id, stream}}}};
    return service
               .request("PATCH",
                        QStringLiteral("/configuration/v2/configuration/platform/push-service"),
                        QJsonDocument(patch).toJson(QJsonDocument::Compact),
                        {{"Authorization", "Bearer " + tenantAdminToken(service)},
                         {"Content-Type", "application/json"}})
               .status == 200;
}

bool inTree(const DocumentView *view, const QString &id)
{
    for (int g = 0; g < view->tree()->topLevelItemCount(); ++g) {
        const QTreeWidgetItem *group = view->tree()->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i) {
            if (group->child(i)->text(0) == id)
                return true;
        }
    }
    return false;
}

} // namespace consoletest
