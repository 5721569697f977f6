package kvscope.cli.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Throwaway TLS material for tests and the demo, made with {@code openssl} like Redis's utils/gen-test-certs.sh:
 * a CA and a server certificate for 127.0.0.1 signed by it. {@link #close()} deletes them.
 */
public record TlsCerts(Path dir, Path caCert, Path serverCert, Path serverKey) implements AutoCloseable {

    public static TlsCerts generate() {
        if (!Tools.onPath("openssl")) {
            throw new IllegalStateException("openssl is not installed: apt-get install openssl");
        }
        var dir = TempDirs.create("kvscope-tls");
        var t = Duration.ofSeconds(60);
        try {
            openssl(t, dir, "genrsa", "-out", "ca.key", "2048");
            openssl(t, dir, "req", "-x509", "-new", "-nodes", "-sha256", "-key", "ca.key", "-days", "2",
                    "-subj", "/O=kvscope test/CN=kvscope test CA", "-out", "ca.crt");
            openssl(t, dir, "genrsa", "-out", "redis.key", "2048");
            openssl(t, dir, "req", "-new", "-sha256", "-subj", "/O=kvscope test/CN=127.0.0.1", "-key", "redis.key",
                    "-out", "redis.csr");
            openssl(t, dir, "x509", "-req", "-sha256", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-days", "2", "-in", "redis.csr", "-out", "redis.crt");
        } catch (RuntimeException e) {
            TempDirs.deleteRecursively(dir);
            throw e;
        }
        return new TlsCerts(dir, dir.resolve("ca.crt"), dir.resolve("redis.crt"), dir.resolve("redis.key"));
    }

    private static void openssl(Duration timeout, Path dir, String... args) {
        var cmd = new ArrayList<String>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Tools.run(timeout, dir, cmd).orThrow();
    }

    @Override public void close() { TempDirs.deleteRecursively(dir); }
}
