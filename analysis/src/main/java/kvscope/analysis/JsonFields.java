package kvscope.analysis;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a record (or a plain data carrier with public fields; lists, maps, arrays, numbers, strings) as JSON through
 * a Jackson streaming generator, the way jackson-databind would: a record's components and a class's public fields
 * in declaration order, map keys as strings.
 * Why not databind: loading it and building its serialisers costs a few hundred milliseconds of CPU per analysis,
 * which on two busy cores is time taken from the analysis itself. Reading summary.json still uses databind.
 */
final class JsonFields {
    private static final Map<Class<?>, List<Field>> FIELDS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, RecordComponent[]> COMPONENTS = new ConcurrentHashMap<>();

    private JsonFields() {}

    static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) g.writeNull();
        else if (v instanceof String s) g.writeString(s);
        else if (v instanceof Long l) g.writeNumber(l);
        else if (v instanceof Integer i) g.writeNumber(i);
        else if (v instanceof Double d) g.writeNumber(d);
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else if (v instanceof Enum<?> e) g.writeString(e.name());
        else if (v instanceof long[] a) g.writeArray(a, 0, a.length);
        else if (v instanceof int[] a) g.writeArray(a, 0, a.length);
        else if (v instanceof double[] a) g.writeArray(a, 0, a.length);
        else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (var x : c) write(g, x);
            g.writeEndArray();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (var e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Record r) {
            g.writeStartObject();
            for (var c : COMPONENTS.computeIfAbsent(r.getClass(), Class::getRecordComponents)) {
                g.writeFieldName(c.getName());
                try {
                    write(g, c.getAccessor().invoke(r));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException(e); // public records' accessors only
                }
            }
            g.writeEndObject();
        } else if (v instanceof Number || v instanceof Character || v.getClass().isArray()) {
            // Nothing in the summary is of these kinds; databind would write them its own way.
            throw new IllegalArgumentException("no JSON form for " + v.getClass().getName());
        } else {
            g.writeStartObject();
            for (var f : fields(v.getClass())) {
                g.writeFieldName(f.getName());
                try {
                    write(g, f.get(v));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e); // public fields of public classes only
                }
            }
            g.writeEndObject();
        }
    }

    /** The public instance fields, superclass first, each class's in declaration order (databind's order). */
    private static List<Field> fields(Class<?> c) {
        var known = FIELDS.get(c);
        if (known != null) return known;
        var out = new ArrayList<Field>();
        if (c.getSuperclass() != null && c.getSuperclass() != Object.class) out.addAll(fields(c.getSuperclass()));
        for (var f : c.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && !Modifier.isStatic(m) && !Modifier.isTransient(m)) out.add(f);
        }
        var list = List.copyOf(out);
        FIELDS.putIfAbsent(c, list);
        return list;
    }
}
