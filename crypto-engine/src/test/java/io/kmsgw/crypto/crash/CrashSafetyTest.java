package io.kmsgw.crypto.crash;

import io.kmsgw.crypto.api.SecretValue;
import io.kmsgw.crypto.service.Engine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.store.SqliteStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments (after the first acknowledged write), 20 times, while a child JVM creates keys, versions and secrets. After each
 * kill the data dir must open, every acknowledged key and secret must work, and nothing half-created may
 * be visible: every listed key has usable material for all its versions, every secret opens.
 */
class CrashSafetyTest {
    private static final int ROUNDS = 20;
    private static final byte[] NONE = new byte[0];

    @TempDir
    Path dir;

    private static <T> T await(java.util.function.Consumer<io.kmsgw.crypto.api.Completion<T>> op) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        op.accept((r, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(r);
            }
        });
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void acknowledgedWritesSurviveSigkillAndNothingIsHalfVisible() throws Exception {
        Random random = new Random();
        Set<String> ackedKeys = new HashSet<>();
        Set<String> ackedSecrets = new HashSet<>();
        Set<String> rotated = new HashSet<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int round = 0; round < ROUNDS; round++) {
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashChild.class.getName(),
                    dir.toString(), Integer.toString(round)).redirectErrorStream(false).start();
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> ready = new CompletableFuture<>();
            CompletableFuture<Void> firstAck = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        if (l.equals("READY")) {
                            ready.complete(null);
                        } else {
                            lines.add(l);
                            firstAck.complete(null);
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the child was killed
                }
            });
            reader.start();
            ready.get(60, TimeUnit.SECONDS);
            // the child writes in an endless loop once it has acknowledged its first write, so a kill after
            // that lands mid-stream however slow the machine is
            firstAck.get(60, TimeUnit.SECONDS);
            Thread.sleep(random.nextInt(400));
            assertTrue(child.isAlive(), "the child was still writing when killed");
            child.destroyForcibly(); // SIGKILL on Linux
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
            for (String l : lines) {
                String[] p = l.split(" ", 2);
                switch (p[0]) {
                    case "KEY" -> ackedKeys.add(p[1]);
                    case "SECRET" -> ackedSecrets.add(p[1]);
                    case "VERSION" -> rotated.add(p[1]);
                    default -> throw new AssertionError("unexpected line " + l);
                }
            }
            verify(ackedKeys, ackedSecrets, rotated);
        }
        assertTrue(ackedKeys.size() >= ROUNDS, "the child made progress: " + ackedKeys.size() + " keys");
    }

    private void verify(Set<String> ackedKeys, Set<String> ackedSecrets, Set<String> rotated) throws Exception {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"));
             KmsEngine engine = new Engine(store, new SimHsmBackend(dir.resolve("hsm"), "crash-test-secret".toCharArray(), 1000, 16),
                     new KmsEngine.Settings(2, 256, 4096), Clock.systemUTC())) {
            Set<String> listed = new HashSet<>();
            for (KeyMetadata m : engine.keys().listKeys()) {
                listed.add(m.keyId());
                // visible means whole: the initial version (Encrypt) and the primary version (Advance*) unwrap and work
                Results.Encrypted e = CrashSafetyTest.<Results.Padded>await(c -> engine.crypto().encrypt(new Commands.Encrypt(m.keyId(),
                        new byte[] {7}, "", NONE, NONE, ""), c)).encrypted();
                assertArrayEquals(new byte[] {7}, CrashSafetyTest.<Results.Decrypted>await(c -> engine.crypto().decrypt(new Commands.Decrypt(
                        m.keyId(), e.ciphertextBlob(), "", NONE, e.iv(), "", ""), c)).plaintext());
                Results.Encrypted a = CrashSafetyTest.<Results.Encrypted>await(c -> engine.crypto().advanceEncrypt(new Commands.Encrypt(m.keyId(),
                        new byte[] {8}, "", NONE, NONE, ""), c));
                assertEquals(m.primaryVersionId(), a.keyVersionId());
                assertArrayEquals(new byte[] {8}, CrashSafetyTest.<Results.Decrypted>await(c -> engine.crypto().advanceDecrypt(new Commands.Decrypt(
                        "", a.ciphertextBlob(), "", NONE, NONE, "", ""), c)).plaintext());
                assertTrue(engine.keys().listKeyVersions(m.keyId()).stream().anyMatch(v -> v.versionId().equals(m.primaryVersionId())),
                        "the primary version of " + m.keyId() + " exists");
            }
            assertTrue(listed.containsAll(ackedKeys), "every acknowledged key is there");
            for (String k : rotated) {
                assertTrue(engine.keys().listKeyVersions(k).size() >= 2, "an acknowledged rotation of " + k + " is there");
            }
            Set<String> secrets = new HashSet<>();
            for (Secret s : engine.secrets().listSecrets()) {
                secrets.add(s.name());
                SecretValue v = CrashSafetyTest.<SecretValue>await(c -> engine.secrets().getSecretValue(s.name(), "", "", c));
                assertEquals("value-" + s.name(), v.secretData(), "a visible secret opens");
            }
            assertTrue(secrets.containsAll(ackedSecrets), "every acknowledged secret is there");
        }
    }
}
