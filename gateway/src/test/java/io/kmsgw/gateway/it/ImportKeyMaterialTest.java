package io.kmsgw.gateway.it;

import static io.kmsgw.gateway.it.TestGateway.admin;
import static io.kmsgw.gateway.it.TestGateway.teaError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.AdvanceDecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceEncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceEncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.AdvanceGenerateDataKeyRequest;
import com.aliyun.dkms.gcs.sdk.models.AdvanceGenerateDataKeyResponse;
import com.aliyun.dkms.gcs.sdk.models.DecryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import com.aliyun.dkms.gcs.sdk.models.EncryptResponse;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyRequest;
import com.aliyun.dkms.gcs.sdk.models.GenerateDataKeyResponse;
import com.aliyun.tea.TeaException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bring your own key end to end: the README's openssl recipe run as written (the real {@code openssl} binary and the
 * {@code kmsgw admin} CLI in its own JVM), raw admin HTTP with every bad input, and the official instance SDK on an
 * imported key. Runs on the simulated token and, in the pkcs11 execution, on SoftHSM2 (which unwraps OAEP with SHA-1
 * only and has no SM2: those two algorithms are refused there at GetParametersForImport).
 */
class ImportKeyMaterialTest {
    static Path dir;
    static GatewayServer server;
    static Client client;
    static JsonNode instance;
    /** The system clock, which the expired-token case moves forward for a moment (a clock frozen at class load would let the
     * quick-start client key's validity start after it, when the class is loaded long before its tests run). */
    static final class ShiftedClock extends java.time.Clock {
        volatile Duration shift = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(shift);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    static final ShiftedClock clock = new ShiftedClock();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kmsgw-byok");
        server = GatewayServer.start(TestGateway.settings(dir, "openssl"), clock);
        client = TestGateway.sdkClient(server);
        instance = TestGateway.instance(server);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Whether the gateway's HSM can unwrap {@code alg} inside itself (SoftHSM2 2.6: not OAEP SHA-256, not SM2). */
    static boolean offered(String alg) {
        return !TestGateway.pkcs11() || alg.equals("RSAES_OAEP_SHA_1") || alg.equals("RSAES_PKCS1_V1_5");
    }

    /** The README's recipe: the fenced block after the marker line, exactly as a user copies it. */
    static String recipe() throws Exception {
        return recipe("byok-recipe");
    }

    static String recipe(String marker) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher m = Pattern.compile("<!-- " + marker + " -->\\s*```bash\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "the README has the block " + marker);
        return m.group(1);
    }

    record Run(int exit, String out) {
    }

