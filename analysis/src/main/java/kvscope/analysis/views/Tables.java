package kvscope.analysis.views;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Column selection and line building shared by the table providers. */
final class Tables {
    private Tables() {}

    /** The requested column ids that exist, in the requested order; every column when none is requested. */
    static int[] columns(long[] requested, int count) {
        if (requested == null || requested.length == 0) {
            var all = new int[count];
            for (int i = 0; i < count; i++) all[i] = i;
            return all;
        }
        return Arrays.stream(requested).filter(c -> c >= 0 && c < count).mapToInt(c -> (int) c).toArray();
    }

    static List<Long> ids(int[] cols) {
        var out = new ArrayList<Long>(cols.length);
        for (int c : cols) out.add((long) c);
        return out;
    }

    static Tsp.Line line(long index, String[] all, int[] cols) {
        var cells = new ArrayList<Tsp.Cell>(cols.length);
        for (int c : cols) cells.add(new Tsp.Cell(all[c], 0));
        return new Tsp.Line(index, 0, cells);
    }
}
