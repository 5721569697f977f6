package kvscope.cli;

import kvscope.fixtures.SampleTraces;
import kvscope.cli.testing.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kvscope report} on a trace with services: the services part, --slow-http, and one request with --request. */
class ReportServicesTest {
    @TempDir Path dir;

    /** Five GET /users/:id through gateway (pid 300) → user (301), whose Redis GET executes 10 ms. */
    private String trace() {
        return SampleTraces.usersThroughGateway(dir.resolve("trace"), 5).toString();
    }

    @Test
    void theReportShowsTheRoutesAndWhereTheTimeWentAndSlowHttpMakesAFinding() {
        var trace = trace();
        var text = Cli.run("report", trace);
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("== services: 2, 20 spans, 5 requests entered them ==")
                .contains("GET /users/:id                   gateway           5")
                .contains("where the time went: GET /users/:id on gateway, its 5 slowest requests")
                .contains("Redis executing (get) 50.05 ms 89.4 %")
                .doesNotContain("GET /users/:id: 5 of 5 requests slower");
        var slow = Cli.run("report", trace, "--slow-http", "5ms");
        assertThat(slow.out()).contains("GET /users/:id: 5 of 5 requests slower than 5.00 ms, mostly Redis executing (get) "
                + "(89.4 % of their time) on gateway");
        assertThat(Cli.run("report", trace, "--slowest", "2").out()).contains("its 2 slowest requests");
        assertThat(Cli.run("report", trace, "--slowest", "0").exitCode()).isEqualTo(2);
        var json = Cli.run("report", trace, "--format", "json");
        assertThat(json.out()).contains("\"services\" : {").contains("\"route\" : \"GET /users/:id\"");
    }

    @Test
    void oneRequestIsFollowedHopByHopInTextOrJson() throws Exception {
        var trace = trace();
        var one = Cli.run("report", trace, "--request", "300.11");
        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(one.out()).startsWith("request 300.11: GET /users/:id on gateway at +0.021000000s, status 200, 11.20 ms")
                .contains("server user GET /users/1").contains("redis user get")
                .contains("h1:6379 fd 8 client 5: queued 10.0 µs, read 10.0 µs, waited 10.0 µs, executed 10.01 ms");
        var file = dir.resolve("one.json");
        var json = Cli.run("report", trace, "--request", "300.11", "--format", "json", "-o", file.toString());
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(Files.readString(file)).contains("\"id\" : \"300.11\"").contains("\"children\" : [");
        var none = Cli.run("report", trace, "--request", "300.12");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains("no HTTP request 300.12 in this trace: ids are PID.SPAN");
        assertThat(Cli.run("report", trace, "--request", "300.11", "--format", "html").exitCode()).isEqualTo(2);
    }
}
