package kvscope.analysis.otel;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The links of a user's spans to the model, stored beside it ({@link #FILE}): what was read, each span's link, the
 * spans' clocks and every reason something was not used. Valid for the model of one trace fingerprint.
 *
 * @param clocks per resource: the offset added to its spans' times to put them on the trace's clock
 */
public record SpanLinks(String fingerprint, List<String> files, long documents, long spansSeen, long redisSpans,
                        long linked, long ambiguous, long unlinked, List<Clock> clocks, List<Reason> reasons,
                        List<SpanLink> links) {
    public static final String FILE = "spanlinks.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * @param toleranceNs how far a request may stick out of its span once the offset is applied (the offset's
     *                    uncertainty)
     * @param quantumNs   the granularity of the spans' start times (1 ms for the JavaScript SDK): each span's own
     *                    offset lies in [offset, offset + quantum)
     * @param spans       spans the estimate used; {@code fitted} of them contain a request at that offset
     */
    public record Clock(String resource, long offsetNs, long toleranceNs, long quantumNs, long spans, long fitted, String note) {}

    /** One reason spans or lines were not used (reading) or not linked (linking): how many, where. */
    public record Reason(String what, long count, List<String> examples) {}

    public static final SpanLinks NONE = new SpanLinks("", List.of(), 0, 0, 0, 0, 0, 0, List.of(), List.of(), List.of());

    public boolean isEmpty() { return files.isEmpty(); }

    public void write(Path dir) throws IOException {
        var tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The links stored in dir for this fingerprint, or {@link #NONE} (none stored, or made for another model). */
    public static SpanLinks read(Path dir, String fingerprint) throws IOException {
        var f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return NONE;
        try {
            var l = JSON.readValue(f.toFile(), SpanLinks.class);
            return fingerprint.equals(l.fingerprint()) ? l : NONE;
        } catch (IOException e) {
            throw new IOException(f + ": the stored span links cannot be read (" + e.getMessage()
                    + "); run `kvscope analyze --spans FILE…` again", e);
        }
    }
}
