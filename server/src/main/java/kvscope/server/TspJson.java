package kvscope.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import kvscope.analysis.views.Tsp;

import java.io.IOException;

/**
 * Hand-written serialisers for the records a big answer holds by the ten thousand (a time graph's states): Jackson
 * would otherwise call each record accessor by reflection. They write exactly what the bean serialiser writes
 * (fields in record order, nulls left out), so the TSP shapes do not change.
 */
final class TspJson {
    private TspJson() {}

    private static final SerializedString START = new SerializedString("start"), END = new SerializedString("end"),
            LABEL = new SerializedString("label"), TAGS = new SerializedString("tags"), STYLE = new SerializedString("style"),
            PARENT_KEY = new SerializedString("parentKey"), VALUES = new SerializedString("values");

    static SimpleModule module() {
        return new SimpleModule("kvscope-model")
                .addSerializer(Tsp.TimeGraphState.class, new StdSerializer<>(Tsp.TimeGraphState.class) {
                    @Override public void serialize(Tsp.TimeGraphState s, JsonGenerator g, SerializerProvider p) throws IOException {
                        g.writeStartObject();
                        g.writeFieldName(START);
                        g.writeNumber(s.start());
                        g.writeFieldName(END);
                        g.writeNumber(s.end());
                        if (s.label() != null) {
                            g.writeFieldName(LABEL);
                            g.writeString(s.label());
                        }
                        g.writeFieldName(TAGS);
                        g.writeNumber(s.tags());
                        if (s.style() != null) {
                            g.writeFieldName(STYLE);
                            styleRef(s.style(), g, p);
                        }
                        g.writeEndObject();
                    }
                })
                .addSerializer(Tsp.StyleRef.class, new StdSerializer<>(Tsp.StyleRef.class) {
                    @Override public void serialize(Tsp.StyleRef r, JsonGenerator g, SerializerProvider p) throws IOException {
                        styleRef(r, g, p);
                    }
                });
    }

    private static void styleRef(Tsp.StyleRef r, JsonGenerator g, SerializerProvider p) throws IOException {
        g.writeStartObject();
        if (r.parentKey() != null) {
            g.writeFieldName(PARENT_KEY);
            g.writeString(r.parentKey());
        }
        if (r.values() != null) {
            g.writeFieldName(VALUES);
            if (r.values().isEmpty()) { // a reference by key: the common case, written without a map serialiser
                g.writeStartObject();
                g.writeEndObject();
            } else p.defaultSerializeValue(r.values(), g);
        }
        g.writeEndObject();
    }
}
