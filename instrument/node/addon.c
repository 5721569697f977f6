/*
 * The N-API addon of kvscope's Node.js agent: one function per event of the "nodejs" LTTng-UST provider
 * (nodejs_tp.h), taking the event's fields as positional JavaScript arguments (EVENTS.md order, without service
 * and pid, which init() stores once), and one Int32Array per event that aliases the tracepoint's `state` word.
 *
 * Why the Int32Arrays: an N-API call costs tens of nanoseconds before it does anything, and the agent asks "is
 * this event enabled?" on every HTTP request and socket write. lttng_ust_tracepoint_enabled() is a plain load of
 * `lttng_ust_tracepoint_<provider>___<event>.state`, which LTTng-UST flips when a session enables the event; an
 * external ArrayBuffer over that int lets JavaScript do the same load with no call at all (agent.js reads
 * `enabled.redis_send[0]`). Only node_api.h is used: any Node.js with N-API 8 can load it, built with plain gcc.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "nodejs_tp.h"

static char service_name[NODEJS_TP_TEXT_MAX + 1] = "node";
static int32_t service_pid;

#define MAX_ARGS 13

/* One call's arguments, read on demand; a missing or mistyped argument reads as "" / 0 (never an exception). */
struct call {
    napi_env env;
    size_t argc;
    napi_value argv[MAX_ARGS];
};

static int read_call(napi_env env, napi_callback_info info, struct call *c) {
    c->env = env;
    c->argc = MAX_ARGS;
    return napi_get_cb_info(env, info, &c->argc, c->argv, NULL, NULL) == napi_ok;
}

static const char *str(struct call *c, size_t i, char *buf, size_t size) {
    size_t len = 0;
    buf[0] = '\0';
    if (i < c->argc && napi_get_value_string_utf8(c->env, c->argv[i], buf, size, &len) != napi_ok) buf[0] = '\0';
    return buf;
}

static int64_t i64(struct call *c, size_t i) {
    int64_t v = 0;
    if (i < c->argc && napi_get_value_int64(c->env, c->argv[i], &v) != napi_ok) v = 0;
    return v;
}

/* A u64 from a BigInt (monotonic timestamps: past 2^53 ns, 104 days of uptime, a Number loses precision) or a Number. */
static uint64_t u64(struct call *c, size_t i) {
    uint64_t v = 0;
    bool lossless;
    napi_valuetype t;
    if (i >= c->argc || napi_typeof(c->env, c->argv[i], &t) != napi_ok) return 0;
    if (t == napi_bigint) {
        if (napi_get_value_bigint_uint64(c->env, c->argv[i], &v, &lossless) != napi_ok) v = 0;
        return v;
    }
    return (uint64_t)i64(c, i);
}

static void common(struct nodejs_tp_args *a) {
    memset(a, 0, sizeof *a);
    a->service = service_name;
    a->pid = service_pid;
    a->method = a->path = a->host = a->route = a->error = a->command = a->src_addr = a->dst_addr = "";
    a->protocol = a->direction = a->where = a->kind = "";
}

/* Fills the 4-tuple from arguments i .. i+3 (src_addr, src_port, dst_addr, dst_port). */
#define TUPLE(a, c, i) do { \
        (a).src_addr = str(c, i, src_addr, sizeof src_addr); \
        (a).src_port = (int32_t)i64(c, i + 1); \
        (a).dst_addr = str(c, i + 2, dst_addr, sizeof dst_addr); \
        (a).dst_port = (int32_t)i64(c, i + 3); \
    } while (0)

#define ADDR_BUFS char src_addr[NODEJS_TP_NAME_MAX + 1], dst_addr[NODEJS_TP_NAME_MAX + 1]

/* Each emitter checks the tracepoint first (the agent already did; a session may have stopped since). */
#define EMITTER(event) static napi_value emit_##event(napi_env env, napi_callback_info info)
#define BEGIN(event) \
    if (!lttng_ust_tracepoint_enabled(nodejs, event)) return NULL; \
    struct call c; \
    if (!read_call(env, info, &c)) return NULL; \
    struct nodejs_tp_args a; \
    common(&a)
#define END(event) \
    lttng_ust_do_tracepoint(nodejs, event, &a); \
    return NULL

/* (span, fd, method, path, src_addr, src_port, dst_addr, dst_port) */
EMITTER(http_server_receive) {
    BEGIN(http_server_receive);
    char method[NODEJS_TP_NAME_MAX + 1], path[NODEJS_TP_TEXT_MAX + 1];
    ADDR_BUFS;
    a.span = (uint64_t)i64(&c, 0);
    a.fd = (int32_t)i64(&c, 1);
    a.method = str(&c, 2, method, sizeof method);
    a.path = str(&c, 3, path, sizeof path);
    TUPLE(a, &c, 4);
    END(http_server_receive);
}

