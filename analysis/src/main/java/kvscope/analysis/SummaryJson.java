package kvscope.analysis;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes {@code summary.json}. Why a class of its own: Jackson's databind takes a few hundred milliseconds
 * of CPU to load and to build the summary's serialisers — a fifth of the analysis of a 1 M-event trace. An analysis
 * therefore writes through the streaming generator only ({@link JsonFields}, same text as databind would write),
 * warmed up by {@link #warmUp} on a spare thread; databind is loaded only to read a stored summary.
 */
final class SummaryJson {
    private SummaryJson() {}

    /** Apart, so that writing does not load databind (class init is lazy). */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    private static final class Writer {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    static void write(Path file, Summary s) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            write(out, s);
        }
    }

    static void write(OutputStream out, Summary s) throws IOException {
        try (var g = Writer.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            JsonFields.write(g, s);
        }
    }

    static Summary read(Path file) throws IOException {
        return Mapper.JSON.readValue(file.toFile(), Summary.class);
    }

    /** Loads the JSON writer and looks up the summary's fields in the background; returns at once. */
    static void warmUp() {
        var t = new Thread(() -> {
            try {
                write(new ByteArrayOutputStream(), Summary.empty());
            } catch (IOException e) {
                throw new UncheckedIOException(e); // cannot happen in memory; the real write would say the same
            }
        }, "kvscope-json-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }
}
