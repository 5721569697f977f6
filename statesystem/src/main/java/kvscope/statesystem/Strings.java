package kvscope.statesystem;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;

/** The string table: state strings are stored once and referenced by id, so a string state costs a varint. */
final class Strings {
    private final HashMap<String, Integer> ids = new HashMap<>();
    private String[] byId = new String[64];
    private int count;

    int id(String s) {
        Integer id = ids.get(s);
        if (id != null) return id;
        s = s.intern();
        if (count == byId.length) byId = Arrays.copyOf(byId, count * 2);
        byId[count] = s;
        ids.put(s, count);
        return count++;
    }

    /** Volatile-free read is safe: readers hold the history's read lock, or the table is frozen (reopened file). */
    String get(long id) {
        return id >= 0 && id < count ? byId[(int) id] : null;
    }

    int count() { return count; }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(count);
        for (int i = 0; i < count; i++) out.writeUTF(byId[i]);
    }

    static Strings read(DataInputStream in) throws IOException {
        var s = new Strings();
        int n = in.readInt();
        if (n < 0) throw new IOException("negative string count " + n);
        for (int i = 0; i < n; i++) {
            if (s.id(in.readUTF()) != i) throw new IOException("duplicate string " + i);
        }
        return s;
    }
}
