package kvscope.analysis.findings;

import java.util.List;

/**
 * What a detector found: its kind, how serious, where (server, connection, threads) and when, a paragraph that
 * explains it with the numbers, the view and time to open to see it, and the events that led to it when they matter.
 */
public record Finding(String kind, Severity severity, String server, long start, long end, int fd, List<Integer> threads,
                      String title, String explanation, String view, List<String> events) {

    public enum Severity { INFO, WARNING, CRITICAL }
}
