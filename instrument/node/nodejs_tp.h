/*
 * LTTng-UST tracepoint provider "nodejs": the events of kvscope's Node.js agent (agent.js), emitted through the
 * N-API addon (addon.c). The events, their fields and when they fire are documented in EVENTS.md beside this file;
 * the field order here is the order there (service and pid first).
 *
 * Every event takes one pointer to a struct nodejs_tp_args that addon.c fills from the JavaScript arguments:
 * the richest events have 12 fields, and a tracepoint takes at most 10 arguments. nodejs_tp.c instantiates the
 * probes (LTTNG_UST_TRACEPOINT_CREATE_PROBES); the addon is linked with -llttng-ust.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER nodejs

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./nodejs_tp.h"

#ifndef NODEJS_TP_COMMON_H
#define NODEJS_TP_COMMON_H
#include <stdint.h>

#define NODEJS_TP_TEXT_MAX 256   /* paths, routes, hosts, error messages: longer ones are cut (EVENTS.md) */
#define NODEJS_TP_NAME_MAX 64    /* command names, methods, addresses */

/* The fields of any event; each event reads the ones EVENTS.md lists for it. Strings are never NULL. */
struct nodejs_tp_args {
    const char *service;
    int32_t pid;
    uint64_t span, parent, bytes, count, seq, ts;
    int32_t fd, status, src_port, dst_port;
    uint32_t n1, n2, n3;          /* ncommands | nreplies, errors, pushes | rows */
    uint8_t flag;                 /* aborted | ok */
    const char *method, *path, *host, *route, *error, *command, *src_addr, *dst_addr;
    const char *protocol, *direction, *where, *kind;
};
#endif /* NODEJS_TP_COMMON_H */

#if !defined(NODEJS_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define NODEJS_TP_H

#include <lttng/tracepoint.h>

#define NODEJS_TP_COMMON_FIELDS \
    lttng_ust_field_string(service, a->service) \
    lttng_ust_field_integer(int32_t, pid, a->pid)

#define NODEJS_TP_TUPLE_FIELDS \
    lttng_ust_field_string(src_addr, a->src_addr) \
    lttng_ust_field_integer(int32_t, src_port, a->src_port) \
    lttng_ust_field_string(dst_addr, a->dst_addr) \
    lttng_ust_field_integer(int32_t, dst_port, a->dst_port)

/* ---- HTTP ------------------------------------------------------------------------------------------------ */

LTTNG_UST_TRACEPOINT_EVENT(nodejs, http_server_receive,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, span, a->span)
        lttng_ust_field_integer(int32_t, fd, a->fd)
        lttng_ust_field_string(method, a->method)
        lttng_ust_field_string(path, a->path)
        NODEJS_TP_TUPLE_FIELDS
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, http_server_response,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, span, a->span)
        lttng_ust_field_integer(int32_t, status, a->status)
        lttng_ust_field_integer(uint64_t, bytes, a->bytes)
        lttng_ust_field_string(route, a->route)
        lttng_ust_field_integer(uint8_t, aborted, a->flag)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, http_client_request,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, span, a->span)
        lttng_ust_field_integer(uint64_t, parent, a->parent)
        lttng_ust_field_integer(int32_t, fd, a->fd)
        lttng_ust_field_string(method, a->method)
        lttng_ust_field_string(host, a->host)
        lttng_ust_field_string(path, a->path)
        NODEJS_TP_TUPLE_FIELDS
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, http_client_response,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, span, a->span)
        lttng_ust_field_integer(uint64_t, parent, a->parent)
        lttng_ust_field_integer(int32_t, status, a->status)
        lttng_ust_field_integer(uint64_t, bytes, a->bytes)
        NODEJS_TP_TUPLE_FIELDS
        lttng_ust_field_string(error, a->error)
    )
)

/* ---- TCP, Redis, MySQL/MariaDB ------------------------------------------------------------------------- */

