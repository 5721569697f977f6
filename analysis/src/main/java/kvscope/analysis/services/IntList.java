package kvscope.analysis.services;

import java.util.Arrays;

/** A growable list of ints (span indexes), without boxing. */
final class IntList {
    int[] a = new int[4];
    int size;

    void add(int v) {
        if (size == a.length) a = Arrays.copyOf(a, size * 2);
        a[size++] = v;
    }

    int get(int i) { return a[i]; }
}
