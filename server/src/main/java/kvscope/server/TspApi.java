package kvscope.server;

import kvscope.analysis.report.Units;
import kvscope.analysis.sync.Verdict;
import kvscope.analysis.views.Provider;
import kvscope.analysis.views.Query;
import kvscope.analysis.views.Styles;
import kvscope.analysis.views.Tsp;
import kvscope.analysis.views.Views;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Trace Server Protocol 0.6.0 endpoints (paths under {@code /tsp/api}): health, traces, experiments, outputs,
 * and per output kind the tree, states, arrows, tooltip, style, annotations, xy, data tree and table calls. Paths
 * arrive split into segments; each answer is an object Jackson writes as the TSP schema says.
 */
final class TspApi {
    /** Samples when a client leaves nbTimes out. */
    private static final int DEFAULT_TIMES = 1000;
    /** Lines per table request: ag-grid asks for 200; far more is a mistake. */
    private static final int MAX_LINES = 10_000;

    private final Registry registry;

    TspApi(Registry registry) { this.registry = registry; }

    record Answer(int status, Object body) {
        static Answer ok(Object body) { return new Answer(200, body); }
    }

    Answer handle(String method, List<String> path, byte[] body) {
        int n = path.size();
        if (n == 1 && path.get(0).equals("health")) return get(method, () -> Map.of("status", "UP"));
        if (n == 1 && path.get(0).equals("identifier")) return get(method, TspApi::identifier);
        if (n >= 1 && path.get(0).equals("traces")) return traces(method, path, body);
        if (n >= 1 && path.get(0).equals("experiments")) return experiments(method, path, body);
        throw ApiError.notFound("no endpoint /tsp/api/" + String.join("/", path));
    }

    private static Map<String, Object> identifier() {
        var m = new LinkedHashMap<String, Object>();
        m.put("version", "0.1.0");
        m.put("buildTime", "");
        m.put("os", System.getProperty("os.name"));
        m.put("osArch", System.getProperty("os.arch"));
        m.put("osVersion", System.getProperty("os.version"));
        m.put("cpuCount", Runtime.getRuntime().availableProcessors());
        m.put("maxMemory", Runtime.getRuntime().maxMemory());
        m.put("productId", "kvscope");
        m.put("launcherName", "kvscope serve");
        m.put("tspVersion", "0.6.0");
        return m;
    }

    private interface Body { Object get(); }

    private static Answer get(String method, Body b) {
        if (!method.equals("GET")) throw methodNotAllowed(method);
        return Answer.ok(b.get());
    }

    private static ApiError methodNotAllowed(String method) {
        return new ApiError(405, "Method not allowed", method + " is not supported on this path");
    }

    // ------------------------------------------------------------------ traces and experiments

    private Answer traces(String method, List<String> path, byte[] body) {
        if (path.size() == 1) {
            return switch (method) {
                case "GET" -> Answer.ok(registry.traces().stream().map(TspApi::trace).toList());
                case "POST" -> {
                    var p = Params.parse(body);
                    var t = registry.openTrace(p.string("uri"), p.string("name", null));
                    yield Answer.ok(trace(t));
                }
                default -> throw methodNotAllowed(method);
            };
        }
        if (path.size() == 2) {
            return switch (method) {
                case "GET" -> Answer.ok(trace(registry.trace(path.get(1))));
                case "DELETE" -> Answer.ok(trace(registry.deleteTrace(path.get(1))));
                default -> throw methodNotAllowed(method);
            };
        }
        throw ApiError.notFound("no endpoint /tsp/api/" + String.join("/", path));
    }

    private Answer experiments(String method, List<String> path, byte[] body) {
        int n = path.size();
        if (n == 1) {
            return switch (method) {
                case "GET" -> Answer.ok(registry.experiments().stream().map(TspApi::experiment).toList());
                case "POST" -> {
                    var p = Params.parse(body);
                    yield Answer.ok(experiment(registry.openExperiment(p.string("name"), p.strings("traces"))));
                }
                default -> throw methodNotAllowed(method);
            };
        }
        if (n == 2) {
            return switch (method) {
                case "GET" -> Answer.ok(experiment(registry.experiment(path.get(1))));
                case "DELETE" -> Answer.ok(experiment(registry.deleteExperiment(path.get(1))));
                default -> throw methodNotAllowed(method);
            };
        }
        var exp = registry.experiment(path.get(1));
        if (!path.get(2).equals("outputs")) throw ApiError.notFound("no endpoint /tsp/api/" + String.join("/", path));
        if (n == 3) return get(method, Views::descriptors);
        if (n == 4 && path.get(3).equals("markerSets")) return get(method, () -> generic(exp.job(), List.of()));
        if (n == 4) return get(method, () -> descriptor(path.get(3)));
        if (n == 5) return output(method, exp, path.get(3), path.get(4), body);
        if (n == 6) return typed(method, exp, path.get(3), path.get(4), path.get(5), body);
        throw ApiError.notFound("no endpoint /tsp/api/" + String.join("/", path));
    }