LTTNG_UST_TRACEPOINT_EVENT(nodejs, net_connect,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, span, a->span)
        lttng_ust_field_integer(int32_t, fd, a->fd)
        NODEJS_TP_TUPLE_FIELDS
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, redis_send,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, span, a->span)
        lttng_ust_field_integer(int32_t, fd, a->fd)
        NODEJS_TP_TUPLE_FIELDS
        lttng_ust_field_string(command, a->command)
        lttng_ust_field_integer(uint32_t, ncommands, a->n1)
        lttng_ust_field_integer(uint64_t, bytes, a->bytes)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, redis_reply,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(int32_t, fd, a->fd)
        NODEJS_TP_TUPLE_FIELDS
        lttng_ust_field_integer(uint32_t, nreplies, a->n1)
        lttng_ust_field_integer(uint32_t, errors, a->n2)
        lttng_ust_field_integer(uint32_t, pushes, a->n3)
        lttng_ust_field_integer(uint64_t, bytes, a->bytes)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, mysql_send,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, span, a->span)
        lttng_ust_field_integer(int32_t, fd, a->fd)
        NODEJS_TP_TUPLE_FIELDS
        lttng_ust_field_string(command, a->command)
        lttng_ust_field_integer(uint64_t, bytes, a->bytes)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, mysql_reply,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(int32_t, fd, a->fd)
        NODEJS_TP_TUPLE_FIELDS
        lttng_ust_field_integer(uint8_t, ok, a->flag)
        lttng_ust_field_integer(uint32_t, rows, a->n1)
        lttng_ust_field_integer(uint64_t, bytes, a->bytes)
    )
)

/* ---- the agent's own troubles (counted, never hidden) ----------------------------------------------------- */

LTTNG_UST_TRACEPOINT_EVENT(nodejs, stream_unparsed,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(int32_t, fd, a->fd)
        NODEJS_TP_TUPLE_FIELDS
        lttng_ust_field_string(protocol, a->protocol)
        lttng_ust_field_string(direction, a->direction)
        lttng_ust_field_string(reason, a->error)
        lttng_ust_field_integer(uint64_t, bytes, a->bytes)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, agent_error,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_string(where, a->where)
        lttng_ust_field_string(message, a->error)
        lttng_ust_field_integer(uint64_t, count, a->count)
    )
)

/* ---- snapshot: what exists when a session starts, and every 10 s while it lasts (EVENTS.md) --------------- */

LTTNG_UST_TRACEPOINT_EVENT(nodejs, snapshot_start,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, seq, a->seq)
        lttng_ust_field_integer(uint8_t, periodic, a->flag)
        lttng_ust_field_integer(uint32_t, sockets, a->n1)
        lttng_ust_field_integer(uint32_t, requests, a->n2)
        lttng_ust_field_integer(uint64_t, unregistered, a->count)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, snapshot_socket,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, seq, a->seq)
        lttng_ust_field_integer(int32_t, fd, a->fd)
        lttng_ust_field_string(kind, a->kind)
        lttng_ust_field_integer(uint8_t, inbound, a->flag)
        NODEJS_TP_TUPLE_FIELDS
        lttng_ust_field_integer(uint8_t, followed, (uint8_t)a->n3)
        lttng_ust_field_integer(uint32_t, pending, a->n1)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, snapshot_request,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, seq, a->seq)
        lttng_ust_field_string(kind, a->kind)
        lttng_ust_field_integer(uint64_t, span, a->span)
        lttng_ust_field_integer(uint64_t, parent, a->parent)
        lttng_ust_field_integer(int32_t, fd, a->fd)
        lttng_ust_field_string(method, a->method)
        lttng_ust_field_string(host, a->host)
        lttng_ust_field_string(path, a->path)
        lttng_ust_field_integer(uint64_t, start_ts, a->ts)
        NODEJS_TP_TUPLE_FIELDS
    )
)

LTTNG_UST_TRACEPOINT_EVENT(nodejs, snapshot_end,
    LTTNG_UST_TP_ARGS(const struct nodejs_tp_args *, a),
    LTTNG_UST_TP_FIELDS(
        NODEJS_TP_COMMON_FIELDS
        lttng_ust_field_integer(uint64_t, seq, a->seq)
        lttng_ust_field_integer(uint32_t, sockets, a->n1)
        lttng_ust_field_integer(uint32_t, requests, a->n2)
        lttng_ust_field_integer(uint64_t, busy_ns, a->count)
    )
)

#endif /* NODEJS_TP_H */

#include <lttng/tracepoint-event.h>
