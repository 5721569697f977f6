package kvscope.analysis.sync;

/** How well a host's clock is known against the reference host's (worst first, after the reference). */
public enum Verdict {
    REFERENCE("reference"),
    ACCURATE("accurate"),
    APPROXIMATE("approximate: pairs bound the offset, not the drift (taken as 0)"),
    ONE_DIRECTION("one direction only: the least shift that keeps every message after its sending"),
    FAIL("pairs contradict a linear clock: best effort"),
    NONE("not synchronised: no message pairs; the trace's own clock offset is used");

    private final String text;

    Verdict(String text) { this.text = text; }

    /** A short phrase for reports. */
    public String text() { return text; }

    Verdict worse(Verdict o) { return o.ordinal() > ordinal() ? o : this; }
}
