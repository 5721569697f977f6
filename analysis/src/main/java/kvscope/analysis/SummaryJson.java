package kvscope.analysis;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Reads and writes {@code summary.json}. Why a class of its own: Jackson takes a few hundred milliseconds to load and
 * to build the summary's (de)serialisers — a fifth of the analysis of a 1 M-event trace. {@link #warmUp} does that on
 * a spare thread while the events are analysed, so the write and the read-back at the end find it done.
 */
final class SummaryJson {
    private SummaryJson() {}

    /** Apart, so that calling {@link #warmUp} does not load Jackson on the caller's thread (class init is lazy). */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    static void write(Path file, Summary s) throws IOException {
        Mapper.JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), s);
    }

    static Summary read(Path file) throws IOException {
        return Mapper.JSON.readValue(file.toFile(), Summary.class);
    }

    /** Loads Jackson and builds the summary's (de)serialisers in the background; returns at once. */
    static void warmUp() {
        var t = new Thread(() -> {
            try {
                var bytes = Mapper.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Summary());
                Mapper.JSON.readValue(bytes, Summary.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // cannot happen in memory; the real write would say the same
            }
        }, "kvscope-json-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }
}
