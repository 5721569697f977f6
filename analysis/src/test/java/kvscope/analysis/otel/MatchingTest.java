package kvscope.analysis.otel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Certain links are the edges every maximum matching of spans to requests has, and only those. */
class MatchingTest {
    private static Matching of(int requests, int[]... cand) { return new Matching(cand, requests); }

    @Test
    void aSpanWithOneCandidateIsCertainAndTakesItFromTheOthers() {
        // span 0 fits only request 0; span 1 fits 0 and 1: once 0 is taken, 1 is certain too.
        var m = of(2, new int[] {0}, new int[] {0, 1});
        assertThat(m.certain).containsExactly(true, true);
        assertThat(m.ofSpan).containsExactly(0, 1);
    }

    @Test
    void twoSpansThatFitTheSameTwoRequestsAreBothUncertain() {
        var m = of(2, new int[] {0, 1}, new int[] {0, 1});
        assertThat(m.certain).containsExactly(false, false);
    }

    @Test
    void twoSpansSharingTheirOnlyRequestAreNeitherCertain() {
        var m = of(1, new int[] {0}, new int[] {0});
        assertThat(m.certain).containsExactly(false, false);
        assertThat(m.possible(m.ofSpan[0] >= 0 ? 1 : 0, m.movable())).isEqualTo(1);
    }

    @Test
    void twoSpansUsingUpTwoRequestsLeaveTheThirdToTheSpanThatAlsoFitsIt() {
        // Hall: spans 0 and 1 between them need requests 0 and 1, so span 2 must have request 2 — beyond what
        // taking single candidates one by one would find.
        var m = of(3, new int[] {0, 1}, new int[] {0, 1}, new int[] {0, 1, 2});
        assertThat(m.certain).containsExactly(false, false, true);
        assertThat(m.ofSpan[2]).isEqualTo(2);
    }

    @Test
    void aRequestNoSpanNeedsMakesTheSpansThatFitItUncertain() {
        // Request 2 (another client's, say) fits span 1: span 1 could have 1 or 2; span 0 still only 0.
        var m = of(3, new int[] {0}, new int[] {1, 2});
        assertThat(m.certain).containsExactly(true, false);
        assertThat(m.possible(1, m.movable())).isEqualTo(2);
    }

    @Test
    void aChainThroughAFreeRequestUnsettlesEverySpanAlongIt() {
        // 0:{0}, 1:{0,1}, 2:{1,2}, 3 free request… span 2 can take 3: then 1 can take 2's, and so on.
        var m = of(4, new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 3});
        assertThat(m.certain).containsExactly(false, false, false);
    }

    @Test
    void spansWithoutCandidatesAreNotMatched() {
        var m = of(1, new int[] {}, new int[] {0});
        assertThat(m.ofSpan).containsExactly(-1, 0);
        assertThat(m.certain).containsExactly(false, true);
    }
}
