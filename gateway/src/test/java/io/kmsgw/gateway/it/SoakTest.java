package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyRequest;
import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.aliyun.dkms.gcs.sdk.models.GetSecretValueRequest;
import com.aliyun.dkms.gcs.sdk.models.SignRequest;
import com.aliyun.dkms.gcs.sdk.models.VerifyRequest;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded soak: official SDK clients run a mix (Encrypt/Decrypt round trips, GenerateDataKey, RSA and
 * EC Sign/Verify, GetSecretValue, GenerateRandom) while the admin plane rotates the key, puts secret
 * versions, and creates, uses and deletes client keys. Zero unexpected errors; heap after GC and RSS
 * stay flat once warm. 60 s in CI; {@code -Dkmsgw.soak.seconds=600} for a longer run (README).
 */
class SoakTest {
    @TempDir
    Path dir;

    @Test
    void mixedLoadWithChurnStaysCorrectAndFlat() throws Exception {
        long seconds = Long.getLong("kmsgw.soak.seconds", 60);
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl"), Clock.systemUTC())) {
            JsonNode inst = TestGateway.instance(server);
            String aesKey = inst.get("QuickStart").get("KeyId").asText();
            String aap = inst.get("QuickStart").get("AapName").asText();
            String rsa = createKey(server, "RSA_2048");
            String ec = createKey(server, "EC_P256");
            ok(TestGateway.admin(server, "CreateSecret", "{\"SecretName\":\"rds-soak\",\"SecretData\":\"v0\",\"VersionId\":\"v0\"}"));

            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong requests = new AtomicLong();
            AtomicLong churn = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Client sdk = TestGateway.sdkClient(server);
                threads.add(run("soak-client-" + i, stop, failures, () -> {
                    clientMix(sdk, aesKey, rsa, ec);
                    requests.addAndGet(8);
                }));
            }
            threads.add(run("soak-churn", stop, failures, () -> {
                churnOnce(server, aesKey, aap, dir, churn.incrementAndGet());
                Thread.sleep(200);
            }));

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            long warmAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds / 4);
            List<long[]> samples = new ArrayList<>(); // {heap after GC, RSS}
            while (System.nanoTime() < end && failures.isEmpty()) {
                Thread.sleep(Math.max(1000, seconds * 1000 / 12));
                if (System.nanoTime() > warmAt) {
                    samples.add(memory());
                }
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertTrue(failures.isEmpty(), "unexpected errors under soak: " + failures);
            assertTrue(requests.get() > 100 && churn.get() > 10, "the soak did work: " + requests + " requests, " + churn + " churn rounds");
            // RSS swings with G1 committing and uncommitting heap around each System.gc(); compare the low points
            int half = samples.size() / 2;
            long firstHeap = samples.get(0)[0];
            long lastHeap = samples.get(samples.size() - 1)[0];
            long firstRss = samples.subList(0, half).stream().mapToLong(m -> m[1]).min().orElseThrow();
            long lastRss = samples.subList(half, samples.size()).stream().mapToLong(m -> m[1]).min().orElseThrow();
            samples.forEach(m -> System.out.printf("  sample: heap after GC %d MB, RSS %d MB%n", m[0] >> 20, m[1] >> 20));
            System.out.printf("soak %d s: %d requests, %d churn rounds; heap after GC %d -> %d MB, RSS low point %d -> %d MB%n", seconds,
                    requests.get(), churn.get(), firstHeap >> 20, lastHeap >> 20, firstRss >> 20, lastRss >> 20);
            assertTrue(lastHeap <= firstHeap + (48L << 20), "heap after GC grew from " + (firstHeap >> 20) + " to " + (lastHeap >> 20) + " MB");
            assertTrue(lastRss <= firstRss + (96L << 20), "RSS low point grew from " + (firstRss >> 20) + " to " + (lastRss >> 20) + " MB");
        }
    }

    /** One round of every API the clients use; each result is checked, not just received. */
    private static void clientMix(Client sdk, String aesKey, String rsa, String ec) throws Exception {
        byte[] plain = new byte[32];
        ThreadLocalRandom.current().nextBytes(plain);
        EncryptResponse enc = sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(plain));
        byte[] back = sdk.decrypt(new DecryptRequest().setKeyId(aesKey).setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv())
                .setAlgorithm(enc.getAlgorithm())).getPlaintext();
        assertArrayEquals(plain, back, "round trip");
        assertEquals(32, sdk.generateDataKey(new GenerateDataKeyRequest().setKeyId(aesKey).setNumberOfBytes(32)).getPlaintext().length);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(plain);
        for (String[] k : new String[][] {{rsa, "RSA_PSS_SHA_256"}, {ec, "ECDSA_SHA_256"}}) {
            byte[] sig = sdk.sign(new SignRequest().setKeyId(k[0]).setAlgorithm(k[1]).setMessage(digest).setMessageType("DIGEST")).getSignature();
            assertTrue(sdk.verify(new VerifyRequest().setKeyId(k[0]).setAlgorithm(k[1]).setMessage(digest).setMessageType("DIGEST")
                    .setSignature(sig)).getValue(), "signature verifies");
        }
        assertTrue(sdk.getSecretValue(new GetSecretValueRequest().setSecretName("rds-soak")).getSecretData().startsWith("v"));
        assertEquals(16, sdk.generateRandom(new GenerateRandomRequest().setLength(16)).getRandom().length);
    }

    /** Rotate the AES key, put a secret version, create a client key, use it once, delete it; now and then a key comes and goes. */
    private static void churnOnce(GatewayServer server, String aesKey, String aap, Path dir, long round) throws Exception {
        ok(TestGateway.admin(server, "CreateKeyVersion", "{\"KeyId\":\"" + aesKey + "\"}"));
        ok(TestGateway.admin(server, "PutSecretValue", "{\"SecretName\":\"rds-soak\",\"SecretData\":\"v" + round + "\",\"VersionId\":\"v" + round + "\"}"));
        TestGateway.AdminReply ck = ok(TestGateway.admin(server, "CreateClientKey", "{\"AapName\":\"" + aap + "\",\"Password\":\"Soak_pw_" + round + "\"}"));
        String id = ck.json().get("ClientKeyId").asText();
        Path json = dir.resolve("soak-" + round + ".json");
        Path pw = dir.resolve("soak-" + round + ".pw");
        Files.writeString(json, "{\"KeyId\":\"" + id + "\",\"PrivateKeyData\":\"" + ck.json().get("PrivateKeyData").asText() + "\"}");
        Files.writeString(pw, "Soak_pw_" + round, StandardCharsets.UTF_8);
        assertEquals(8, TestGateway.sdkClient(server, json, pw).generateRandom(new GenerateRandomRequest().setLength(8)).getRandom().length);
        ok(TestGateway.admin(server, "DeleteClientKey", "{\"ClientKeyId\":\"" + id + "\"}"));
        Files.delete(json);
        Files.delete(pw);
        if (round % 5 == 0) {
            String temp = createKey(server, "Aliyun_AES_256");
            ok(TestGateway.admin(server, "ScheduleKeyDeletion", "{\"KeyId\":\"" + temp + "\",\"PendingWindowInDays\":7}"));
        }
    }

    private static String createKey(GatewayServer server, String spec) throws Exception {
        String usage = spec.startsWith("Aliyun_") ? "ENCRYPT/DECRYPT" : "SIGN/VERIFY";
        return ok(TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"" + spec + "\",\"KeyUsage\":\"" + usage + "\"}"))
                .json().get("KeyMetadata").get("KeyId").asText();
    }

    private static TestGateway.AdminReply ok(TestGateway.AdminReply r) {
        assertEquals(200, r.status(), r.json().toString());
        return r;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static Thread run(String name, AtomicBoolean stop, ConcurrentLinkedQueue<String> failures, Step step) {
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                try {
                    step.run();
                } catch (Throwable e) {
                    failures.add(name + ": " + e);
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** {heap used after a full GC, resident set size} in bytes. */
    private static long[] memory() throws Exception {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return new long[] {heap, rss};
    }
}
