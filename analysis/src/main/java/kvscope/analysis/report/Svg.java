package kvscope.analysis.report;

import java.util.List;
import java.util.Locale;

/** Minimal SVG charts for the self-contained HTML report: no script, no external file. */
final class Svg {
    static final String[] COLORS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7"};
    private static final int W = 720, H = 200, L = 60, B = 30;

    private Svg() {}

    /** Lines over equal buckets; {@code xLabel} explains the bucket width. */
    static String lines(String title, List<String> names, List<long[]> series, String yUnit, String xLabel) {
        long max = 1;
        for (var s : series) for (long v : s) max = Math.max(max, v);
        var sb = head(title);
        axis(sb, max, yUnit);
        for (int k = 0; k < series.size(); k++) {
            var s = series.get(k);
            var pts = new StringBuilder();
            for (int i = 0; i < s.length; i++) {
                double x = L + (W - L - 10) * (i + 0.5) / s.length;
                double y = H - B - (H - B - 20) * (double) s[i] / max;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append("<polyline fill='none' stroke-width='1.5' stroke='").append(COLORS[k % COLORS.length])
                    .append("' points='").append(pts).append("'/>");
        }
        legend(sb, names);
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' class='l'>%s</text>", L, H - 8, esc(xLabel)));
        return sb.append("</svg>").toString();
    }

    /** Bars of counts per latency bucket (powers of two from 1 µs), one color per command. */
    static String histogram(String title, List<String> names, List<long[]> counts, String[] bucketLabels) {
        long max = 1;
        for (var c : counts) for (long v : c) max = Math.max(max, v);
        var sb = head(title);
        axis(sb, max, "requests");
        int n = bucketLabels.length;
        double slot = (double) (W - L - 10) / n;
        double bar = slot / Math.max(1, counts.size());
        for (int k = 0; k < counts.size(); k++) {
            for (int i = 0; i < n; i++) {
                long v = counts.get(k)[i];
                if (v == 0) continue;
                double h = (H - B - 20) * (double) v / max;
                sb.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s %s: %d</title></rect>",
                        L + i * slot + k * bar, H - B - h, Math.max(1, bar - 1), h, COLORS[k % COLORS.length],
                        esc(names.get(k)), bucketLabels[i], v));
            }
        }
        for (int i = 0; i < n; i += Math.max(1, n / 8)) {
            sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' class='l'>%s</text>", L + i * slot, H - B + 14, bucketLabels[i]));
        }
        legend(sb, names);
        return sb.append("</svg>").toString();
    }

    private static StringBuilder head(String title) {
        return new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' role='img'><title>%s</title>"
                        + "<text x='%d' y='14' class='t'>%s</text>", W, H, esc(title), L, esc(title)));
    }

    private static void axis(StringBuilder sb, long max, String unit) {
        sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='20' x2='%d' y2='%d' stroke='#999'/><line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#999'/>",
                L, L, H - B, L, H - B, W - 10, H - B));
        sb.append(String.format(Locale.ROOT, "<text x='4' y='28' class='l'>%s</text><text x='4' y='%d' class='l'>0</text>",
                esc(Units.count(max) + " " + unit), H - B));
    }

    private static void legend(StringBuilder sb, List<String> names) {
        for (int k = 0; k < names.size() && k < 8; k++) {
            sb.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='10' height='10' fill='%s'/><text x='%d' y='%d' class='l'>%s</text>",
                    W - 200, 24 + 14 * k, COLORS[k % COLORS.length], W - 186, 33 + 14 * k, esc(names.get(k))));
        }
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace("\"", "&quot;");
    }
}
