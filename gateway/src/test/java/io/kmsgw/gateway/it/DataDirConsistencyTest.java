package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data dir whose parts do not belong together stops {@code kmsgw serve} (a real process) with one line naming what is
 * missing or foreign, and refusing changes nothing: putting the part back lets the same data dir start again.
 */
class DataDirConsistencyTest {
    @TempDir
    Path tmp;

    /** What a {@code serve} that did not get ready left: its exit code and output. */
    record Refused(int exit, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static List<String> command(Path dir) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.kmsgw.gateway.Main", "serve", "--data-dir",
                dir.toString(), "--port", "0", "--admin-port", "0", "--engine-workers", "2", "--hsm-pbkdf2-iterations", "1000",
                "--warmup-seconds", "0"));
    }

    /** Starts serve, waits for its ready line, stops it with SIGTERM; fails if it does not get ready. */
    private static void startAndStop(Path dir) throws Exception {
        Process p = KillUnderLoadTest.serve(dir);
        p.destroy();
        assertEquals(0, p.waitFor(), "SIGTERM ends serve cleanly");
    }

    /** Runs serve and expects it to exit before getting ready. */
    private static Refused refused(Path dir) throws Exception {
        Process p = new ProcessBuilder(command(dir)).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("serve did not exit within 60 s: it started instead of refusing");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertFalse(out.contains("kmsgw ready:"), out);
        return new Refused(p.exitValue(), out);
    }

    private static void assertRefused(Refused r, String... words) {
        assertNotEquals(0, r.exit(), r.output());
        String line = r.lastLine();
        assertTrue(line.startsWith("kmsgw: "), "one line for the operator: " + r.output());
        for (String w : words) {
            assertTrue(line.contains(w), "'" + w + "' in: " + line);
        }
        assertFalse(r.output().contains("\tat "), "no stack trace: " + r.output());
    }

    private static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path q : walk.toList()) {
                Path target = to.resolve(from.relativize(q).toString());
                if (Files.isDirectory(q)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(q, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Test
    void aMissingHsmTokenIsRefusedNotReplaced() throws Exception {
        Path dir = tmp.resolve("data");
        startAndStop(dir);
        move(dir.resolve("hsm/slot-0"), tmp.resolve("slot-0.saved"));
        assertRefused(refused(dir), "HSM token", "missing", "restore");
        assertFalse(Files.exists(dir.resolve("hsm/slot-0/token.bin")), "no new token was made");
        move(tmp.resolve("slot-0.saved"), dir.resolve("hsm/slot-0"));
        startAndStop(dir);
    }

    @Test
    void aTokenThatLostItsMasterKeyIsRefusedNotGivenANewOne() throws Exception {
        Path dir = tmp.resolve("data");
        startAndStop(dir);
        Path objects = dir.resolve("hsm/slot-0/objects.bin");
        byte[] saved = Files.readAllBytes(objects);
        Files.delete(objects);
        assertRefused(refused(dir), "holds no kmsgw master key", "restore");
        assertFalse(Files.exists(objects), "the token was not given a new master key");
        Files.write(objects, saved);
        startAndStop(dir);
    }

    @Test
    void aForeignTokenIsRefusedByItsCheckValue() throws Exception {
        Path dir = tmp.resolve("data");
        Path other = tmp.resolve("other");
        startAndStop(dir);
        startAndStop(other);
        move(dir.resolve("hsm"), tmp.resolve("hsm.saved"));
        copyTree(other.resolve("hsm"), dir.resolve("hsm")); // another instance's token, with its own secret
        assertRefused(refused(dir), "HSM master key", "is not the store's", "another instance");
        deleteTree(dir.resolve("hsm"));
        move(tmp.resolve("hsm.saved"), dir.resolve("hsm"));
        startAndStop(dir);
    }

    @Test
    void aForeignTokenIsRefusedEvenBeforeAnyCheckValueWasRecorded() throws Exception {
        Path dir = tmp.resolve("data");
        Path other = tmp.resolve("other");
        startAndStop(dir);
        startAndStop(other);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("kmsgw.db")); Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM kms_master_key"); // as a store from before check values
        }
        deleteTree(dir.resolve("hsm"));
        copyTree(other.resolve("hsm"), dir.resolve("hsm"));
        assertRefused(refused(dir), "is not the store's");
    }

    @Test
    void aMissingStoreIsRefusedNotANewInstance() throws Exception {
        Path dir = tmp.resolve("data");
        startAndStop(dir);
        String instance = Files.readString(dir.resolve("instance.json"));
        move(dir.resolve("kmsgw.db"), tmp.resolve("kmsgw.db.saved"));
        Files.deleteIfExists(dir.resolve("kmsgw.db-wal"));
        Files.deleteIfExists(dir.resolve("kmsgw.db-shm"));
        assertRefused(refused(dir), "not its store", "kmsgw.db", "restore");
        assertFalse(Files.exists(dir.resolve("kmsgw.db")), "no new store was made");
        move(tmp.resolve("kmsgw.db.saved"), dir.resolve("kmsgw.db"));
        startAndStop(dir);
        assertEquals(instance.replaceAll("\"Endpoint\"[^,]*,|\"AdminEndpoint\"[^,]*,", ""),
                Files.readString(dir.resolve("instance.json")).replaceAll("\"Endpoint\"[^,]*,|\"AdminEndpoint\"[^,]*,", ""),
                "the same instance started again");
    }

    @Test
    void anInstanceThatLostItsCaIsRefusedNotGivenANewOne() throws Exception {
        Path dir = tmp.resolve("data");
        startAndStop(dir);
        Path ca;
        try (Stream<Path> files = Files.list(dir)) {
            ca = files.filter(p -> p.getFileName().toString().startsWith("PrivateKmsCA_")).findFirst().orElseThrow();
        }
        String bundle = Files.readString(ca);
        move(ca, tmp.resolve("ca.saved"));
        assertRefused(refused(dir), ca.getFileName().toString(), "restore it", "break every client's trust");
        assertFalse(Files.exists(ca), "no new CA was made");
        move(tmp.resolve("ca.saved"), ca);
        startAndStop(dir);
        assertEquals(bundle, Files.readString(ca), "the same CA serves on");
    }

    @Test
    void aStoreThatCannotBeWrittenStopsTheStart() throws Exception {
        Path dir = tmp.resolve("data");
        startAndStop(dir);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("kmsgw.db").toFile(), "rw")) {
            f.seek(18); // the file format write version: above 2, SQLite opens the database read-only
            f.write(3);
        }
        assertRefused(refused(dir), "kmsgw.db", "does not take a write");
    }

    @Test
    void aDamagedStoreIsRefused() throws Exception {
        Path dir = tmp.resolve("data");
        startAndStop(dir);
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("kmsgw.db").toFile(), "rw")) {
            f.seek(0);
            f.write('X'); // the header's magic
        }
        assertRefused(refused(dir), "kmsgw.db");
    }

    @Test
    void anAuditFileThatEndsInAPartialRecordIsKeptAndNotAppendedTo() throws Exception {
        Path dir = tmp.resolve("data");
        startAndStop(dir);
        Path torn = dir.resolve("audit/audit-000001.jsonl");
        Files.writeString(torn, "{\"Time\":\"2026-12-06T00:00:00Z\",\"ApiNa", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND); // a process killed mid-write
        byte[] tornBytes = Files.readAllBytes(torn);
        Process p = KillUnderLoadTest.serve(dir);
        try {
            com.fasterxml.jackson.databind.JsonNode inst = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    dir.resolve("instance.json").toFile());
            TestGateway.sdkClient(inst).generateRandom(new com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest().setLength(8));
        } finally {
            p.destroy();
            assertEquals(0, p.waitFor(), "SIGTERM ends serve cleanly");
        }
        assertEquals(new String(tornBytes, StandardCharsets.UTF_8), Files.readString(torn), "the damaged file is kept as it was");
        String next = Files.readString(dir.resolve("audit/audit-000002.jsonl"));
        assertTrue(next.contains("\"GenerateRandom\""), next);
        for (String line : next.strip().split("\n")) {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(line); // every new record is whole
        }
        var verified = io.kmsgw.gateway.server.DataDirVerifier.verify(dir, null, line -> { });
        assertEquals(1, verified.problems().size(), verified.problems().toString());
        assertTrue(verified.problems().get(0).startsWith("audit audit-000001.jsonl"), verified.problems().toString());
    }
}
