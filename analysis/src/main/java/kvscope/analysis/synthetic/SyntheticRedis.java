package kvscope.analysis.synthetic;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Generates a trace of any size in the exact event layout of the instrumented Redis (full profile): one server,
 * {@code clients} connections sending SET/GET/INCR/LPUSH/LPOP one at a time, answered in event-loop iterations
 * that each read, execute and answer a batch of clients — the sequence a real server emits, about 6.5 events per
 * request. Deterministic for a seed, so benchmark runs compare like with like.
 */
public final class SyntheticRedis {
    private static final String[] COMMANDS = {"set", "get", "incr", "lpush", "lpop"};
    private static final byte[] PROC = "redis-server".getBytes(StandardCharsets.UTF_8);

    private SyntheticRedis() {}

    /** Writes about {@code events} events; returns the number of requests. */
    public static long generate(Path dir, long events, int clients, long seed) {
        var rnd = new SplittableRandom(seed);
        final int vpid = 4242;
        long requests = 0, written = 0;
        try (var w = new RedisTraceWriter(dir, "bench", vpid, false)) {
            var s = w.stream(0);
            var info = w.def("server_info");
            var accept = w.def("accept_client");
            var read = w.def("end_read_client_query");
            var cstart = w.def("call_command_start");
            var cend = w.def("call_command_end");
            var proc = w.def("end_process_command");
            var queue = w.def("insert_clientwrite_queue");
            var write = w.def("write_to_client_end");
            var bsStart = w.def("before_sleep_start");
            var bsEnd = w.def("before_sleep_end");
            var poll = w.def("poll_end");
            long t = RedisTraceWriter.T0;
            s.begin(info, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(6379).putLong(0).putLong(0).putLong(0)
                    .putLong(1).putLong(0).putLong(0).putLong(clients).putLong(0).putLong(1 << 20).putString("master").putLong(1).putString("").end();
            for (int c = 0; c < clients; c++) {
                t += 1000;
                s.begin(accept, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(10 + c).putLong(c + 1).putString("client")
                        .putLong(1).putLong(0).putString("127.0.0.1").putLong(40000 + c).putLong(6379).end();
                written++;
            }
            var batch = new int[64];
            while (written < events) {
                // One event-loop iteration: poll, then read/execute a batch of ready clients, then answer them.
                long pollStart = t + 200;
                t = pollStart + 1000 + rnd.nextInt(20_000);
                int n = 1 + rnd.nextInt(Math.min(clients, batch.length));
                s.begin(poll, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(RedisTraceWriter.raw(pollStart))
                        .putLong(100_000).putLong(n).end();
                for (int i = 0; i < n; i++) {
                    int c = rnd.nextInt(clients);
                    batch[i] = c;
                    int fd = 10 + c;
                    long id = c + 1;
                    long rs = t + 100;
                    t = rs + 800 + rnd.nextInt(400);
                    s.begin(read, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(fd).putLong(id)
                            .putLong(RedisTraceWriter.raw(rs)).putLong(16384).putLong(40).putLong(40).end();
                    var cmd = COMMANDS[rnd.nextInt(COMMANDS.length)];
                    t += 300;
                    s.begin(cstart, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(fd).putLong(id).putString(cmd)
                            .putLong(3).putLong(0).putLong(-1).end();
                    long exec = 200 + rnd.nextInt(rnd.nextInt(100) == 0 ? 200_000 : 2000);
                    long es = t + 50;
                    t = es + exec;
                    s.begin(cend, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(fd).putLong(id).putString(cmd)
                            .putLong(RedisTraceWriter.raw(es)).putLong(exec).putLong(1).putLong(0).end();
                    t += 100;
                    s.begin(proc, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(fd).putLong(id).putLong(0).end();
                    t += 100;
                    s.begin(queue, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(fd).putLong(id).end();
                    written += 5;
                    requests++;
                }
                t += 200;
                s.begin(bsStart, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(n).putLong(0).putLong(0).end();
                for (int i = 0; i < n; i++) {
                    long ws = t + 100;
                    t = ws + 1500 + rnd.nextInt(1000);
                    s.begin(write, t).putLong(vpid).putLong(vpid).putString(PROC).putLong(10 + batch[i]).putLong(batch[i] + 1)
                            .putLong(RedisTraceWriter.raw(ws)).putLong(5).putLong(5).putLong(1).end();
                }
                t += 100;
                s.begin(bsEnd, t).putLong(vpid).putLong(vpid).putString(PROC).end();
                written += n + 3;
            }
        }
        return requests;
    }
}