/* (span, status, bytes, route, aborted) */
EMITTER(http_server_response) {
    BEGIN(http_server_response);
    char route[NODEJS_TP_TEXT_MAX + 1];
    a.span = (uint64_t)i64(&c, 0);
    a.status = (int32_t)i64(&c, 1);
    a.bytes = (uint64_t)i64(&c, 2);
    a.route = str(&c, 3, route, sizeof route);
    a.flag = i64(&c, 4) ? 1 : 0;
    END(http_server_response);
}

/* (span, parent, fd, method, host, path, src_addr, src_port, dst_addr, dst_port) */
EMITTER(http_client_request) {
    BEGIN(http_client_request);
    char method[NODEJS_TP_NAME_MAX + 1], host[NODEJS_TP_TEXT_MAX + 1], path[NODEJS_TP_TEXT_MAX + 1];
    ADDR_BUFS;
    a.span = (uint64_t)i64(&c, 0);
    a.parent = (uint64_t)i64(&c, 1);
    a.fd = (int32_t)i64(&c, 2);
    a.method = str(&c, 3, method, sizeof method);
    a.host = str(&c, 4, host, sizeof host);
    a.path = str(&c, 5, path, sizeof path);
    TUPLE(a, &c, 6);
    END(http_client_request);
}

/* (span, parent, status, bytes, src_addr, src_port, dst_addr, dst_port, error) */
EMITTER(http_client_response) {
    BEGIN(http_client_response);
    char error[NODEJS_TP_TEXT_MAX + 1];
    ADDR_BUFS;
    a.span = (uint64_t)i64(&c, 0);
    a.parent = (uint64_t)i64(&c, 1);
    a.status = (int32_t)i64(&c, 2);
    a.bytes = (uint64_t)i64(&c, 3);
    TUPLE(a, &c, 4);
    a.error = str(&c, 8, error, sizeof error);
    END(http_client_response);
}

/* (span, fd, src_addr, src_port, dst_addr, dst_port) */
EMITTER(net_connect) {
    BEGIN(net_connect);
    ADDR_BUFS;
    a.span = (uint64_t)i64(&c, 0);
    a.fd = (int32_t)i64(&c, 1);
    TUPLE(a, &c, 2);
    END(net_connect);
}

/* (span, fd, src_addr, src_port, dst_addr, dst_port, command, ncommands, bytes) */
EMITTER(redis_send) {
    BEGIN(redis_send);
    char command[NODEJS_TP_NAME_MAX + 1];
    ADDR_BUFS;
    a.span = (uint64_t)i64(&c, 0);
    a.fd = (int32_t)i64(&c, 1);
    TUPLE(a, &c, 2);
    a.command = str(&c, 6, command, sizeof command);
    a.n1 = (uint32_t)i64(&c, 7);
    a.bytes = (uint64_t)i64(&c, 8);
    END(redis_send);
}

/* (fd, src_addr, src_port, dst_addr, dst_port, nreplies, errors, pushes, bytes) */
EMITTER(redis_reply) {
    BEGIN(redis_reply);
    ADDR_BUFS;
    a.fd = (int32_t)i64(&c, 0);
    TUPLE(a, &c, 1);
    a.n1 = (uint32_t)i64(&c, 5);
    a.n2 = (uint32_t)i64(&c, 6);
    a.n3 = (uint32_t)i64(&c, 7);
    a.bytes = (uint64_t)i64(&c, 8);
    END(redis_reply);
}

/* (span, fd, src_addr, src_port, dst_addr, dst_port, command, bytes) */
EMITTER(mysql_send) {
    BEGIN(mysql_send);
    char command[NODEJS_TP_NAME_MAX + 1];
    ADDR_BUFS;
    a.span = (uint64_t)i64(&c, 0);
    a.fd = (int32_t)i64(&c, 1);
    TUPLE(a, &c, 2);
    a.command = str(&c, 6, command, sizeof command);
    a.bytes = (uint64_t)i64(&c, 7);
    END(mysql_send);
}

/* (fd, src_addr, src_port, dst_addr, dst_port, ok, rows, bytes) */
EMITTER(mysql_reply) {
    BEGIN(mysql_reply);
    ADDR_BUFS;
    a.fd = (int32_t)i64(&c, 0);
    TUPLE(a, &c, 1);
    a.flag = i64(&c, 5) ? 1 : 0;
    a.n1 = (uint32_t)i64(&c, 6);
    a.bytes = (uint64_t)i64(&c, 7);
    END(mysql_reply);
}

/* (fd, src_addr, src_port, dst_addr, dst_port, protocol, direction, reason, bytes) */
EMITTER(stream_unparsed) {
    BEGIN(stream_unparsed);
    char protocol[NODEJS_TP_NAME_MAX + 1], direction[NODEJS_TP_NAME_MAX + 1], reason[NODEJS_TP_TEXT_MAX + 1];
    ADDR_BUFS;
    a.fd = (int32_t)i64(&c, 0);
    TUPLE(a, &c, 1);
    a.protocol = str(&c, 5, protocol, sizeof protocol);
    a.direction = str(&c, 6, direction, sizeof direction);
    a.error = str(&c, 7, reason, sizeof reason);
    a.bytes = (uint64_t)i64(&c, 8);
    END(stream_unparsed);
}

