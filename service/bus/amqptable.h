#pragma once

#include "shared/domainevent.h"

#include <QByteArray>
#include <QJsonValue>

// rabbitmq-c 0.12 moved its headers to rabbitmq-c/ (Debian 13's 0.15 warns about the old
// ones); Debian 12's 0.11 has only the old.
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#else
#include <amqp.h>
#endif

#include <deque>
#include <optional>
#include <vector>

namespace push::bus {

// ADSP's wire format (adsp-compatibility.md "Event bus"): routing key <namespace>.<name>.<tenant
// URN>; headers namespace, name, tenantId, correlationId, context (a table), timestamp
// (ISO string), traceparent; the body is the payload JSON.
QByteArray routingKey(const DomainEvent &event);

// AMQP field values <-> JSON, for headers. Strings are longstr ('S'), numbers signed
// 64-bit integers when whole and doubles otherwise, booleans 't', objects tables.
QJsonValue fieldToJson(const amqp_field_value_t &value);

// A header table and the storage its entries point into; valid while the object lives.
class HeaderTable
{
public:
    HeaderTable() = default;
    HeaderTable(const HeaderTable &) = delete;
    HeaderTable &operator=(const HeaderTable &) = delete;
    HeaderTable(HeaderTable &&) = default;
    HeaderTable &operator=(HeaderTable &&) = default;

    void insert(const QString &key, const QJsonValue &value);
    amqp_table_t table();

private:
    amqp_field_value_t field(const QJsonValue &value);
    amqp_bytes_t keep(const QByteArray &bytes);

    std::vector<amqp_table_entry_t> m_entries;
    std::deque<QByteArray> m_bytes;                          // strings the entries point to
    std::deque<std::vector<amqp_table_entry_t>> m_subtables; // nested tables' entries
};

// ADSP's headers for an event: namespace, name, tenantId, correlationId, context,
// timestamp, traceparent (when known).
HeaderTable messageHeaders(const DomainEvent &event, const QByteArray &traceparent);

// A delivery from the exchange as an event, validated with the same rules as an HTTP
// POST; nullopt with *error naming what is wrong.
std::optional<DomainEvent> eventFromMessage(const amqp_envelope_t &envelope, QString *error);

} // namespace push::bus
