package kvscope.analysis.views;

import kvscope.analysis.LiveModel;
import kvscope.analysis.Stored;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The views of one stored analysis, in the order a viewer lists them. Built from the stored model only (the State
 * History Tree, the segments, the summary); each provider is cheap to create and does its work when asked.
 */
public final class Views {
    private final List<Provider> providers;

    private Views(List<Provider> providers) { this.providers = providers; }

    public static Views of(Stored stored) throws IOException {
        var h = stored.history();
        var sf = stored.segments();
        var summary = stored.summary();
        return new Views(List.of(new NetflowView(h, stored.flows(), sf.servers()), new ThreadsView(h), new EventLoopView(h),
                new DataVolumeView(h, sf), new LatencyScatterView(sf, summary), new SlowestRequestsView(sf),
                new StatisticsView(sf, summary), new StateExplorerView(h), new StateTimeGraphView(h), new FindingsView(stored),
                new ServicesView(stored.services(), sf, h, stored.flows()), new ServiceRoutesView(stored.services()),
                new ServiceRequestsView(stored.services()), new ReplicationView(h), new OwnSpansView(stored.spanLinks(), sf)));
    }

    /**
     * The views a model being built can answer (a live session's, {@code serve --live}): those drawn from the State
     * History Tree, which answers queries while it grows, and — once segments were published — those drawn from the
     * segments and flows written so far, with the snapshot's partial summary. Findings and the services need the
     * whole model (the detectors' and the linker's passes at the end). Make new ones now and then: a time graph's
     * rows are listed once per instance, and the snapshot is fixed.
     */
    public static Views growing(LiveModel.Snapshot s) {
        var h = s.history();
        var list = new ArrayList<Provider>();
        var sf = s.segments();
        if (sf != null) {
            if (s.flows() != null) list.add(new NetflowView(h, s.flows(), sf.servers()));
            list.addAll(List.of(new DataVolumeView(h, sf), new LatencyScatterView(sf, s.summary()),
                    new SlowestRequestsView(sf), new StatisticsView(sf, s.summary())));
        }
        list.addAll(List.of(new ThreadsView(h), new EventLoopView(h), new StateExplorerView(h),
                new StateTimeGraphView(h), new ReplicationView(h)));
        return new Views(List.copyOf(list));
    }

    /** The descriptors of every view, whatever the model holds: viewers list them before the analysis ends. */
    public static List<Tsp.Descriptor> descriptors() {
        return List.of(NetflowView.DESCRIPTOR, ThreadsView.DESCRIPTOR, EventLoopView.DESCRIPTOR,
                DataVolumeView.DESCRIPTOR, LatencyScatterView.DESCRIPTOR, SlowestRequestsView.DESCRIPTOR,
                StatisticsView.DESCRIPTOR, StateExplorerView.DESCRIPTOR, StateTimeGraphView.DESCRIPTOR, FindingsView.DESCRIPTOR,
                ServicesView.DESCRIPTOR, ServiceRoutesView.DESCRIPTOR, ServiceRequestsView.DESCRIPTOR,
                ReplicationView.DESCRIPTOR, OwnSpansView.DESCRIPTOR);
    }

    public List<Provider> all() { return providers; }

    public Optional<Provider> find(String id) {
        return providers.stream().filter(p -> p.id().equals(id)).findFirst();
    }
}