/* (where, message, count) */
EMITTER(agent_error) {
    BEGIN(agent_error);
    char where[NODEJS_TP_NAME_MAX + 1], message[NODEJS_TP_TEXT_MAX + 1];
    a.where = str(&c, 0, where, sizeof where);
    a.error = str(&c, 1, message, sizeof message);
    a.count = (uint64_t)i64(&c, 2);
    END(agent_error);
}

/* (seq, periodic, sockets, requests, unregistered) */
EMITTER(snapshot_start) {
    BEGIN(snapshot_start);
    a.seq = u64(&c, 0);
    a.flag = i64(&c, 1) ? 1 : 0;
    a.n1 = (uint32_t)i64(&c, 2);
    a.n2 = (uint32_t)i64(&c, 3);
    a.count = u64(&c, 4);
    END(snapshot_start);
}

/* (seq, fd, kind, inbound, src_addr, src_port, dst_addr, dst_port, followed, pending) */
EMITTER(snapshot_socket) {
    BEGIN(snapshot_socket);
    char kind[NODEJS_TP_NAME_MAX + 1];
    ADDR_BUFS;
    a.seq = u64(&c, 0);
    a.fd = (int32_t)i64(&c, 1);
    a.kind = str(&c, 2, kind, sizeof kind);
    a.flag = i64(&c, 3) ? 1 : 0;
    TUPLE(a, &c, 4);
    a.n3 = i64(&c, 8) ? 1 : 0;
    a.n1 = (uint32_t)i64(&c, 9);
    END(snapshot_socket);
}

/* (seq, kind, span, parent, fd, method, host, path, start_ts, src_addr, src_port, dst_addr, dst_port): 13 */
EMITTER(snapshot_request) {
    BEGIN(snapshot_request);
    char kind[NODEJS_TP_NAME_MAX + 1], method[NODEJS_TP_NAME_MAX + 1], host[NODEJS_TP_TEXT_MAX + 1],
        path[NODEJS_TP_TEXT_MAX + 1];
    ADDR_BUFS;
    a.seq = u64(&c, 0);
    a.kind = str(&c, 1, kind, sizeof kind);
    a.span = u64(&c, 2);
    a.parent = u64(&c, 3);
    a.fd = (int32_t)i64(&c, 4);
    a.method = str(&c, 5, method, sizeof method);
    a.host = str(&c, 6, host, sizeof host);
    a.path = str(&c, 7, path, sizeof path);
    a.ts = u64(&c, 8);
    TUPLE(a, &c, 9);
    END(snapshot_request);
}

/* (seq, sockets, requests, busy_ns) */
EMITTER(snapshot_end) {
    BEGIN(snapshot_end);
    a.seq = u64(&c, 0);
    a.n1 = (uint32_t)i64(&c, 1);
    a.n2 = (uint32_t)i64(&c, 2);
    a.count = u64(&c, 3);
    END(snapshot_end);
}

/* init(service): the service name and pid every event carries. */
static napi_value init_service(napi_env env, napi_callback_info info) {
    struct call c;
    if (!read_call(env, info, &c)) return NULL;
    str(&c, 0, service_name, sizeof service_name);
    if (!service_name[0]) strcpy(service_name, "node");
    service_pid = (int32_t)getpid();
    return NULL;
}

struct event {
    const char *name;
    napi_callback emit;
    int *state;
};

#define EVENT(name) { #name, emit_##name, &lttng_ust_tracepoint_nodejs___##name.state }

static struct event events[] = {
    EVENT(http_server_receive), EVENT(http_server_response), EVENT(http_client_request),
    EVENT(http_client_response), EVENT(net_connect), EVENT(redis_send), EVENT(redis_reply),
    EVENT(mysql_send), EVENT(mysql_reply), EVENT(stream_unparsed), EVENT(agent_error),
    EVENT(snapshot_start), EVENT(snapshot_socket), EVENT(snapshot_request), EVENT(snapshot_end),
};

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

NAPI_MODULE_INIT() {
    napi_value enabled, fn;
    service_pid = (int32_t)getpid();
    CHECK(napi_create_object(env, &enabled));
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        napi_value buffer, view;
        CHECK(napi_create_function(env, events[i].name, NAPI_AUTO_LENGTH, events[i].emit, NULL, &fn));
        CHECK(napi_set_named_property(env, exports, events[i].name, fn));
        /* Static memory of this library, never freed: no finalizer. */
        CHECK(napi_create_external_arraybuffer(env, events[i].state, sizeof(int), NULL, NULL, &buffer));
        CHECK(napi_create_typedarray(env, napi_int32_array, 1, buffer, 0, &view));
        CHECK(napi_set_named_property(env, enabled, events[i].name, view));
    }
    CHECK(napi_set_named_property(env, exports, "enabled", enabled));
    CHECK(napi_create_function(env, "init", NAPI_AUTO_LENGTH, init_service, NULL, &fn));
    CHECK(napi_set_named_property(env, exports, "init", fn));
    return exports;
}
