/* Tracepoint provider for kvscope's CTF differential test: every LTTng-UST field type. */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER kvtest

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./kvtest_tp.h"

#if !defined(KVTEST_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define KVTEST_TP_H

#include <lttng/tracepoint.h>
#include <stdint.h>

LTTNG_UST_TRACEPOINT_ENUM(kvtest, state_enum,
    LTTNG_UST_TP_ENUM_VALUES(
        lttng_ust_field_enum_value("IDLE", 0)
        lttng_ust_field_enum_value("BUSY", 1)
        lttng_ust_field_enum_range("RANGE", 10, 20)
        lttng_ust_field_enum_value("NEG", -5)
        lttng_ust_field_enum_auto("AUTO")
    )
)

LTTNG_UST_TRACEPOINT_EVENT(kvtest, ints,
    LTTNG_UST_TP_ARGS(int64_t, v),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_integer(int8_t, s8, (int8_t) v)
        lttng_ust_field_integer(uint8_t, u8, (uint8_t) v)
        lttng_ust_field_integer(int16_t, s16, (int16_t) v)
        lttng_ust_field_integer(uint16_t, u16, (uint16_t) v)
        lttng_ust_field_integer(int32_t, s32, (int32_t) v)
        lttng_ust_field_integer(uint32_t, u32, (uint32_t) v)
        lttng_ust_field_integer(int64_t, s64, v)
        lttng_ust_field_integer(uint64_t, u64, (uint64_t) v * 0x9E3779B97F4A7C15ull)
        lttng_ust_field_integer_hex(uint32_t, hex32, (uint32_t) v)
        lttng_ust_field_integer_network(uint16_t, net16, (uint16_t) v)
        lttng_ust_field_integer_network(int32_t, net32, (int32_t) v)
        lttng_ust_field_integer_network_hex(uint64_t, nethex64, (uint64_t) v)
        lttng_ust_field_integer(char, ch, 'A' + (v % 26))
        lttng_ust_field_integer(long, lng, (long) v * -7)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(kvtest, floats,
    LTTNG_UST_TP_ARGS(double, d),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_float(float, f32, (float) d)
        lttng_ust_field_float(double, f64, d)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(kvtest, texts,
    LTTNG_UST_TP_ARGS(const char *, s, const char *, t, unsigned int, tlen),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_string(str, s)
        lttng_ust_field_array_text(char, arrtext, t, 8)
        lttng_ust_field_sequence_text(char, seqtext, t, unsigned int, tlen)
        lttng_ust_field_string(empty, "")
    )
)

LTTNG_UST_TRACEPOINT_EVENT(kvtest, arrays,
    LTTNG_UST_TP_ARGS(const int32_t *, a, unsigned int, n, const uint8_t *, b),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_array(int32_t, arr4, a, 4)
        lttng_ust_field_sequence(int32_t, seq, a, unsigned int, n)
        lttng_ust_field_sequence(uint8_t, bytes, b, size_t, n)
        lttng_ust_field_array_network(uint16_t, netarr, (const uint16_t *) a, 2)
        lttng_ust_field_sequence_hex(uint8_t, hexseq, b, uint16_t, n)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(kvtest, enums,
    LTTNG_UST_TP_ARGS(int, v),
    LTTNG_UST_TP_FIELDS(
        lttng_ust_field_enum(kvtest, state_enum, int, state, v)
        lttng_ust_field_integer(int, plain, v)
    )
)

LTTNG_UST_TRACEPOINT_EVENT(kvtest, empty,
    LTTNG_UST_TP_ARGS(),
    LTTNG_UST_TP_FIELDS()
)

#endif

#include <lttng/tracepoint-event.h>
