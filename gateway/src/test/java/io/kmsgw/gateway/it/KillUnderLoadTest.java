package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real {@code serve} process in the middle of mixed load (keys created, secrets
 * created and given new versions over the admin plane, Encrypts over the data plane with the official
 * SDK). After a restart on the same data dir, every write that was acknowledged is there and every
 * acknowledged ciphertext decrypts.
 */
class KillUnderLoadTest {
    @TempDir
    Path dir;

    private record Sealed(EncryptResponse response, byte[] plaintext) {
    }

    @Test
    void everyAcknowledgedWriteSurvivesKill9() throws Exception {
        Process first = serve(dir);
        JsonNode inst = new ObjectMapper().readTree(dir.resolve("instance.json").toFile());
        ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
        Map<String, String> secretVersions = new ConcurrentHashMap<>(); // "name/versionId" → value
        ConcurrentLinkedQueue<Sealed> sealed = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acknowledged = new AtomicInteger();
        List<Thread> load = new ArrayList<>();
        load.add(loop(stop, () -> {
            TestGateway.AdminReply r = TestGateway.admin(inst, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\",\"KeyUsage\":\"ENCRYPT/DECRYPT\"}");
            if (r.status() == 200) {
                keys.add(r.json().get("KeyMetadata").get("KeyId").asText());
                acknowledged.incrementAndGet();
            }
        }));
        AtomicInteger secretCount = new AtomicInteger();
        load.add(loop(stop, () -> {
            String name = "rds-" + secretCount.incrementAndGet();
            String v1 = "first-" + name;
            TestGateway.AdminReply r = TestGateway.admin(inst, "CreateSecret",
                    "{\"SecretName\":\"" + name + "\",\"SecretData\":\"" + v1 + "\",\"VersionId\":\"v1\"}");
            if (r.status() != 200) {
                return;
            }
            secretVersions.put(name + "/v1", v1);
            acknowledged.incrementAndGet();
            String v2 = "second-" + name;
            r = TestGateway.admin(inst, "PutSecretValue", "{\"SecretName\":\"" + name + "\",\"SecretData\":\"" + v2 + "\",\"VersionId\":\"v2\"}");
            if (r.status() == 200) {
                secretVersions.put(name + "/v2", v2);
                acknowledged.incrementAndGet();
            }
        }));
        for (int i = 0; i < 2; i++) {
            Client sdk = TestGateway.sdkClient(inst);
            load.add(loop(stop, () -> {
                byte[] plain = new byte[32];
                ThreadLocalRandom.current().nextBytes(plain);
                sealed.add(new Sealed(sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(plain)), plain));
            }));
        }
        Thread.sleep(1500 + ThreadLocalRandom.current().nextInt(1000));
        first.destroyForcibly(); // SIGKILL
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        stop.set(true);
        for (Thread t : load) {
            t.join(30_000);
        }
        assertTrue(acknowledged.get() >= 3 && sealed.size() >= 5,
                "the kill landed under load: " + acknowledged.get() + " admin writes, " + sealed.size() + " encrypts acknowledged");

        Process second = serve(dir);
        try {
            JsonNode again = new ObjectMapper().readTree(dir.resolve("instance.json").toFile());
            for (String key : keys) {
                assertEquals(200, TestGateway.admin(again, "DescribeKey", "{\"KeyId\":\"" + key + "\"}").status(), "key " + key);
            }
            for (Map.Entry<String, String> e : secretVersions.entrySet()) {
                String[] nv = e.getKey().split("/");
                TestGateway.AdminReply r = TestGateway.admin(again, "GetSecretValue",
                        "{\"SecretName\":\"" + nv[0] + "\",\"VersionId\":\"" + nv[1] + "\"}");
                assertEquals(200, r.status(), e.getKey());
                assertEquals(e.getValue(), r.json().get("SecretData").asText(), e.getKey());
            }
            Client sdk = TestGateway.sdkClient(again);
            for (Sealed s : sealed) {
                assertArrayEquals(s.plaintext(), sdk.decrypt(new DecryptRequest().setKeyId(s.response().getKeyId())
                        .setCiphertextBlob(s.response().getCiphertextBlob()).setIv(s.response().getIv())
                        .setAlgorithm(s.response().getAlgorithm())).getPlaintext());
            }
            System.out.printf("kill -9 under load: %d keys, %d secret versions, %d ciphertexts acknowledged before the kill; all present after restart%n",
                    keys.size(), secretVersions.size(), sealed.size());
        } finally {
            second.destroy();
            assertTrue(second.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, second.exitValue(), "SIGTERM drains and exits 0");
        }
    }

    /** Repeats {@code body} until stopped; a failure (the server is gone) ends that thread's load. */
    static Thread loop(AtomicBoolean stop, ThrowingRunnable body) {
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                try {
                    body.run();
                } catch (Exception gone) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** {@code kmsgw serve} in a child JVM on {@code dir} with more flags; returns once it printed its ready line. */
    static Process serve(Path dir, String... flags) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.kmsgw.gateway.Main", "serve",
                "--data-dir", dir.toString(), "--port", "0", "--admin-port", "0", "--engine-workers", "2",
                "--hsm-pbkdf2-iterations", "1000", "--warmup-seconds", "0"));
        cmd.addAll(List.of(flags));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("kmsgw ready:")) {
            seen.append(line).append('\n');
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("serve did not get ready");
            }
        }
        if (line == null) {
            throw new AssertionError("serve exited before it was ready (exit " + p.waitFor() + "):\n" + seen);
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe empty so the child never blocks on its log
                }
            } catch (java.io.IOException closed) {
                // the child is gone
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }
}
