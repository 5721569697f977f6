package kvscope.cli;

import kvscope.cli.testing.Cli;
import kvscope.fixtures.SampleTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** analyze, report and query as users run them, on a written trace whose every state is known. */
class AnalyzeCommandTest {
    @TempDir Path dir;

    @Test
    void analysesOnceThenReusesUntilForced() {
        var trace = SampleTraces.twoRequests(dir.resolve("t")).toString();
        var first = Cli.run("analyze", trace);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("model stored in").contains("h1:6379").contains("2 requests");
        assertThat(Cli.run("analyze", trace).out()).contains("reused the stored model");
        assertThat(Cli.run("analyze", trace, "--force").out()).contains("model stored in");
    }

    @Test
    void reportsInEveryFormat() throws Exception {
        var trace = SampleTraces.twoRequests(dir.resolve("t")).toString();
        assertThat(Cli.run("report", trace).out()).contains("== h1:6379 ==").contains("set").contains("findings: none");
        assertThat(Cli.run("report", trace, "--format", "json").out()).contains("\"p50_ns\"").contains("\"lost_events\" : 0");
        var html = dir.resolve("r.html");
        assertThat(Cli.run("report", trace, "--format", "html", "-o", html.toString()).exitCode()).isZero();
        assertThat(Files.readString(html)).startsWith("<!doctype html>").contains("<svg").contains("h1:6379");
    }

    @Test
    void queriesTheStateAtAnOffsetAnInstantOrNanoseconds() {
        var trace = SampleTraces.twoRequests(dir.resolve("t")).toString();
        // The SET executes from +10.5 µs to +11.5 µs after the first event (SampleTraces).
        var out = Cli.run("query", trace, "--at", "+11us", "--path", "*/Connections/8/Status").out();
        assertThat(out).contains("h1:6379/Connections/8/Status").contains("PROCESS_COMMAND:set");
        assertThat(Cli.run("query", trace, "--at", "+11us", "--path", "**/Threads/100/*").out()).contains("Executing set");
    }

    @Test
    void badInputSaysWhatAndExitsWithTheDocumentedCodes() {
        var missing = Cli.run("analyze", dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("nope").contains("no such file or directory");
        var notTrace = Cli.run("analyze", dir.toString());
        assertThat(notTrace.exitCode()).isEqualTo(1);
        var trace = SampleTraces.twoRequests(dir.resolve("t")).toString();
        var badTime = Cli.run("query", trace, "--at", "yesterday");
        assertThat(badTime.exitCode()).isEqualTo(2);
        assertThat(badTime.err()).contains("+1.5s");
        assertThat(Cli.run("report", trace, "--format", "pdf").exitCode()).isEqualTo(2);
        var fromNowAlone = Cli.run("analyze", trace, "--from-now");
        assertThat(fromNowAlone.exitCode()).isEqualTo(2);
        assertThat(fromNowAlone.err()).contains("--from-now is for --live");
        var badList = Cli.run("analyze", "--live", "net://r/host/a/s,http://r", "-o", dir.resolve("l").toString());
        assertThat(badList.exitCode()).isEqualTo(2);
        assertThat(badList.err()).contains("'http://r' is not a live session's address");
    }
}
