#include "logdatabase.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <limits>

namespace push::resume {

namespace {

QSqlQuery prepared(const QSqlDatabase &db, const char *sql)
{
    QSqlQuery query(db);
    query.prepare(QString::fromLatin1(sql));
    return query;
}

bool run(QSqlQuery &query, QString *error)
{
    if (query.exec())
        return true;
    *error = query.lastError().text();
    return false;
}

EntryId idAt(const QSqlQuery &query, int column)
{
    return {quint64(query.value(column).toLongLong()),
            quint64(query.value(column + 1).toLongLong())};
}

// A random 8-digit hex string, like ADSP's epoch.
QString newEpoch()
{
    return QStringLiteral("%1").arg(QRandomGenerator::system()->generate(), 8, 16,
                                    QLatin1Char('0'));
}

} // namespace

LogDatabase::LogDatabase(QString connectionName)
    : m_connectionName(std::move(connectionName))
{}

LogDatabase::~LogDatabase()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool LogDatabase::open(const QString &path, QString *error)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *error = QStringLiteral("cannot create the directory of %1").arg(path);
        return false;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, db.lastError().text());
        return false;
    }
    QSqlQuery query(db);
    // WAL with synchronous=NORMAL: a commit survives the process (a crash, a restart),
    // not necessarily a power cut; the reader reads while the writer writes.
    for (const char *statement : {
             "PRAGMA journal_mode=WAL",
             "PRAGMA synchronous=NORMAL",
             "CREATE TABLE IF NOT EXISTS log_tenants (tenant TEXT PRIMARY KEY, epoch TEXT NOT NULL,"
             " trimmed_ms INTEGER NOT NULL DEFAULT 0, trimmed_seq INTEGER NOT NULL DEFAULT 0)",
             "CREATE TABLE IF NOT EXISTS log_entries (tenant TEXT NOT NULL, ms INTEGER NOT NULL,"
             " seq INTEGER NOT NULL, event_id TEXT, event BLOB NOT NULL,"
             " PRIMARY KEY (tenant, ms, seq)) WITHOUT ROWID",
             "CREATE UNIQUE INDEX IF NOT EXISTS log_entries_event ON log_entries (tenant, event_id)"
             " WHERE event_id IS NOT NULL",
         }) {
        if (!query.exec(QString::fromLatin1(statement))) {
            *error = QStringLiteral("%1: %2").arg(path, query.lastError().text());
            return false;
        }
    }
    return true;
}

QString LogDatabase::ensureEpoch(const QString &urn, QString *error)
{
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    // Set once (ADSP: SET NX): whoever comes first, the writer or a reader, names it.
    QSqlQuery insert =
        prepared(db, "INSERT OR IGNORE INTO log_tenants (tenant, epoch) VALUES (?, ?)");
    insert.addBindValue(urn);
    insert.addBindValue(newEpoch());
    if (!run(insert, error))
        return {};
    QSqlQuery select = prepared(db, "SELECT epoch FROM log_tenants WHERE tenant = ?");
    select.addBindValue(urn);
    if (!run(select, error) || !select.next())
        return {};
    return select.value(0).toString();
}

LogDatabase::Tenant *LogDatabase::tenant(const QString &urn, QString *error)
{
    auto found = m_tenants.find(urn);
    if (found != m_tenants.end())
        return &*found;
    Tenant state;
    state.epoch = ensureEpoch(urn, error);
    if (state.epoch.isEmpty())
        return nullptr;
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery watermark =
        prepared(db, "SELECT trimmed_ms, trimmed_seq FROM log_tenants WHERE tenant = ?");
    watermark.addBindValue(urn);
    if (!run(watermark, error) || !watermark.next())
        return nullptr;
    state.watermark = idAt(watermark, 0);
    QSqlQuery ends = prepared(
        db, "SELECT (SELECT ms FROM log_entries WHERE tenant = ? ORDER BY ms, seq LIMIT 1),"
            " (SELECT seq FROM log_entries WHERE tenant = ? ORDER BY ms, seq LIMIT 1),"
            " (SELECT ms FROM log_entries WHERE tenant = ? ORDER BY ms DESC, seq DESC LIMIT 1),"
            " (SELECT seq FROM log_entries WHERE tenant = ? ORDER BY ms DESC, seq DESC LIMIT 1),"
            " (SELECT count(*) FROM log_entries WHERE tenant = ?)");
    for (int i = 0; i < 5; ++i)
        ends.addBindValue(urn);
    if (!run(ends, error) || !ends.next())
        return nullptr;
    state.oldest = idAt(ends, 0);
    state.last = std::max(idAt(ends, 2), state.watermark);
    state.count = ends.value(4).toLongLong();
    return &*m_tenants.insert(urn, state);
}

