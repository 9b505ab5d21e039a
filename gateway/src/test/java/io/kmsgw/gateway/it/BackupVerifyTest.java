package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.cli.BackupCommand;
import io.kmsgw.gateway.cli.RestoreCommand;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A backup proves itself the day it is made: written, restored into a temporary dir and verified there. */
class BackupVerifyTest {
    @TempDir
    Path tmp;

    /** Runs a command, returning its exit code and what it printed. */
    private static Object[] run(Object command, String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(command).execute(args);
            return new Object[] {code, out.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(saved);
        }
    }

    @Test
    void aGoodBackupVerifiesAndADamagedOneSaysWhy() throws Exception {
        Path data = tmp.resolve("data");
        String key;
        try (GatewayServer server = TestGateway.start(data)) {
            key = TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"EC_P256\"}").json().get("KeyMetadata").get("KeyId").asText();
        }
        Path pw = tmp.resolve("pw.txt");
        Files.writeString(pw, "backup-password-123");

        Object[] good = run(new BackupCommand(), "--data-dir", data.toString(), "--out", tmp.resolve("good.backup").toString(),
                "--password-file", pw.toString());
        assertEquals(0, good[0], (String) good[1]);
        assertTrue(((String) good[1]).contains("kmsgw backup: verified"), (String) good[1]);
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("kmsgw-backup-verify")
                    && Files.exists(p.resolve("data"))), "the temporary restore is removed");
        }

        Object[] restored = run(new RestoreCommand(), "--in", tmp.resolve("good.backup").toString(), "--data-dir",
                tmp.resolve("restored").toString(), "--password-file", pw.toString(), "--verify", "--hsm-secret-file",
                data.resolve("hsm/secret").toString());
        assertEquals(0, restored[0], (String) restored[1]);
        assertTrue(((String) restored[1]).contains("kmsgw restore: verified"), (String) restored[1]);

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("kmsgw.db")); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE kms_key_version SET wrapped_material = zeroblob(40) WHERE key_id = '" + key + "'");
        }
        Object[] bad = run(new BackupCommand(), "--data-dir", data.toString(), "--out", tmp.resolve("bad.backup").toString(),
                "--password-file", pw.toString());
        assertEquals(1, bad[0], (String) bad[1]);
        assertTrue(((String) bad[1]).contains("PROBLEM key " + key), (String) bad[1]);
        assertTrue(((String) bad[1]).contains("the snapshot does NOT verify: 1 problem"), (String) bad[1]);

        Object[] skipped = run(new BackupCommand(), "--data-dir", data.toString(), "--out", tmp.resolve("fast.backup").toString(),
                "--password-file", pw.toString(), "--no-verify");
        assertEquals(0, skipped[0], (String) skipped[1]);
        assertFalse(((String) skipped[1]).contains("verif"), (String) skipped[1]);
    }
}