    static Run bash(Path cwd, String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    /** `kmsgw` as a shell function running this build's Main in its own JVM, pointed at the gateway by the documented env. */
    static Map<String, String> cliEnv() throws Exception {
        return Map.of("KMSGW_ADMIN_ENDPOINT", instance.get("AdminEndpoint").asText(), "KMSGW_ADMIN_CA_FILE", instance.get("CaFile").asText(),
                "KMSGW_ADMIN_TOKEN_FILE", instance.get("AdminTokenFile").asText(), "CP", System.getProperty("java.class.path"),
                "JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    static final String KMSGW = "kmsgw() { \"$JAVA\" -Xshare:auto -XX:TieredStopAtLevel=1 -cp \"$CP\" io.kmsgw.gateway.Main \"$@\"; }\n";

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "RSAES_PKCS1_V1_5", "SM2PKE"})
    void theReadmeRecipeImportsMaterialWhoseCiphertextsOpensslAgreesWith(String alg) throws Exception {
        Path work = Files.createDirectories(dir.resolve("recipe-" + alg));
        Run run = bash(work, KMSGW + "ALG=" + alg + "\n" + recipe() + "\necho \"KEY_ID=$KEY_ID\"\n", cliEnv());
        if (!offered(alg)) {
            assertTrue(run.exit() != 0 && run.out().contains("cannot unwrap key material encrypted with " + alg), run.out());
            return;
        }
        assertEquals(0, run.exit(), run.out());
        Matcher id = Pattern.compile("KEY_ID=(key-[0-9a-f-]+)").matcher(run.out());
        assertTrue(id.find(), run.out());
        String keyId = id.group(1);
        assertEquals("Enabled", admin(server, "DescribeKey", "{\"KeyId\":\"" + keyId + "\"}").json().at("/KeyMetadata/KeyState").asText());
        byte[] material = Files.readAllBytes(work.resolve("material.bin"));
        assertEquals(32, material.length);

        // a ciphertext made with openssl and the material opens on the gateway (AES_CBC, PKCS7), and the reverse
        byte[] iv = new byte[16];
        new SecureRandom().nextBytes(iv);
        Files.writeString(work.resolve("local.txt"), "made outside kmsgw with " + alg);
        assertEquals(0, bash(work, "openssl enc -aes-256-cbc -K " + hex(material) + " -iv " + hex(iv) + " -in local.txt -out local.bin",
                Map.of()).exit());
        assertEquals("made outside kmsgw with " + alg, new String(client.decrypt(new DecryptRequest().setKeyId(keyId)
                .setAlgorithm("AES_CBC").setIv(iv).setPaddingMode("PKCS7_PADDING").setCiphertextBlob(Files.readAllBytes(
                        work.resolve("local.bin")))).getPlaintext(), StandardCharsets.UTF_8));
        EncryptResponse enc = client.encrypt(new EncryptRequest().setKeyId(keyId).setAlgorithm("AES_CBC")
                .setPlaintext("made by kmsgw".getBytes(StandardCharsets.UTF_8)));
        Files.write(work.resolve("remote.bin"), enc.getCiphertextBlob());
        Run back = bash(work, "openssl enc -d -aes-256-cbc -K " + hex(material) + " -iv " + hex(enc.getIv()) + " -in remote.bin", Map.of());
        assertEquals("made by kmsgw", back.out(), back.out());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"RSA_2048, RSA_AES_KEY_WRAP_SHA_256", "RSA_2048, RSA_AES_KEY_WRAP_SHA_1",
        "EC_P256, RSA_AES_KEY_WRAP_SHA_256"})
    void theReadmePrivateKeyRecipeImportsAKeyWhoseSignaturesOpensslVerifies(String spec, String alg) throws Exception {
        Path work = Files.createDirectories(dir.resolve("recipe-" + spec + "-" + alg));
        Run run = bash(work, KMSGW + "SPEC=" + spec + "\nALG=" + alg + "\n" + recipe("byok-recipe-private") + "\necho \"KEY_ID=$KEY_ID\"\n",
                cliEnv());
        boolean offered = !TestGateway.pkcs11() || (spec.startsWith("RSA") && alg.endsWith("SHA_1"));
        if (!offered) {
            assertTrue(run.exit() != 0 && run.out().contains("cannot"), run.out());
            return;
        }
        assertEquals(0, run.exit(), run.out());
        Matcher id = Pattern.compile("KEY_ID=(key-[0-9a-f-]+)").matcher(run.out());
        assertTrue(id.find(), run.out());
        String keyId = id.group(1);
        assertFalse(Files.exists(work.resolve("aes.bin")) || Files.exists(work.resolve("private.der")), "the recipe cleans up");
        // GetPublicKey answers the key's own public half, and openssl verifies what the gateway signs with it
        assertEquals(0, bash(work, "openssl pkey -in private.pem -pubout -out public.pem", Map.of()).exit());
        String pem = client.getPublicKey(new com.aliyun.dkms.gcs.sdk.models.GetPublicKeyRequest().setKeyId(keyId)).getPublicKey();
        assertEquals(Files.readString(work.resolve("public.pem")).replaceAll("\\s", ""), pem.replaceAll("\\s", ""));
        byte[] msg = ("signed with my own " + spec).getBytes(StandardCharsets.UTF_8);
        Files.write(work.resolve("msg.txt"), msg);
        boolean rsa = spec.startsWith("RSA");
        byte[] sig = client.sign(new com.aliyun.dkms.gcs.sdk.models.SignRequest().setKeyId(keyId).setAlgorithm(rsa ? "RSA_PSS_SHA_256"
                : "ECDSA_SHA_256").setMessage(msg)).getSignature();
        Files.write(work.resolve("sig.bin"), sig);
        Run verified = bash(work, "openssl dgst -sha256 -verify public.pem -signature sig.bin " + (rsa
                ? "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 " : "") + "msg.txt", Map.of());
        assertEquals("Verified OK", verified.out().strip(), verified.out());
        // and the reverse: openssl signs with the key, the gateway verifies
        assertEquals(0, bash(work, "openssl dgst -sha256 -sign private.pem -out local-sig.bin " + (rsa
                ? "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 " : "") + "msg.txt", Map.of()).exit());
        assertTrue(client.verify(new com.aliyun.dkms.gcs.sdk.models.VerifyRequest().setKeyId(keyId).setAlgorithm(rsa ? "RSA_PSS_SHA_256"
                : "ECDSA_SHA_256").setMessage(msg).setSignature(Files.readAllBytes(work.resolve("local-sig.bin")))).getValue());
    }

    @Test
    void theCliTakesBase64MaterialTooAndSaysInOneLineWhatIsWrong() throws Exception {
        String keyId = ok("CreateKey", "{\"Origin\":\"EXTERNAL\",\"KeySpec\":\"Aliyun_AES_128\"}").at("/KeyMetadata/KeyId").asText();
        JsonNode params = ok("GetParametersForImport", "{\"KeyId\":\"" + keyId + "\",\"WrappingAlgorithm\":\"RSAES_OAEP_SHA_1\"}");
        Path work = Files.createDirectories(dir.resolve("cli-" + keyId));
        Path material = work.resolve("encrypted.b64");
        // Base64 text with line breaks, as `openssl base64` writes it
        Files.writeString(material, Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(Base64.getDecoder().decode(
                wrap(params, "SHA-1", new byte[16]))) + "\n");
        Path token = work.resolve("token.txt");
        Files.writeString(token, params.get("ImportToken").asText() + "\n");
        Cli imported = cli("import-key-material", "--key-id", keyId, "--material-file", material.toString(), "--import-token-file",
                token.toString());
        assertEquals(0, imported.code(), imported.err());
        assertEquals("Enabled", describe(keyId).get("KeyState").asText());

        // a missing file and a refusal: one line each on standard error, exit 2 and 1
        Cli missing = cli("import-key-material", "--key-id", keyId, "--material-file", work.resolve("nope.bin").toString(),
                "--import-token-file", token.toString());
        assertEquals(2, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("cannot read the material file"), missing.err());
        Files.write(work.resolve("other.bin"), Base64.getDecoder().decode(wrap(params, "SHA-1", new byte[24])));
        Cli refused = cli("import-key-material", "--key-id", keyId, "--material-file", work.resolve("other.bin").toString(),
                "--import-token-file", token.toString());
        assertEquals(1, refused.code());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().startsWith("kmsgw admin: InvalidParameter: ") && refused.err().contains("takes 16 bytes"), refused.err());
    }

