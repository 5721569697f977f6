package kvscope.server;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which trace paths a client may open: only directories under the roots the server was started with. A path with a
 * {@code ..} element, an absolute path elsewhere, or a symlink leading out of the roots is refused (403) — the server
 * reads whatever it is pointed at, so it must never be pointed outside what its user chose to share.
 */
final class TraceAccess {
    private final List<Path> roots = new ArrayList<>();
    private final List<Path> realRoots = new ArrayList<>();

    TraceAccess(List<Path> roots) {
        if (roots.isEmpty()) throw new IllegalArgumentException("no trace root given");
        for (var r : roots) {
            var abs = r.toAbsolutePath().normalize();
            this.roots.add(abs);
            try {
                realRoots.add(abs.toRealPath());
            } catch (IOException e) {
                realRoots.add(abs);
            }
        }
    }

    List<Path> roots() { return List.copyOf(roots); }

    /** The real path of a trace directory the client may open, or an ApiError saying why not. */
    Path resolve(String uri) {
        if (uri == null || uri.isBlank()) throw ApiError.badRequest("parameter \"uri\" is empty");
        String text = uri;
        if (uri.startsWith("file:")) {
            try {
                text = URI.create(uri).getPath();
            } catch (IllegalArgumentException e) {
                throw ApiError.badRequest("\"" + uri + "\" is not a valid file URI: " + e.getMessage());
            }
            if (text == null) throw ApiError.badRequest("\"" + uri + "\" has no path");
        }
        Path raw;
        try {
            raw = Path.of(text);
        } catch (InvalidPathException e) {
            throw ApiError.badRequest("\"" + uri + "\" is not a valid path: " + e.getReason());
        }
        for (var part : raw) {
            if (part.toString().equals(".."))
                throw ApiError.forbidden("\"" + uri + "\": '..' is not allowed in a trace path");
        }
        var abs = raw.isAbsolute() ? raw.normalize() : roots.get(0).resolve(raw).normalize();
        if (!under(abs, roots) && !under(abs, realRoots))
            throw ApiError.forbidden("\"" + uri + "\" is outside the trace roots this server may open " + roots
                    + " (start it with --trace-root DIR to share another directory)");
        Path real;
        try {
            real = abs.toRealPath();
        } catch (NoSuchFileException e) {
            throw ApiError.notFound("\"" + uri + "\": no such trace directory");
        } catch (IOException e) {
            throw ApiError.forbidden("\"" + uri + "\": cannot be read (" + e.getMessage() + ")");
        }
        if (!under(real, realRoots))
            throw ApiError.forbidden("\"" + uri + "\" leads (through a symbolic link) to " + real
                    + ", outside the trace roots " + roots);
        if (!Files.isDirectory(real)) throw ApiError.badRequest("\"" + uri + "\" is not a directory: give the trace's directory");
        return real;
    }

    private static boolean under(Path p, List<Path> roots) {
        for (var r : roots) if (p.startsWith(r)) return true;
        return false;
    }
}
