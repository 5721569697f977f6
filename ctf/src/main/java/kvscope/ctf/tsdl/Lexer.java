package kvscope.ctf.tsdl;

import java.util.ArrayList;
import java.util.List;

/** Splits TSDL text into tokens (C-like: identifiers, numbers, strings, punctuation; comments dropped). */
final class Lexer {
    enum TokenType { IDENT, NUMBER, STRING, PUNCT, EOF }

    record Token(TokenType kind, String text, int line) {
        boolean is(String s) { return (kind == TokenType.PUNCT || kind == TokenType.IDENT) && text.equals(s); }
    }

    private static final String[] PUNCTS = {"...", ":=", "{", "}", "[", "]", "(", ")", ";", ",", "=", ":", ".", "<", ">", "+", "-", "*"};

    static List<Token> tokens(String s) throws TsdlException {
        var out = new ArrayList<Token>();
        int i = 0, line = 1, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n') { line++; i++; continue; }
            if (Character.isWhitespace(c) || c == 0) { i++; continue; }
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                if (end < 0) throw new TsdlException(line, "unterminated comment");
                for (int k = i; k < end; k++) if (s.charAt(k) == '\n') line++;
                i = end + 2;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j++;
                out.add(new Token(TokenType.IDENT, s.substring(i, j), line));
                i = j;
                continue;
            }
            if (Character.isDigit(c)) {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)))) j++;
                out.add(new Token(TokenType.NUMBER, s.substring(i, j), line));
                i = j;
                continue;
            }
            if (c == '"' || c == '\'') {
                var sb = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= n || s.charAt(j) == '\n') throw new TsdlException(line, "unterminated string literal");
                    char d = s.charAt(j);
                    if (d == c) break;
                    if (d == '\\' && j + 1 < n) {
                        char e = s.charAt(++j);
                        sb.append(switch (e) { case 'n' -> '\n'; case 't' -> '\t'; case '0' -> '\0'; case 'r' -> '\r'; default -> e; });
                    } else {
                        sb.append(d);
                    }
                    j++;
                }
                out.add(new Token(TokenType.STRING, sb.toString(), line));
                i = j + 1;
                continue;
            }
            boolean matched = false;
            for (var p : PUNCTS) {
                if (s.startsWith(p, i)) {
                    out.add(new Token(TokenType.PUNCT, p, line));
                    i += p.length();
                    matched = true;
                    break;
                }
            }
            if (!matched) throw new TsdlException(line, "unexpected character '" + c + "'");
        }
        out.add(new Token(TokenType.EOF, "<end of metadata>", line));
        return out;
    }

    private Lexer() {}
}
