package kvscope.ctf.tsdl;

/** The metadata text is not valid TSDL (or uses something kvscope does not know): says what and where (line). */
public final class TsdlException extends Exception {
    private final int line;

    public TsdlException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    public int line() { return line; }
}
