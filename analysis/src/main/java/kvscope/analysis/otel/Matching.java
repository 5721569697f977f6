package kvscope.analysis.otel;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which span ↔ request links are certain. Every span was served by exactly one request and a request serves one
 * span, so the truth is a matching of the span–candidate graph that covers every span. A link is certain when every
 * maximum matching has it: it is in one maximum matching M, on no M-alternating cycle (the spans of the cycle could
 * all move one step), and on no even M-alternating path from an unmatched vertex (a request no span took, or a span
 * left out). For every other span, the requests it may have in some maximum matching are its possible ones.
 *
 * <p>Spans and requests are numbered 0…n−1 and 0…m−1; the graph is local in time, so the walks below (iterative:
 * an alternating path may run through a whole busy recording) stay short in practice.
 */
final class Matching {
    private final int[][] cand;
    private final int n, m;
    /** span → its request in M (−1 unmatched); request → its span (−1). */
    final int[] ofSpan, ofReq;
    /** Per span: whether its M-link is certain. */
    final boolean[] certain;

    Matching(int[][] cand, int requests) {
        this.cand = cand;
        this.n = cand.length;
        this.m = requests;
        ofSpan = new int[n];
        ofReq = new int[m];
        Arrays.fill(ofSpan, -1);
        Arrays.fill(ofReq, -1);
        maximum();
        certain = new boolean[n];
        var uncertain = new boolean[n];
        fromFreeRequests(uncertain);
        fromUnmatchedSpans(uncertain);
        onCycles(uncertain);
        for (int s = 0; s < n; s++) certain[s] = ofSpan[s] >= 0 && !uncertain[s];
    }

    /** Kuhn's augmenting paths, iterative, after a greedy start. */
    private void maximum() {
        for (int s = 0; s < n; s++) {
            for (int g : cand[s]) if (ofReq[g] < 0) { ofReq[g] = s; ofSpan[s] = g; break; }
        }
        var seen = new int[m];
        int stamp = 0;
        var stackS = new int[n + 1];
        var stackI = new int[n + 1];
        var via = new int[n + 1];
        for (int root = 0; root < n; root++) {
            if (ofSpan[root] >= 0 || cand[root].length == 0) continue;
            stamp++;
            int top = 0;
            stackS[0] = root;
            stackI[0] = 0;
            boolean found = false;
            while (top >= 0 && !found) {
                int s = stackS[top];
                if (stackI[top] >= cand[s].length) { top--; continue; }
                int g = cand[s][stackI[top]++];
                if (seen[g] == stamp) continue;
                seen[g] = stamp;
                via[top] = g;
                if (ofReq[g] < 0) {
                    // Augment: every span on the stack takes the request it reached.
                    for (int k = top; k >= 0; k--) {
                        int sk = stackS[k], gk = via[k];
                        ofSpan[sk] = gk;
                        ofReq[gk] = sk;
                    }
                    found = true;
                } else {
                    top++;
                    stackS[top] = ofReq[g];
                    stackI[top] = 0;
                }
            }
        }
    }

    /** Spans that could give their request up to take a free one (even alternating paths from free requests). */
    private void fromFreeRequests(boolean[] mark) {
        var spansOf = spansOfRequests();
        var queue = new ArrayDeque<Integer>();
        for (int s = 0; s < n; s++) {
            if (ofSpan[s] < 0) continue;
            for (int g : cand[s]) if (ofReq[g] < 0) { mark[s] = true; queue.add(s); break; }
        }
        while (!queue.isEmpty()) {
            int s2 = queue.poll();
            for (int s : spansOf.getOrDefault(ofSpan[s2], EMPTY)) {
                if (!mark[s] && ofSpan[s] >= 0 && s != s2) { mark[s] = true; queue.add(s); }
            }
        }
    }

    /** Spans whose request a left-out span could take (even alternating paths from unmatched spans). */
    private void fromUnmatchedSpans(boolean[] mark) {
        var queue = new ArrayDeque<Integer>();
        var visited = new boolean[n];
        for (int s = 0; s < n; s++) if (ofSpan[s] < 0 && cand[s].length > 0) { visited[s] = true; queue.add(s); }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            for (int g : cand[s]) {
                int s2 = ofReq[g];
                if (s2 >= 0 && s2 != s && !visited[s2]) { visited[s2] = true; mark[s2] = true; queue.add(s2); }
            }
        }
    }

    /** Spans on alternating cycles: strongly connected components (Tarjan, iterative) of span → owner of a candidate. */
    private void onCycles(boolean[] mark) {
        var index = new int[n];
        var low = new int[n];
        var onStack = new boolean[n];
        Arrays.fill(index, -1);
        var stack = new int[n];
        int sp = 0, counter = 0;
        var callS = new int[n];
        var callI = new int[n];
        for (int root = 0; root < n; root++) {
            if (index[root] >= 0 || ofSpan[root] < 0) continue;
            int depth = 0;
            callS[0] = root;
            callI[0] = 0;
            index[root] = low[root] = counter++;
            stack[sp++] = root;
            onStack[root] = true;
            while (depth >= 0) {
                int s = callS[depth];
                if (callI[depth] < cand[s].length) {
                    int g = cand[s][callI[depth]++];
                    int t = ofReq[g];
                    if (t < 0 || t == s) continue;
                    if (index[t] < 0) {
                        index[t] = low[t] = counter++;
                        stack[sp++] = t;
                        onStack[t] = true;
                        depth++;
                        callS[depth] = t;
                        callI[depth] = 0;
                    } else if (onStack[t]) {
                        low[s] = Math.min(low[s], index[t]);
                    }
                    continue;
                }
                if (low[s] == index[s]) {
                    int size = 0, k = sp;
                    do { k--; size++; } while (stack[k] != s);
                    for (int j = k; j < sp; j++) {
                        onStack[stack[j]] = false;
                        if (size > 1) mark[stack[j]] = true;
                    }
                    sp = k;
                }
                depth--;
                if (depth >= 0) low[callS[depth]] = Math.min(low[callS[depth]], low[s]);
            }
        }
    }

    /**
     * The requests span s may have in some maximum matching: its own in M, free candidates, and the requests of spans
     * that could move elsewhere (reached from a free request or an unmatched span, or on a cycle with s) — an
     * upper bound good for a confidence. All its candidates when it is unmatched.
     */
    int possible(int s, boolean[] movable) {
        if (ofSpan[s] < 0) return cand[s].length;
        int k = 1;
        for (int g : cand[s]) {
            if (g == ofSpan[s]) continue;
            if (ofReq[g] < 0 || movable[ofReq[g]]) k++;
        }
        return k;
    }

    boolean[] movable() {
        var mv = new boolean[n];
        for (int s = 0; s < n; s++) mv[s] = ofSpan[s] >= 0 && !certain[s];
        return mv;
    }

    private static final List<Integer> EMPTY = List.of();

    private Map<Integer, List<Integer>> spansOfRequests() {
        var out = new HashMap<Integer, List<Integer>>();
        for (int s = 0; s < n; s++) for (int g : cand[s]) out.computeIfAbsent(g, k -> new java.util.ArrayList<>()).add(s);
        return out;
    }
}
