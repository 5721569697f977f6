package kvscope.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response schemas of TSP 0.6.0 ({@code API.yaml} of eclipse-cdt-cloud/trace-server-protocol, components/schemas),
 * transcribed as their required fields and types: every answer the tests receive is checked against them, so a
 * renamed or missing field fails here before it fails in a trace viewer.
 */
final class Shapes {
    private Shapes() {}

    private static final Set<String> STATUS = Set.of("RUNNING", "COMPLETED", "FAILED", "CANCELLED");
    private static final Set<String> INDEXING = Set.of("RUNNING", "COMPLETED", "CLOSED");
    private static final Set<String> PROVIDER_TYPES = Set.of("TABLE", "TREE_TIME_XY", "TIME_GRAPH", "DATA_TREE", "NONE",
            "GANTT_CHART", "TREE_GENERIC_XY");
    private static final Set<String> DATA_TYPES = Set.of("NUMBER", "BINARY_NUMBER", "TIMESTAMP", "DURATION", "STRING", "TIME_RANGE");

    /** Each spec is "field:type" with type one of string, integer, number, boolean, array, object. */
    static void required(JsonNode n, String where, String... specs) {
        assertThat(n.isObject()).as("%s is an object: %s", where, n).isTrue();
        for (var spec : specs) {
            var field = spec.substring(0, spec.indexOf(':'));
            var type = spec.substring(spec.indexOf(':') + 1);
            var v = n.get(field);
            assertThat(v).as("%s.%s is required: %s", where, field, n).isNotNull();
            assertThat(switch (type) {
                case "string" -> v.isTextual();
                case "integer" -> v.isIntegralNumber();
                case "number" -> v.isNumber();
                case "boolean" -> v.isBoolean();
                case "array" -> v.isArray();
                case "object" -> v.isObject();
                default -> throw new IllegalArgumentException(type);
            }).as("%s.%s is a %s: %s", where, field, type, v).isTrue();
        }
    }

    static void trace(JsonNode n) {
        required(n, "Trace", "UUID:string", "end:integer", "indexingStatus:string", "name:string", "nbEvents:integer",
                "path:string", "properties:object", "start:integer");
        assertThat(INDEXING).contains(n.get("indexingStatus").asText());
    }

    static void experiment(JsonNode n) {
        required(n, "Experiment", "UUID:string", "end:integer", "indexingStatus:string", "name:string", "nbEvents:integer",
                "start:integer", "traces:array");
        assertThat(INDEXING).contains(n.get("indexingStatus").asText());
        n.get("traces").forEach(Shapes::trace);
    }

    static void dataProvider(JsonNode n) {
        required(n, "DataProvider", "description:string", "id:string", "name:string", "type:string");
        assertThat(PROVIDER_TYPES).contains(n.get("type").asText());
    }

    /** GenericResponse: status and statusMessage; returns the model. */
    static JsonNode generic(JsonNode n) {
        required(n, "GenericResponse", "status:string", "statusMessage:string");
        assertThat(STATUS).contains(n.get("status").asText());
        return n.get("model");
    }

    static void style(JsonNode n) {
        required(n, "OutputElementStyle", "values:object");
        if (n.has("parentKey")) assertThat(n.get("parentKey").isTextual()).isTrue();
    }

    /** TreeEntryModel (TimeGraphTreeModel when timeGraph): headers, entries, each entry's labels match the headers. */
    static void tree(JsonNode n, boolean timeGraph) {
        required(n, "TreeEntryModel", "entries:array", "headers:array");
        n.get("headers").forEach(h -> required(h, "TreeColumnHeader", "name:string", "tooltip:string"));
        for (var e : n.get("entries")) {
            required(e, "TreeDataModel", "id:integer", "labels:array");
            e.get("labels").forEach(l -> assertThat(l.isTextual()).as("labels are strings: %s", e).isTrue());
            if (n.get("headers").size() > 0) assertThat(e.get("labels").size()).as("labels per header: %s", e).isEqualTo(n.get("headers").size());
            if (timeGraph) required(e, "TimeGraphEntry", "start:integer", "end:integer");
            if (e.has("style")) style(e.get("style"));
        }
    }

    static void timeGraph(JsonNode n) {
        required(n, "TimeGraphModel", "rows:array");
        for (var r : n.get("rows")) {
            required(r, "TimeGraphRowModel", "entryId:integer", "states:array");
            for (var s : r.get("states")) {
                required(s, "TimeGraphState", "start:integer", "end:integer");
                if (s.has("style")) style(s.get("style"));
            }
        }
    }

    static void xy(JsonNode n) {
        required(n, "XYModel", "series:array", "title:string");
        for (var s : n.get("series")) {
            required(s, "SeriesModel", "seriesId:integer", "seriesName:string", "style:object", "xValuesDescription:object",
                    "yValues:array", "yValuesDescription:object");
            style(s.get("style"));
            for (var axis : new String[] {"xValuesDescription", "yValuesDescription"}) {
                required(s.get(axis), "XYAxisDescription", "dataType:string", "label:string", "unit:string");
                assertThat(DATA_TYPES).contains(s.get(axis).get("dataType").asText());
            }
        }
    }

    static void columns(JsonNode n) {
        assertThat(n.isArray()).isTrue();
        n.forEach(c -> required(c, "TableColumnHeader", "description:string", "id:integer", "name:string", "type:string"));
    }

    static void table(JsonNode n) {
        required(n, "VirtualTableModel", "columnIds:array", "lines:array", "lowIndex:integer", "size:integer");
        for (var l : n.get("lines")) {
            required(l, "VirtualTableLine", "cells:array", "index:integer");
            l.get("cells").forEach(c -> required(c, "VirtualTableCell", "content:string"));
            assertThat(l.get("cells").size()).isEqualTo(n.get("columnIds").size());
        }
    }

    static void error(JsonNode n) { required(n, "ErrorResponse", "title:string"); }
}
