package kvscope.cli.export;

/**
 * {@link OwnSpansRealTest} with node-redis v4 (redis 4.7.1) and OpenTelemetry's node-redis instrumentation
 * (@opentelemetry/instrumentation-redis 0.71.0, its v4-v5 part) instead of ioredis (issue #18): the same load — six
 * connections, 1,350 uniquely keyed commands, four at a time in one write every sixth round (node-redis pipelines the
 * commands of one tick by itself) — against the instrumented Redis under LTTng, every linked span checked against the
 * script's own record of which connection sent which key in which order: wrong links 0. Its connect spans
 * ("redis-connect") are counted as connection spans, not linked.
 */
class NodeRedisSpansRealTest extends OwnSpansRealTest {
    @Override String script() { return "nodered-load.js"; }
    // The same floor as ioredis's since the load is paced (load-common.js): 33.7, 35.6 and 35.7 % certain in three
    // runs. Unpaced, node-redis's share was lower (8.8–14.0 %): it writes what its connections queued in one tick at
    // once, so more requests of a command shared a span's millisecond.
}
