package kvscope.analysis.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The last few events of one connection (name, time, thread), kept in fixed arrays so an anomaly can show the
 * sequence that led to it without the model storing events.
 */
final class Recent {
    static final int N = 12;
    final String[] name = new String[N];
    final long[] time = new long[N];
    final int[] tid = new int[N];
    int next;
    long lastSeq = -1;

    void add(long seq, String event, long t, int thread) {
        if (seq == lastSeq) return; // several handlers of one event
        lastSeq = seq;
        int i = next++ % N;
        name[i] = event;
        time[i] = t;
        tid[i] = thread;
    }

    void clear() {
        next = 0;
        lastSeq = -1;
    }

    List<String> lines() {
        var out = new ArrayList<String>();
        int n = Math.min(next, N);
        for (int k = next - n; k < next; k++) {
            int i = k % N;
            out.add(time[i] + " " + tid[i] + " " + name[i]);
        }
        return out;
    }
}
