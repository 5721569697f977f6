package kvscope.cli.record;

import kvscope.cli.redis.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NodeAgentTest {
    static final Path AGENT = Path.of("/opt/kvscope/instrument/node/agent.js");

    @Test
    void loadsTheAgentWhenThereWasNoNodeOptions() {
        assertThat(NodeAgent.nodeOptions(null, AGENT)).isEqualTo("--require /opt/kvscope/instrument/node/agent.js");
        assertThat(NodeAgent.nodeOptions("  ", AGENT)).isEqualTo("--require /opt/kvscope/instrument/node/agent.js");
    }

    @Test
    void appendsToTheNodeOptionsAlreadyThere() {
        assertThat(NodeAgent.nodeOptions("--max-old-space-size=200 ", AGENT))
                .isEqualTo("--max-old-space-size=200 --require /opt/kvscope/instrument/node/agent.js");
    }

    @Test
    void doesNotLoadTheAgentTwice() {
        var already = "--require /opt/kvscope/instrument/node/agent.js --trace-warnings";
        assertThat(NodeAgent.nodeOptions(already, AGENT)).isEqualTo(already);
    }

    /** Node.js itself must read the value back as the one path, spaces and quotes included. */
    @Test
    void quotesAPathNodeWouldOtherwiseSplit(@TempDir Path tmp) throws Exception {
        var dir = Files.createDirectories(tmp.resolve("a dir \"with\" quotes"));
        var script = Files.writeString(dir.resolve("preload.js"), "console.log('preloaded ' + __filename)");
        var options = NodeAgent.nodeOptions("--max-old-space-size=100", script);
        assertThat(options).isEqualTo("--max-old-space-size=100 --require \""
                + script.toString().replace("\"", "\\\"") + "\"");
        var run = Tools.run(Duration.ofSeconds(30), List.of("env", "NODE_OPTIONS=" + options, "node", "-e",
                "console.log('ran')"));
        assertThat(run.ok()).as(run.describe()).isTrue();
        assertThat(run.stdout().lines().toList()).containsExactly("preloaded " + script, "ran");
    }
}