bool LogDatabase::append(QList<LogAppend> &batch, qint64 nowMs, qint64 retentionMs,
                         qint64 maxLength, TrimCounts *trimmed, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    const auto fail = [&] {
        db.rollback();
        m_tenants.clear(); // what was counted in the failed transaction: read it again
        for (LogAppend &entry : batch)
            entry.id.reset();
        return false;
    };
    QSqlQuery insert = prepared(db, "INSERT OR IGNORE INTO log_entries"
                                    " (tenant, ms, seq, event_id, event) VALUES (?, ?, ?, ?, ?)");
    QList<QString> touched;
    for (LogAppend &entry : batch) {
        Tenant *state = tenant(entry.tenantUrn, error);
        if (!state)
            return fail();
        const quint64 now = quint64(std::max<qint64>(nowMs, 1));
        const EntryId id = now > state->last.ms ? EntryId{now, 0} : state->last.next();
        insert.bindValue(0, entry.tenantUrn);
        insert.bindValue(1, qint64(id.ms));
        insert.bindValue(2, qint64(id.seq));
        insert.bindValue(3, entry.eventId.isEmpty() ? QVariant() : QVariant(entry.eventId));
        insert.bindValue(4, entry.event);
        if (!run(insert, error))
            return fail();
        if (insert.numRowsAffected() == 0) {
            entry.id.reset(); // this event id is in the log already
            continue;
        }
        entry.id = id;
        state->last = id;
        if (state->oldest.isNull())
            state->oldest = id;
        ++state->count;
        if (!touched.contains(entry.tenantUrn))
            touched.append(entry.tenantUrn);
    }
    for (const QString &urn : std::as_const(touched)) {
        if (!trim(urn, m_tenants[urn], nowMs, retentionMs, maxLength, trimmed, error))
            return fail();
    }
    if (!db.commit()) {
        *error = db.lastError().text();
        return fail();
    }
    return true;
}

bool LogDatabase::trim(const QString &urn, Tenant &state, qint64 nowMs, qint64 retentionMs,
                       qint64 maxLength, TrimCounts *trimmed, QString *error)
{
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    // By age: every entry older than now - retention (ADSP: XTRIM MINID).
    const quint64 cutoff = quint64(std::max<qint64>(0, nowMs - retentionMs));
    if (!state.oldest.isNull() && state.oldest.ms < cutoff) {
        QSqlQuery newestOld = prepared(db, "SELECT ms, seq FROM log_entries WHERE tenant = ?"
                                           " AND ms < ? ORDER BY ms DESC, seq DESC LIMIT 1");
        newestOld.addBindValue(urn);
        newestOld.addBindValue(qint64(cutoff));
        if (!run(newestOld, error))
            return false;
        if (newestOld.next() && !trimThrough(urn, state, idAt(newestOld, 0), trimmed, error))
            return false;
    }
    // By length: the oldest beyond maxLength (ADSP: XTRIM MAXLEN).
    if (state.count > maxLength) {
        QSqlQuery nth = prepared(db, "SELECT ms, seq FROM log_entries WHERE tenant = ?"
                                     " ORDER BY ms, seq LIMIT 1 OFFSET ?");
        nth.addBindValue(urn);
        nth.addBindValue(state.count - maxLength - 1);
        if (!run(nth, error))
            return false;
        if (nth.next() && !trimThrough(urn, state, idAt(nth, 0), trimmed, error))
            return false;
    }
    return true;
}