    record Cli(int code, String err) {
    }

    /** The admin CLI in this JVM, pointed at the gateway by flags: its exit code and standard error. */
    static Cli cli(String... args) {
        java.util.List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--endpoint", instance.get("AdminEndpoint").asText(), "--ca-file", instance.get("CaFile").asText(),
                "--token-file", instance.get("AdminTokenFile").asText()));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = new picocli.CommandLine(new io.kmsgw.gateway.cli.AdminCommand().printTo(new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream()), new java.io.PrintStream(err))).execute(all.toArray(String[]::new));
        return new Cli(code, err.toString());
    }

    private static JsonNode ok(String action, String json) throws Exception {
        TestGateway.AdminReply r = admin(server, action, json);
        assertEquals(200, r.status(), action + ": " + r.json());
        return r.json();
    }

    private static JsonNode describe(String keyId) throws Exception {
        return ok("DescribeKey", "{\"KeyId\":\"" + keyId + "\"}").get("KeyMetadata");
    }

    /** {@code material} encrypted with RSA-OAEP ({@code hash}) under GetParametersForImport's PublicKey, Base64: what a tenant sends. */
    static String wrap(JsonNode params, String hash, byte[] material) throws Exception {
        PublicKey pub = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(
                params.get("PublicKey").asText())));
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
        c.init(Cipher.ENCRYPT_MODE, pub, new OAEPParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), PSource.PSpecified.DEFAULT));
        return Base64.getEncoder().encodeToString(c.doFinal(material));
    }

    /**
     * Creates an EXTERNAL AES-256 key on the gateway {@code inst} describes and imports {@code material} into it (OAEP with SHA-1,
     * which every backend unwraps); returns its id. For the replica and backup tests.
     */
    static String externalKeyWith(JsonNode inst, byte[] material) throws Exception {
        TestGateway.AdminReply created = TestGateway.admin(inst, "CreateKey", "{\"Origin\":\"EXTERNAL\"}");
        assertEquals(200, created.status(), created.json().toString());
        String keyId = created.json().at("/KeyMetadata/KeyId").asText();
        importInto(inst, keyId, material);
        return keyId;
    }

    /** Imports {@code material} into {@code keyId} through {@code inst}'s admin plane: the HTTP status and answer. */
    static TestGateway.AdminReply importInto(JsonNode inst, String keyId, byte[] material) throws Exception {
        TestGateway.AdminReply p = TestGateway.admin(inst, "GetParametersForImport", "{\"KeyId\":\"" + keyId
                + "\",\"WrappingAlgorithm\":\"RSAES_OAEP_SHA_1\"}");
        assertEquals(200, p.status(), p.json().toString());
        return TestGateway.admin(inst, "ImportKeyMaterial", importJson(keyId, wrap(p.json(), "SHA-1", material),
                p.json().get("ImportToken").asText(), 0));
    }

    private static String importJson(String keyId, String material, String token, long expireUnix) {
        return "{\"KeyId\":\"" + keyId + "\",\"EncryptedKeyMaterial\":\"" + material + "\",\"ImportToken\":\"" + token + "\""
                + (expireUnix == 0 ? "" : ",\"KeyMaterialExpireUnix\":\"" + expireUnix + "\"") + "}";
    }

    @Test
    void anImportedKeyServesTheSdkLikeAnyKeyAndEveryBadImportIsA400ThatChangesNothing() throws Exception {
        String alg = offered("RSAES_OAEP_SHA_256") ? "RSAES_OAEP_SHA_256" : "RSAES_OAEP_SHA_1";
        String hash = alg.endsWith("256") ? "SHA-256" : "SHA-1";
        String keyId = ok("CreateKey", "{\"Origin\":\"EXTERNAL\",\"KeySpec\":\"Aliyun_AES_256\"}").at("/KeyMetadata/KeyId").asText();
        String generated = ok("CreateKey", "{}").at("/KeyMetadata/KeyId").asText();
        String other = ok("CreateKey", "{\"Origin\":\"External\"}").at("/KeyMetadata/KeyId").asText();
        JsonNode pending = describe(keyId);
        assertEquals("PendingImport", pending.get("KeyState").asText());
        assertEquals("EXTERNAL", pending.get("Origin").asText());
        TeaException e409 = teaError(() -> client.encrypt(new EncryptRequest().setKeyId(keyId).setPlaintext(new byte[] {1})));
        assertEquals("Rejected.PendingImport", e409.getCode());
        assertEquals(409, TestGateway.httpCode(e409));
        assertEquals("The request was rejected because the key state is PendingImport.", e409.getMessage().replaceFirst("^code: \\d+, ", ""));

        JsonNode params = ok("GetParametersForImport", "{\"KeyId\":\"" + keyId + "\",\"WrappingAlgorithm\":\"" + alg
                + "\",\"WrappingKeySpec\":\"RSA_2048\"}");
        JsonNode otherParams = ok("GetParametersForImport", "{\"KeyId\":\"" + other + "\",\"WrappingAlgorithm\":\"" + alg + "\"}");
        assertEquals(keyId, params.get("KeyId").asText());
        Instant tokenExpires = Instant.parse(params.get("TokenExpireTime").asText());
        assertTrue(Duration.between(clock.instant(), tokenExpires).toMinutes() >= 24 * 60 - 1);
        byte[] material = new byte[32];
        new SecureRandom().nextBytes(material);
        String token = params.get("ImportToken").asText();
        String good = wrap(params, hash, material);

        // each bad input: 400 InvalidParameter, and the key exactly as it was
        String otherHash = hash.equals("SHA-1") ? "SHA-256" : "SHA-1";
        List<String> bad = new ArrayList<>(List.of(
                importJson(keyId, good, otherParams.get("ImportToken").asText(), 0), // a token of another key
                importJson(keyId, good, token.substring(0, token.length() - 8) + (token.endsWith("AAAAAAAA") ? "BBBBBBBB" : "AAAAAAAA"), 0),
                importJson(keyId, wrap(params, otherHash, material), token, 0), // another algorithm
                importJson(keyId, wrap(otherParams, hash, material), token, 0), // another key's wrapping key
                importJson(keyId, wrap(params, hash, new byte[16]), token, 0), // wrong length
                importJson(keyId, "not*base64", token, 0),
                importJson(keyId, good, token, clock.instant().getEpochSecond() - 60), // an expiry in the past
                importJson(generated, good, token, 0))); // not EXTERNAL
        for (String json : bad) {
            TestGateway.AdminReply r = admin(server, "ImportKeyMaterial", json);
            assertEquals(400, r.status(), json + " → " + r.json());
            if (json.contains("not*base64")) {
                assertTrue(r.json().get("Message").asText().contains("EncryptedKeyMaterial") && r.json().get("Message").asText()
                        .contains("Base64"), r.json().toString());
            }
            assertEquals("InvalidParameter", r.json().get("Code").asText(), r.json().toString());
            assertEquals(pending, describe(keyId));
            assertFalse(r.json().toString().contains(token), "the token is never echoed");
        }
        assertEquals(400, admin(server, "DeleteKeyMaterial", "{\"KeyId\":\"" + generated + "\"}").status());

        // the import, with an expiry DescribeKey shows
        long expire = clock.instant().plus(Duration.ofDays(30)).getEpochSecond();
        JsonNode imported = ok("ImportKeyMaterial", importJson(keyId, good, token, expire)).get("KeyMetadata");
        assertEquals("Enabled", imported.get("KeyState").asText());
        assertEquals(Instant.ofEpochSecond(expire).toString(), describe(keyId).get("KeyMaterialExpireTime").asText());
        assertEquals(400, admin(server, "CreateKeyVersion", "{\"KeyId\":\"" + keyId + "\"}").status(), "no rotation of imported material");

        // the SDK: Encrypt/Decrypt (checked against the material itself), GenerateDataKey, Advance*
        byte[] pt = "bring your own key".getBytes(StandardCharsets.UTF_8);
        EncryptResponse enc = client.encrypt(new EncryptRequest().setKeyId(keyId).setPlaintext(pt));
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(material, "AES"), new GCMParameterSpec(128, enc.getIv()));
        assertArrayEquals(pt, gcm.doFinal(enc.getCiphertextBlob()));
        assertArrayEquals(pt, client.decrypt(new DecryptRequest().setKeyId(keyId).setCiphertextBlob(enc.getCiphertextBlob())
                .setIv(enc.getIv())).getPlaintext());
        GenerateDataKeyResponse dk = client.generateDataKey(new GenerateDataKeyRequest().setKeyId(keyId).setNumberOfBytes(32));
        assertArrayEquals(dk.getPlaintext(), client.decrypt(new DecryptRequest().setKeyId(keyId).setCiphertextBlob(dk.getCiphertextBlob())
                .setIv(dk.getIv())).getPlaintext());
        AdvanceEncryptResponse adv = client.advanceEncrypt(new AdvanceEncryptRequest().setKeyId(keyId).setPlaintext(pt));
        assertArrayEquals(pt, client.advanceDecrypt(new AdvanceDecryptRequest().setCiphertextBlob(adv.getCiphertextBlob())).getPlaintext());
        AdvanceGenerateDataKeyResponse adk = client.advanceGenerateDataKey(new AdvanceGenerateDataKeyRequest().setKeyId(keyId));
        assertArrayEquals(adk.getPlaintext(), client.advanceDecrypt(new AdvanceDecryptRequest()
                .setCiphertextBlob(adk.getCiphertextBlob())).getPlaintext());

        // DeleteKeyMaterial: the data plane answers 409 at once; the same material brings every ciphertext back
        assertEquals("PendingImport", ok("DeleteKeyMaterial", "{\"KeyId\":\"" + keyId + "\"}").at("/KeyMetadata/KeyState").asText());
        assertEquals("Rejected.PendingImport", teaError(() -> client.advanceDecrypt(new AdvanceDecryptRequest()
                .setCiphertextBlob(adv.getCiphertextBlob()))).getCode());
        byte[] otherMaterial = material.clone();
        otherMaterial[31] ^= 1;
        TestGateway.AdminReply differs = admin(server, "ImportKeyMaterial", importJson(keyId, wrap(params, hash, otherMaterial), token, 0));
        assertEquals(400, differs.status());
        assertTrue(differs.json().get("Message").asText().contains("only the same material"), differs.json().toString());
        ok("ImportKeyMaterial", importJson(keyId, wrap(params, hash, material), token, 0));
        assertArrayEquals(pt, client.advanceDecrypt(new AdvanceDecryptRequest().setCiphertextBlob(adv.getCiphertextBlob())).getPlaintext());
        assertEquals("", describe(keyId).get("KeyMaterialExpireTime").asText());

        // a key scheduled for deletion takes no material; a ReadOnly token gets no import parameters
        ok("ScheduleKeyDeletion", "{\"KeyId\":\"" + other + "\",\"PendingWindowInDays\":7}");
        JsonNode scheduled = describe(other);
        TestGateway.AdminReply intoDeleted = admin(server, "ImportKeyMaterial", importJson(other, wrap(otherParams, hash, material),
                otherParams.get("ImportToken").asText(), 0));
        assertEquals(400, intoDeleted.status(), intoDeleted.json().toString());
        assertEquals(scheduled, describe(other));
        String readOnly = ok("CreateAdminToken", "{\"Role\":\"ReadOnly\"}").get("Token").asText();
        assertEquals(403, TestGateway.adminAs(instance, readOnly, "GetParametersForImport", "{\"KeyId\":\"" + keyId + "\"}").status());

        // the admin audit names the key and the action, never the token or the material
        JsonNode audit = ok("QueryAuditLog", "{\"Plane\":\"admin\",\"ApiName\":\"ImportKeyMaterial\",\"Limit\":100}");
        assertTrue(audit.toString().contains(keyId), audit.toString());
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(token.substring(token.lastIndexOf('.') + 1, token.lastIndexOf('.') + 40)), f.toString());
                assertFalse(text.contains(good.substring(0, 40)), f.toString());
            }
        }

        // a token past its 24 hours (the clock goes back after: the data plane's signatures are checked against it)
        String fresh = ok("CreateKey", "{\"Origin\":\"EXTERNAL\"}").at("/KeyMetadata/KeyId").asText();
        JsonNode freshParams = ok("GetParametersForImport", "{\"KeyId\":\"" + fresh + "\",\"WrappingAlgorithm\":\"" + alg + "\"}");
        clock.shift = Duration.ofHours(24).plusMinutes(1);
        TestGateway.AdminReply expired;
        try {
            expired = admin(server, "ImportKeyMaterial", importJson(fresh, wrap(freshParams, hash, material),
                    freshParams.get("ImportToken").asText(), 0));
        } finally {
            clock.shift = Duration.ZERO;
        }
        assertEquals(400, expired.status());
        assertTrue(expired.json().get("Message").asText().contains("expired"), expired.json().toString());
        assertEquals("PendingImport", describe(fresh).get("KeyState").asText());
    }
}
