package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.openapi.util.models.RuntimeOptions;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.SignRequest;
import com.aliyun.dkms.gcs.sdk.models.VerifyRequest;
import com.aliyun.tea.TeaException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.crypto.backend.SoftHsm;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gateway whose HSM is SoftHSM2 through the pkcs11 backend: restart, settings that are wrong, sessions lost under load. */
class Pkcs11GatewayTest {
    @TempDir
    Path dir;

    private GatewayServer start(Path data) throws Exception {
        return GatewayServer.start(TestGateway.settings(data, "openssl", TestGateway.softHsmFlags(data)), Clock.systemUTC());
    }

    private static String createKey(GatewayServer server, String spec, String usage) throws Exception {
        TestGateway.AdminReply r = TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"" + spec + "\",\"KeyUsage\":\"" + usage + "\"}");
        assertEquals(200, r.status(), r.json().toString());
        return r.json().get("KeyMetadata").get("KeyId").asText();
    }

    @Test
    void aRestartKeepsEveryKeyUsableAndDescribeInstanceNamesTheModule() throws Exception {
        Path data = dir.resolve("g");
        byte[] plain = "kept across a restart".getBytes(StandardCharsets.UTF_8);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(plain);
        byte[] digest384 = MessageDigest.getInstance("SHA-384").digest(plain);
        Map<String, EncryptResponse> sealed = new HashMap<>();
        Map<String, byte[]> signatures = new HashMap<>();
        Map<String, String> signers = Map.of("RSA_2048", "RSA_PKCS1_SHA_256", "RSA_3072", "RSA_PSS_SHA_256", "EC_P256", "ECDSA_SHA_256",
                "EC_P384", "ECDSA_SHA_384", "EC_P256K", "ECDSA_SHA_256");
        Map<String, String> keyOf = new HashMap<>();
        try (GatewayServer server = start(data)) {
            JsonNode hsm = TestGateway.admin(server, "DescribeInstance", "{}").json().get("Hsm");
            assertTrue(hsm.get("Backend").asText().startsWith("pkcs11:kmsgw-"), hsm.toString());
            assertTrue(hsm.get("Mechanisms").toString().contains("CKM_AES_GCM"), hsm.toString());
            assertFalse(hsm.get("KeySpecs").toString().contains("SM"), "SoftHSM2 serves no SM2/SM4: " + hsm);
            Client sdk = TestGateway.sdkClient(server);
            for (String spec : List.of("Aliyun_AES_128", "Aliyun_AES_256", "RSA_2048")) {
                String id = createKey(server, spec, "ENCRYPT/DECRYPT");
                keyOf.put("enc " + spec, id);
                sealed.put(spec, sdk.encrypt(new EncryptRequest().setKeyId(id).setPlaintext(plain)));
            }
            for (Map.Entry<String, String> s : signers.entrySet()) {
                String id = createKey(server, s.getKey(), "SIGN/VERIFY");
                keyOf.put("sign " + s.getKey(), id);
                signatures.put(s.getKey(), sdk.sign(new SignRequest().setKeyId(id).setAlgorithm(s.getValue()).setMessageType("DIGEST")
                        .setMessage(s.getValue().endsWith("384") ? digest384 : digest)).getSignature());
            }
        }
        try (GatewayServer server = start(data)) {
            Client sdk = TestGateway.sdkClient(server);
            for (Map.Entry<String, EncryptResponse> e : sealed.entrySet()) {
                EncryptResponse enc = e.getValue();
                assertArrayEquals(plain, sdk.decrypt(new DecryptRequest().setKeyId(keyOf.get("enc " + e.getKey()))
                        .setCiphertextBlob(enc.getCiphertextBlob()).setIv(enc.getIv()).setAlgorithm(enc.getAlgorithm())).getPlaintext(),
                        e.getKey());
            }
            for (Map.Entry<String, String> s : signers.entrySet()) {
                assertTrue(sdk.verify(new VerifyRequest().setKeyId(keyOf.get("sign " + s.getKey())).setAlgorithm(s.getValue())
                        .setMessageType("DIGEST").setMessage(s.getValue().endsWith("384") ? digest384 : digest)
                        .setSignature(signatures.get(s.getKey()))).getValue(), s.getKey());
            }
        }
        // `kmsgw verify` reads the same settings: every version opens in the module
        io.kmsgw.gateway.server.DataDirVerifier.Result verified = io.kmsgw.gateway.server.DataDirVerifier.verify(
                TestGateway.settings(data, "openssl", TestGateway.softHsmFlags(data)), line -> { });
        assertTrue(verified.ok(), verified.problems().toString());
        assertTrue(verified.summary().startsWith("9 keys (9 versions)") && verified.summary().contains("all verified"),
                "the quick-start key and the eight made here: " + verified.summary());
    }

    /** {@code serve} with a setting that is wrong stops at once with one line naming it, and no stack trace. */
    @Test
    void aWrongLibraryLabelOrPinStopsTheStartWithOneLine() throws Exception {
        Path data = dir.resolve("w");
        Map<String, String> good = TestGateway.softHsmFlags(data);
        Path wrongPin = dir.resolve("wrong.pin");
        Files.writeString(wrongPin, "not-the-pin");
        Path notAModule = Files.writeString(dir.resolve("libnot-pkcs11.so"), "not a library");
        assertOneLine(serve(data, good, Map.of("pkcs11-library", notAModule.toString())), "hsm.pkcs11.library: cannot load the PKCS#11 "
                + "library " + notAModule);
        assertOneLine(serve(data, good, Map.of("pkcs11-library", dir.resolve("absent.so").toString())), "hsm.pkcs11.library");
        assertOneLine(serve(data, good, Map.of("pkcs11-token-label", "no-such-token")), "no token \"no-such-token\"");
        assertOneLine(serve(data, good, Map.of("pkcs11-pin-file", wrongPin.toString())), "hsm.pkcs11.pinFile does not open the token");
        assertOneLine(serve(data, Map.of("hsm", "pkcs11"), Map.of()), "hsm.pkcs11.library");
    }

    private static void assertOneLine(List<String> output, String expected) {
        assertTrue(output.stream().anyMatch(l -> l.contains(expected)), "\"" + expected + "\" in " + output);
        assertFalse(output.stream().anyMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by")), "no stack trace: " + output);
        assertFalse(output.stream().anyMatch(l -> l.startsWith("kmsgw ready")), "it did not start: " + output);
    }

    /** {@code serve} as its own process with {@code base} flags overridden by {@code wrong}; its output lines. */
    private List<String> serve(Path data, Map<String, String> base, Map<String, String> wrong) throws Exception {
        Map<String, String> flags = new HashMap<>(base);
        flags.putAll(wrong);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.kmsgw.gateway.Main", "serve", "--data-dir", data.toString(), "--port", "0",
                "--admin-port", "0", "--hsm-pbkdf2-iterations", "1000", "--warmup-seconds", "0"));
        flags.forEach((k, v) -> cmd.addAll(List.of("--" + k, v)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", SoftHsm.shared().conf().toString());
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("kmsgw ready")) {
                    p.destroy();
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(p.exitValue() != 0, "a failed start exits non-zero: " + lines);
        return lines;
    }

    /**
     * Under load, every session of the token is closed (the token logs out), then the module is finalised and its tokens
     * vanish: each request answers at once, 200 or 503 (never hangs, never another error), /readyz says 503 while the tokens
     * are gone, and both come back by themselves once the tokens are back.
     */
    @Test
    void lostSessionsAndAVanishedTokenAre503UntilTheyAreBack() throws Exception {
        Path data = dir.resolve("f");
        Map<String, String> flags = TestGateway.softHsmFlags(data);
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(data, "openssl", flags), Clock.systemUTC())) {
            JsonNode inst = TestGateway.instance(server);
            String aes = createKey(server, "Aliyun_AES_256", "ENCRYPT/DECRYPT");
            String ec = createKey(server, "EC_P256", "SIGN/VERIFY");
            Client sdk = TestGateway.sdkClient(server);
            RuntimeOptions once = new RuntimeOptions().setAutoretry(false).setReadTimeout(10_000).setConnectTimeout(5_000);
            Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lastOk = new AtomicLong(System.nanoTime());
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int n = t;
                Thread th = new Thread(() -> {
                    byte[] digest = new byte[32];
                    while (!stop.get()) {
                        String outcome;
                        try {
                            if (n == 2) {
                                sdk.signWithOptions(new SignRequest().setKeyId(ec).setAlgorithm("ECDSA_SHA_256").setMessageType("DIGEST")
                                        .setMessage(digest), once);
                            } else {
                                sdk.encryptWithOptions(new EncryptRequest().setKeyId(aes).setPlaintext(digest), once);
                            }
                            outcome = "200";
                            lastOk.set(System.nanoTime());
                        } catch (TeaException e) {
                            outcome = TestGateway.httpCode(e) + " " + e.getCode();
                        } catch (Exception e) {
                            outcome = "client " + e.getClass().getSimpleName();
                        }
                        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                    }
                });
                th.start();
                load.add(th);
            }
            try {
                Thread.sleep(500);
                String label = flags.get("pkcs11-token-label");
                SoftHsm.shared().closeAllSessions(label); // every session of the token, the gateway's too; the token logs out
                long closedAt = System.nanoTime();
                waitUntil(() -> lastOk.get() > closedAt + TimeUnit.MILLISECONDS.toNanos(50), 10, "requests succeed again after the sessions were lost");

                Path tokens = SoftHsm.shared().tokensDir();
                Path away = tokens.resolveSibling("softhsm-tokens-away");
                SoftHsm.shared().finalizeModule();
                Files.move(tokens, away);
                long goneAt = System.nanoTime();
                waitUntil(() -> readyz(inst, server) == 503, 10, "/readyz answers 503 while the token is gone");
                long before = outcomes.values().stream().mapToLong(AtomicLong::get).sum();
                Thread.sleep(1000);
                assertTrue(lastOk.get() < goneAt + TimeUnit.MILLISECONDS.toNanos(1500), "nothing succeeds without the token");
                assertTrue(outcomes.values().stream().mapToLong(AtomicLong::get).sum() > before + 10, "requests are answered, not held");

                Files.move(away, tokens);
                long backAt = System.nanoTime();
                waitUntil(() -> readyz(inst, server) == 200, 15, "/readyz recovers once the token is back");
                waitUntil(() -> lastOk.get() > backAt, 15, "requests succeed once the token is back");
            } finally {
                stop.set(true);
                for (Thread th : load) {
                    th.join(20_000);
                }
            }
            System.out.println("outcomes under HSM faults: " + outcomes);
            for (String outcome : outcomes.keySet()) {
                assertTrue(outcome.equals("200") || outcome.startsWith("503 "), "only 200 or 503: " + outcomes);
            }
            assertTrue(outcomes.containsKey("200") && outcomes.keySet().stream().anyMatch(o -> o.startsWith("503 ")), outcomes.toString());
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitUntil(Condition c, int seconds, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!c.holds()) {
            assertTrue(System.nanoTime() < end, what + " (within " + seconds + " s)");
            Thread.sleep(100);
        }
    }

    private static int readyz(JsonNode inst, GatewayServer g) throws Exception {
        return RawHttps.send(Path.of(inst.get("CaFile").asText()), g.adminPort(),
                "GET /readyz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n", null).status();
    }
}