bool LogDatabase::trimThrough(const QString &urn, Tenant &state, EntryId through,
                              TrimCounts *trimmed, QString *error)
{
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery measure = prepared(db, "SELECT count(*), coalesce(sum(length(event)), 0)"
                                     " FROM log_entries WHERE tenant = ? AND (ms, seq) <= (?, ?)");
    QSqlQuery remove =
        prepared(db, "DELETE FROM log_entries WHERE tenant = ? AND (ms, seq) <= (?, ?)");
    for (QSqlQuery *query : {&measure, &remove}) {
        query->addBindValue(urn);
        query->addBindValue(qint64(through.ms));
        query->addBindValue(qint64(through.seq));
    }
    if (!run(measure, error) || !measure.next())
        return false;
    const qint64 count = measure.value(0).toLongLong();
    const qint64 bytes = measure.value(1).toLongLong();
    if (!run(remove, error))
        return false;
    // The watermark: the newest entry removed; a cursor not newer than it has lost events.
    QSqlQuery watermark =
        prepared(db, "UPDATE log_tenants SET trimmed_ms = ?, trimmed_seq = ? WHERE tenant = ?");
    watermark.addBindValue(qint64(through.ms));
    watermark.addBindValue(qint64(through.seq));
    watermark.addBindValue(urn);
    if (!run(watermark, error))
        return false;
    QSqlQuery oldest =
        prepared(db, "SELECT ms, seq FROM log_entries WHERE tenant = ? ORDER BY ms, seq LIMIT 1");
    oldest.addBindValue(urn);
    if (!run(oldest, error))
        return false;
    state.oldest = oldest.next() ? idAt(oldest, 0) : EntryId{};
    state.watermark = through;
    state.count -= count;
    trimmed->entries += count;
    trimmed->bytes += bytes;
    return true;
}

bool LogDatabase::read(const QString &tenantUrn, std::optional<EntryId> after, int limit,
                       LogView *view, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    view->epoch = ensureEpoch(tenantUrn, error);
    if (view->epoch.isEmpty())
        return false;
    // One read transaction: the head, the watermark and the entries agree.
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    QSqlQuery state = prepared(
        db, "SELECT trimmed_ms, trimmed_seq,"
            " (SELECT ms FROM log_entries WHERE tenant = ? ORDER BY ms DESC, seq DESC LIMIT 1),"
            " (SELECT seq FROM log_entries WHERE tenant = ? ORDER BY ms DESC, seq DESC LIMIT 1)"
            " FROM log_tenants WHERE tenant = ?");
    for (int i = 0; i < 3; ++i)
        state.addBindValue(tenantUrn);
    if (!run(state, error) || !state.next()) {
        db.rollback();
        return false;
    }
    view->watermark = idAt(state, 0);
    view->head = idAt(state, 2);
    view->entries.clear();
    if (after) {
        QSqlQuery entries = prepared(db, "SELECT ms, seq, event FROM log_entries WHERE tenant = ?"
                                         " AND (ms, seq) > (?, ?) ORDER BY ms, seq LIMIT ?");
        entries.addBindValue(tenantUrn);
        // SQLite's integers are signed: an id past them (a client's cursor may say
        // anything up to 2^64 - 1) is after every entry there can be, so it reads as the
        // largest one there is, not as a negative number.
        constexpr quint64 kMax = quint64(std::numeric_limits<qint64>::max());
        const bool past = after->ms > kMax;
        entries.addBindValue(qint64(past ? kMax : after->ms));
        entries.addBindValue(qint64(past || after->seq > kMax ? kMax : after->seq));
        entries.addBindValue(limit);
        if (!run(entries, error)) {
            db.rollback();
            return false;
        }
        while (entries.next())
            view->entries.append({idAt(entries, 0), entries.value(2).toByteArray()});
    }
    db.commit();
    return true;
}

bool LogDatabase::totals(qint64 *entries, qint64 *bytes, QString *error)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(
            QStringLiteral("SELECT count(*), coalesce(sum(length(event)), 0) FROM log_entries")) ||
        !query.next()) {
        *error = query.lastError().text();
        return false;
    }
    *entries = query.value(0).toLongLong();
    *bytes = query.value(1).toLongLong();
    return true;
}

bool LogDatabase::oldestMs(qint64 *ms, QString *error)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(
            QStringLiteral("SELECT min((SELECT ms FROM log_entries e WHERE e.tenant = t.tenant"
                           " ORDER BY ms, seq LIMIT 1)) FROM log_tenants t")) ||
        !query.next()) {
        *error = query.lastError().text();
        return false;
    }
    *ms = query.value(0).toLongLong(); // NULL (no entry) reads as 0
    return true;
}

} // namespace push::resume
