package kvscope.ctf;

import java.util.Arrays;

/**
 * The decoded values of one event (or one packet header and context), as a flat stream of longs in declaration
 * order: integers and enums as their value, floats as double bits, strings as (byte offset in the packet buffer,
 * byte length), arrays and sequences as their element count followed by the elements, variants as the option index
 * followed by the option. {@code pos[slot]} says where a named field starts. Reused for every event: no allocation.
 */
final class DecodedValues {
    long[] v = new long[64];
    int n;
    int[] pos;

    DecodedValues(int slots) {
        pos = new int[Math.max(1, slots)];
    }

    void ensureSlots(int slots) {
        if (pos.length < slots) pos = new int[slots];
    }

    void reset() {
        n = 0;
    }

    void grow(int need) {
        int len = v.length;
        while (len < need) len *= 2;
        v = Arrays.copyOf(v, len);
    }
}
