package kvscope.analysis.views;

import java.util.List;
import java.util.Map;

/**
 * The shapes data providers answer with. Field names are those of the Trace Server Protocol 0.6.0 schemas
 * (API.yaml), so the server serialises these records as they are; nothing here knows about HTTP.
 */
public final class Tsp {
    private Tsp() {}

    /** What a provider draws: the TSP {@code DataProvider.type}. */
    public enum ProviderType { TIME_GRAPH, TREE_TIME_XY, DATA_TREE, TABLE }

    /** A provider's descriptor (TSP {@code DataProvider}); ids are URL-safe (letters, digits, dots). */
    public record Descriptor(String id, String name, String description, ProviderType type) {}

    /** A column of a tree (TSP {@code EntryHeader}); dataType STRING, NUMBER, TIMESTAMP or DURATION. */
    public record Header(String name, String tooltip, String dataType) {
        public static Header of(String name, String dataType) { return new Header(name, "", dataType); }
    }

    /**
     * One tree entry. {@code start}/{@code end} are set for time-graph entries (required there), {@code isDefault}
     * for XY entries; null fields are left out of the JSON.
     */
    public record Entry(long id, long parentId, List<String> labels, boolean hasData, Long start, Long end,
                        Boolean isDefault, StyleRef style) {
        public static Entry timeGraph(long id, long parentId, String label, boolean hasData, long start, long end) {
            return new Entry(id, parentId, List.of(label), hasData, start, end, null, null);
        }

        public static Entry xy(long id, long parentId, String label, boolean hasData, boolean isDefault) {
            return new Entry(id, parentId, List.of(label), hasData, null, null, hasData ? isDefault : null, null);
        }

        public static Entry data(long id, long parentId, List<String> labels) {
            return new Entry(id, parentId, labels, true, null, null, null, null);
        }
    }

    /** A tree (TSP {@code TreeEntryModel}): autoExpandLevel −1 expands all. */
    public record Tree(List<Header> headers, int autoExpandLevel, List<Entry> entries) {}

    /** A reference to a style of the provider's style map (TSP {@code OutputElementStyle}). */
    public record StyleRef(String parentKey, Map<String, Object> values) {
        /** A reference by key: the values come from the style map ({@code values} is required, so it is {}). */
        public static StyleRef of(String key) { return new StyleRef(key, Map.of()); }
    }

    /** One state of a row (TSP {@code TimeGraphState}); times are ns since the epoch, both inclusive. */
    public record TimeGraphState(long start, long end, String label, int tags, StyleRef style) {}

    public record Row(long entryId, List<TimeGraphState> states) {}

    public record TimeGraph(List<Row> rows) {}

    /** TSP {@code TimeGraphArrow}. */
    public record Arrow(long sourceId, long targetId, long start, long end, StyleRef style) {}

    /** How an axis is labelled (TSP {@code AxisDescription}). */
    public record Axis(String label, String unit, String dataType) {}

    /** One series (TSP {@code SeriesModel}): every series of one model shares the same x values. */
    public record Series(long seriesId, String seriesName, long[] xValues, double[] yValues, StyleRef style,
                         Axis xValuesDescription, Axis yValuesDescription) {}

    public record Xy(String title, List<Series> series) {}

    /** TSP {@code TableColumnHeader}. */
    public record Column(long id, String name, String description, String type) {}

    public record Cell(String content, int tags) {}

    public record Line(long index, int tags, List<Cell> cells) {}

    /** TSP {@code VirtualTableModel}: lines [lowIndex, lowIndex + lines.size()) of {@code size}. */
    public record Table(long lowIndex, long size, List<Long> columnIds, List<Line> lines) {}
}
