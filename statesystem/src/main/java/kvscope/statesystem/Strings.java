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
    // Builders pass the same String objects again and again (interned labels, the reader's cached strings): a
    // direct-mapped cache by identity answers those without hashing and comparing characters.
    private final String[] seen = new String[1024];
    private final int[] seenId = new int[1024];

    int id(String s) {
        int slot = System.identityHashCode(s) & (seen.length - 1);
        if (seen[slot] == s) return seenId[slot];
        int id = lookup(s);
        seen[slot] = s;
        seenId[slot] = id;
        return id;
    }

    private int lookup(String s) {
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