    private static Tsp.Descriptor descriptor(String id) {
        return Views.descriptors().stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> ApiError.notFound("no output \"" + id + "\""));
    }

    /** TSP {@code Trace}. */
    private static Map<String, Object> trace(Registry.OpenTrace t) {
        var m = new LinkedHashMap<String, Object>();
        m.put("UUID", t.uuid().toString());
        m.put("name", t.name());
        m.put("path", t.path().toString());
        timing(m, t.job());
        m.put("properties", properties(t.job()));
        return m;
    }

    /** TSP {@code Experiment}. */
    private static Map<String, Object> experiment(Registry.Experiment e) {
        var m = new LinkedHashMap<String, Object>();
        m.put("UUID", e.uuid().toString());
        m.put("name", e.name());
        timing(m, e.job());
        m.put("traces", e.traces().stream().map(TspApi::trace).toList());
        m.put("properties", properties(e.job()));
        return m;
    }

    private static void timing(Map<String, Object> m, Job job) {
        var s = job.stored();
        var live = job.live();
        if (s == null && live != null && live.firstNs() != Long.MIN_VALUE) {
            // A live session: the range covered so far, which grows as the session runs.
            m.put("start", live.firstNs());
            m.put("end", Math.max(live.firstNs(), live.coveredNs()));
        } else {
            m.put("start", s != null ? s.summary().start() : 0L);
            m.put("end", s != null ? s.summary().end() : 0L);
        }
        m.put("nbEvents", job.events());
        // TSP has no FAILED indexing status: a failed analysis is over (COMPLETED) and says why in its properties
        // and in every view's statusMessage, so viewers stop polling instead of spinning forever.
        m.put("indexingStatus", job.status() == Job.Status.RUNNING ? "RUNNING" : "COMPLETED");
    }

    private static Map<String, String> properties(Job job) {
        var p = new LinkedHashMap<String, String>();
        p.put("analysis", job.status().name());
        p.put("progress", String.format(Locale.ROOT, "%.3f", job.fraction()));
        var live = job.live();
        if (live != null) p.put("live", live.describe());
        if (job.error() != null) p.put("error", job.error());
        clocks(job, p);
        return p;
    }

    /**
     * Several hosts: one property {@code clock:HOST} per host, how its clock was put on the reference host's time
     * line (TSP has no field for it; theia-trace-extension #719 asks for one). The page shows them as a table.
     */
    private static void clocks(Job job, Map<String, String> p) {
        var s = job.stored();
        if (s == null) return;
        try {
            for (var c : s.clocks().hosts()) {
                p.put("clock:" + c.host(), c.verdict().name().toLowerCase(Locale.ROOT) + "; offset "
                        + (c.offsetNs() < 0 ? "-" : "+") + Units.duration(Math.abs(c.offsetNs()))
                        + String.format(Locale.ROOT, "; drift %+.2f ppm; ", c.driftPpm())
                        + (c.verdict() == Verdict.REFERENCE ? "reference" : c.bounded()
                                ? "± " + Units.duration(Math.round(c.boundNs())) : "unbounded")
                        + "; " + c.pairs() + " pairs" + (c.pairsByKind().isEmpty() ? "" : " (" + c.pairsText() + ")")
                        + "; " + c.verdict().text());
            }
        } catch (IOException e) {
            p.put("clock:error", "cannot read the hosts' clocks: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ outputs

    private static Json.Generic generic(Job job, Object model) {
        return new Json.Generic(model, job.status().name(), job.message());
    }

    /** {@code outputs/{o}/style} and {@code outputs/{o}/annotations}. */
    private Answer output(String method, Registry.Experiment exp, String id, String what, byte[] body) {
        descriptor(id);
        return switch (what) {
            case "style" -> {
                if (!method.equals("POST")) throw methodNotAllowed(method);
                Params.parse(body);
                var styles = new LinkedHashMap<String, Object>();
                Styles.all().forEach((k, v) -> styles.put(k, Map.of("values", v)));
                yield Answer.ok(new Json.Generic(Map.of("styles", styles), "COMPLETED", "Completed"));
            }
            case "annotations" -> switch (method) {
                case "POST" -> {
                    Params.parse(body);
                    yield Answer.ok(generic(exp.job(), Map.of("annotations", Map.of())));
                }
                case "GET" -> Answer.ok(generic(exp.job(), Map.of("annotationCategories", List.of())));
                default -> throw methodNotAllowed(method);
            };
            default -> throw ApiError.notFound("no endpoint outputs/" + id + "/" + what);
        };
    }

    /** {@code outputs/{timeGraph|XY|data|table}/{o}/{call}}. */
    private Answer typed(String method, Registry.Experiment exp, String kind, String id, String call, byte[] body) {
        if (!method.equals("POST")) throw methodNotAllowed(method);
        var d = descriptor(id);
        var expected = switch (kind) {
            case "timeGraph" -> Tsp.ProviderType.TIME_GRAPH;
            case "XY" -> Tsp.ProviderType.TREE_TIME_XY;
            case "data" -> Tsp.ProviderType.DATA_TREE;
            case "table" -> Tsp.ProviderType.TABLE;
            default -> throw ApiError.notFound("no output kind \"" + kind + "\" (timeGraph, XY, data, table)");
        };
        // DATA_TREE viewers fall back to the XY tree of the same output: answer the data tree there too.
        boolean dataAsXy = kind.equals("XY") && call.equals("tree") && d.type() == Tsp.ProviderType.DATA_TREE;
        if (d.type() != expected && !dataAsXy)
            throw ApiError.badRequest("output \"" + id + "\" is a " + d.type() + ", not " + expected);
        var p = Params.parse(body);
        var job = exp.job();
        Job.Growing growing = null;
        try {
            return typed(exp, kind, call, d, p, job, growing = job.status() != Job.Status.COMPLETED ? job.growingViews() : null);
        } finally {
            if (growing != null) job.release(growing);
        }
    }

    /** A view's answer: of the stored model, or of a live one ({@code growing}, null when there is none yet). */
    private Answer typed(Registry.Experiment exp, String kind, String call, Tsp.Descriptor d, Params p, Job job,
                         Job.Growing growing) {
        Provider provider;
        long start, end;
        String status = "COMPLETED", message = "Completed";
        if (growing != null || job.status() != Job.Status.COMPLETED) {
            // A live session's model, being built: the views it answers, over what it covers.
            provider = growing == null ? null : growing.views().find(d.id()).orElse(null);
            if (provider == null) return Answer.ok(generic(job, empty(d.type(), call)));
            start = growing.start();
            end = growing.end();
            status = "RUNNING";
            // Partial, and said so: what the model had written up to its end now (the page shows this line).
            message = job.message() + " · partial: up to " + Units.duration(end - start) + " in, "
                    + Units.count(growing.requests()) + " requests";
        } else {
            provider = job.views().find(d.id()).orElseThrow(() -> ApiError.notFound("no output \"" + d.id() + "\""));
            var summary = job.stored().summary();
            start = summary.start();
            end = summary.end();
        }
        Object model;
        if (provider instanceof Provider.TimeGraph tg) {
            model = switch (call) {
                case "tree" -> tg.tree();
                case "states" -> tg.states(p.timeRange(start, end, DEFAULT_TIMES), p.longs("requested_items"));
                case "arrows" -> tg.arrows(p.timeRange(start, end, DEFAULT_TIMES));
                case "tooltip" -> tooltip(tg, p);
                default -> throw unknownCall(kind, call);
            };
        } else if (provider instanceof Provider.Xy xy) {
            model = switch (call) {
                case "tree" -> xy.tree();
                case "xy" -> xy.xy(p.timeRange(start, end, DEFAULT_TIMES), p.longs("requested_items"));
                default -> throw unknownCall(kind, call);
            };
        } else if (provider instanceof Provider.DataTree dt) {
            if (!call.equals("tree")) throw unknownCall(kind, call);
            var q = p.timeRange(start, end, 1);
            long[] times = p.longs("requested_times");
            model = times.length > 0 ? dt.tree(times[0], times[0]) : dt.tree(q.start(), q.end());
        } else {
            var t = (Provider.Table) provider;
            model = switch (call) {
                case "columns" -> t.columns();
                case "lines" -> lines(t, p);
                default -> throw unknownCall(kind, call);
            };
        }
        return Answer.ok(new Json.Generic(model, status, message));
    }

    private static ApiError unknownCall(String kind, String call) {
        return ApiError.notFound("no endpoint outputs/" + kind + "/{id}/" + call);
    }

    private static Map<String, String> tooltip(Provider.TimeGraph tg, Params p) {
        long[] times = p.longs("requested_times");
        long[] items = p.longs("requested_items");
        if (times.length == 0 || items.length == 0)
            throw ApiError.badRequest("a tooltip needs \"requested_times\" and \"requested_items\" (one each)");
        return tg.tooltip(items[0], times[0]);
    }

    private static Tsp.Table lines(Provider.Table t, Params p) {
        long index = p.has("requested_table_index") ? p.longValue("requested_table_index") : 0;
        long count = p.has("requested_table_count") ? p.longValue("requested_table_count") : 200;
        if (index < 0) throw ApiError.badRequest("requested_table_index " + index + " is negative");
        if (count < 0 || count > MAX_LINES)
            throw ApiError.badRequest("requested_table_count " + count + " is outside 0.." + MAX_LINES);
        return t.lines(index, (int) count, p.longs("requested_table_column_ids"));
    }

    /** What a view answers while its analysis runs (or after it failed): an empty model of the right shape. */
    private static Object empty(Tsp.ProviderType kind, String call) {
        return switch (call) {
            case "tree" -> new Tsp.Tree(List.of(), -1, List.of());
            case "states" -> new Tsp.TimeGraph(List.of());
            case "arrows", "columns" -> List.of();
            case "tooltip" -> Map.of();
            case "xy" -> new Tsp.Xy("", List.of());
            case "lines" -> new Tsp.Table(0, 0, List.of(), List.of());
            default -> throw unknownCall(kind.name(), call);
        };
    }
}
