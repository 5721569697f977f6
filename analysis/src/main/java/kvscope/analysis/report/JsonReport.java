package kvscope.analysis.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.Writer;

/** The report as JSON, names in snake_case with units in the name ({@code p50_ns}). */
public final class JsonReport {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {}

    public static void write(Report r, Writer out) throws IOException {
        JSON.writeValue(out, r);
    }

    /** Any part of the report (one request's tree, say) in the same JSON style. */
    public static void writeValue(Object value, Writer out) throws IOException {
        JSON.writeValue(out, value);
    }
}
