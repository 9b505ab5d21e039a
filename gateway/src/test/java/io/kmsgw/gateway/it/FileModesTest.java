package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing kmsgw keeps is readable by other users whatever the umask: {@code serve}, {@code backup} and {@code restore} run as
 * real processes under umask 000, and every file they leave is 0600 and every directory 0700; an existing data dir others
 * can enter gets one warning line naming it and the fix.
 */
class FileModesTest {
    private static final Set<PosixFilePermission> OTHERS = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    @TempDir
    Path tmp;

    /** The command run by {@code sh} under umask 000. */
    private static ProcessBuilder underUmask000(List<String> kmsgw) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 000 && exec \"$@\"", "sh", java, "-cp", System.getProperty("java.class.path"),
                "io.kmsgw.gateway.Main"));
        cmd.addAll(kmsgw);
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }

    /** Starts serve under umask 000, waits for ready, makes an audited request, stops it; returns its output. */
    private static String serveOnce(Path data) throws Exception {
        Process p = underUmask000(List.of("serve", "--data-dir", data.toString(), "--port", "0", "--admin-port", "0", "--engine-workers", "2",
                "--hsm-pbkdf2-iterations", "1000", "--warmup-seconds", "0")).start();
        StringBuilder out = new StringBuilder();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null && !line.startsWith("kmsgw ready:")) {
            out.append(line).append('\n');
        }
        assertTrue(line != null, "serve got ready:\n" + out);
        var inst = new com.fasterxml.jackson.databind.ObjectMapper().readTree(data.resolve("instance.json").toFile());
        TestGateway.sdkClient(inst).generateRandom(new com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest().setLength(4));
        p.toHandle().destroy(); // SIGTERM, keeping the output stream open to read the rest
        while ((line = r.readLine()) != null) {
            out.append(line).append('\n');
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out.toString());
        return out.toString();
    }

    private static void assertOwnerOnly(Path root) throws Exception {
        List<String> open = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (perms.stream().anyMatch(OTHERS::contains)) {
                    open.add(root.relativize(p) + " " + PosixFilePermissions.toString(perms));
                }
            }
        }
        assertEquals(List.of(), open, "readable by others under " + root);
    }

    @Test
    void serveBackupAndRestoreLeaveNothingForOthersUnderUmask000() throws Exception {
        Path data = tmp.resolve("data");
        serveOnce(data);
        assertTrue(Files.exists(data.resolve("kmsgw.db")) && Files.exists(data.resolve("audit/audit-000001.jsonl")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        assertOwnerOnly(data);

        Path pw = tmp.resolve("backup.pw");
        Files.writeString(pw, "Backup_passw0rd_long");
        Path backup = tmp.resolve("kmsgw.backup");
        Process b = underUmask000(List.of("backup", "--data-dir", data.toString(), "--out", backup.toString(), "--password-file", pw.toString(),
                "--no-verify")).start();
        String bout = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(b.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, b.exitValue(), bout);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));

        Path restored = tmp.resolve("restored");
        Process r = underUmask000(List.of("restore", "--in", backup.toString(), "--data-dir", restored.toString(), "--password-file",
                pw.toString())).start();
        String rout = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(r.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, r.exitValue(), rout);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(restored)));
        assertOwnerOnly(restored);
    }

    @Test
    void anExistingDataDirOthersCanEnterIsNamedWithTheFix() throws Exception {
        Path data = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        String out = serveOnce(data);
        assertTrue(out.contains("the data dir " + data + " can be entered by other users (mode rwxr-xr-x)") && out.contains("chmod 700 "
                + data), out);
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)), "left as the operator made it");
        try (Stream<Path> all = Files.list(data)) {
            for (Path p : all.toList()) {
                assertTrue(Files.getPosixFilePermissions(p).stream().noneMatch(OTHERS::contains), "what serve made in it: " + p);
            }
        }
    }
}
