package kvscope.cli.record;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LttngTest {

    @Test
    void findsTheRunningSessionDaemonInsteadOfStartingASecondOne() {
        Lttng.ensureSessionDaemon();
        // The daemon is shared: seeing it as a process is what keeps us from starting another when `lttng list`
        // fails transiently.
        assertThat(Lttng.daemonRuns()).isTrue();
        long daemons = ProcessHandle.allProcesses().filter(p -> p.parent().map(pp -> pp.pid() == 1).orElse(false))
                .filter(p -> p.info().command().map(c -> c.endsWith("lttng-sessiond")).orElse(false)).count();
        assertThat(daemons).isPositive();
    }
}
