package kvscope.analysis.views;

import java.util.List;
import java.util.Map;

/**
 * A data provider: one view of the stored model, answering the questions its kind of view asks. Implementations
 * read only the State History Tree, the segments and the summary — never the trace — and are safe to call from
 * several threads at once.
 */
public sealed interface Provider {
    Tsp.Descriptor descriptor();

    default String id() { return descriptor().id(); }

    /** Rows over time: a tree of entries, and states per entry at a resolution. */
    non-sealed interface TimeGraph extends Provider {
        Tsp.Tree tree();

        /** States of the requested entries (unknown ids are ignored), about one per sample gap. */
        Tsp.TimeGraph states(Query q, long[] items);

        List<Tsp.Arrow> arrows(Query q);

        /** What an entry was at time t, as name → value; empty when the entry is unknown or idle then. */
        Map<String, String> tooltip(long item, long time);
    }

    /** Series over time. */
    non-sealed interface Xy extends Provider {
        Tsp.Tree tree();

        /** The requested series, all sharing the same x values ({@code q.nbTimes()} of them). */
        Tsp.Xy xy(Query q, long[] items);
    }

    /** A tree of rows with columns, for a time range (or, for the state explorer, at the range's start). */
    non-sealed interface DataTree extends Provider {
        Tsp.Tree tree(long start, long end);
    }

    /** A virtual table, read page by page. */
    non-sealed interface Table extends Provider {
        List<Tsp.Column> columns();

        /** Lines [index, index + count) clipped to the table, with the given columns (all when empty). */
        Tsp.Table lines(long index, int count, long[] columnIds);
    }
}
