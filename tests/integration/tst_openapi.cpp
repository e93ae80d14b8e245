// The OpenAPI document served at /swagger/docs/v1 (resources/openapi.json) against the
// routes the service actually registers: every REST route is documented, and every
// documented operation exists. The service runs in-process here, so its router can be read.
#include "app/pushservice.h"
#include "app/settings.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace push;

class TestOpenApi : public QObject
{
    Q_OBJECT

private slots:
    void documentMatchesRegisteredRoutes()
    {
        QTemporaryDir dataDir;
        QVERIFY(dataDir.isValid());
        app::Settings settings;
        settings.port = 0;
        settings.workers = 1;
        settings.dataDir = dataDir.path();
        app::PushService service(settings);
        QString error;
        QVERIFY2(service.start(&error), qPrintable(error));

        QSet<QString> registered;
        for (const QString &route : service.routes()) {
            if (route.endsWith(QLatin1String(" /socket.io")))
                continue; // the socket.io endpoint is not part of the REST API
            registered.insert(route);
        }
        QVERIFY(registered.size() >= 10);

        QFile file(QStringLiteral(":/push/openapi.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject paths =
            QJsonDocument::fromJson(file.readAll()).object().value("paths").toObject();
        static const QRegularExpression parameter(QStringLiteral("\\{[^}]+\\}"));
        QSet<QString> documented;
        for (auto path = paths.begin(); path != paths.end(); ++path) {
            QString pattern = path.key();
            pattern.replace(parameter, QStringLiteral("<arg>"));
            const QJsonObject operations = path.value().toObject();
            for (auto op = operations.begin(); op != operations.end(); ++op) {
                if (op.key() == QLatin1String("parameters"))
                    continue;
                QVERIFY2(op.value().toObject().contains("responses"),
                         qPrintable(op.key() + ' ' + path.key() + " has no responses"));
                documented.insert(op.key().toUpper() + QLatin1Char(' ') + pattern);
            }
        }
        const QSet<QString> undocumented = registered - documented;
        const QSet<QString> missing = documented - registered;
        QVERIFY2(undocumented.isEmpty(), qPrintable("registered but not in openapi.json: " +
                                                    QStringList(undocumented.values()).join(", ")));
        QVERIFY2(missing.isEmpty(), qPrintable("in openapi.json but not registered: " +
                                               QStringList(missing.values()).join(", ")));
        service.stop();
    }
};

QTEST_GUILESS_MAIN(TestOpenApi)
#include "tst_openapi.moc"
