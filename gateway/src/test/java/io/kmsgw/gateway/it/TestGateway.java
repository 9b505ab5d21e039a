package io.kmsgw.gateway.it;

import com.aliyun.dkms.gcs.openapi.models.Config;
import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.tea.TeaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** Test helpers: start a real gateway on free loopback ports and build official SDK clients for it. */
public final class TestGateway {
    private TestGateway() {
    }

    public static Settings settings(Path dataDir, String tlsEngine) {
        return settings(dataDir, tlsEngine, Map.of());
    }

    /** Test settings plus extra flags (flag name without dashes → value). */
    public static Settings settings(Path dataDir, String tlsEngine, Map<String, String> extra) {
        Map<String, String> flags = new java.util.HashMap<>(Map.of(
                "data-dir", dataDir.toString(),
                "port", "0",
                "admin-port", "0",
                "tls-engine", tlsEngine,
                "engine-workers", "2",
                "hsm-pbkdf2-iterations", "1000",
                "warmup-seconds", "0")); // WarmUpTest turns it on
        if (pkcs11() && !extra.containsKey("hsm")) {
            flags.putAll(softHsmFlags(dataDir));
        }
        flags.putAll(extra);
        return SettingsLoader.load(null, Map.of(), flags);
    }

    /** True in the build's second run of the SDK-level tests, whose gateways use SoftHSM2 through the pkcs11 backend. */
    public static boolean pkcs11() {
        return "pkcs11".equals(System.getProperty("kmsgw.test.hsm"));
    }

    /**
     * The flags of a pkcs11 gateway over a SoftHSM2 token of its own (made on first use, labelled after the data dir), its
     * PIN in a file beside the data dir.
     */
    public static Map<String, String> softHsmFlags(Path dataDir) {
        io.kmsgw.crypto.backend.SoftHsm softHsm = io.kmsgw.crypto.backend.SoftHsm.shared();
        String label = io.kmsgw.crypto.backend.SoftHsm.labelFor(dataDir.toAbsolutePath().toString());
        String pin = "pin-" + label;
        softHsm.token(label, pin);
        Path pinFile = dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".pkcs11-pin");
        try {
            Files.writeString(pinFile, pin);
            pinFile.toFile().deleteOnExit(); // outside the data dir, which the tests delete
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Map.of("hsm", "pkcs11", "pkcs11-library", softHsm.library(), "pkcs11-token-label", label,
                "pkcs11-pin-file", pinFile.toString());
    }

    public static GatewayServer start(Path dataDir) throws Exception {
        return GatewayServer.start(settings(dataDir, "openssl"), Clock.systemUTC());
    }

    public static JsonNode instance(GatewayServer server) throws Exception {
        return new ObjectMapper().readTree(server.instanceJson().toFile());
    }

    /** An SDK client configured as the docs say: client key file, its password, and the instance CA file. */
    public static Client sdkClient(GatewayServer server) throws Exception {
        return sdkClient(instance(server));
    }

    /** The quick-start SDK client for a gateway known only by its instance.json (another process). */
    public static Client sdkClient(JsonNode instance) throws Exception {
        JsonNode qs = instance.get("QuickStart");
        Config config = new Config();
        config.setProtocol("https");
        config.setClientKeyFile(qs.get("ClientKeyFile").asText());
        config.setPassword(Files.readString(Path.of(qs.get("PasswordFile").asText()), StandardCharsets.UTF_8));
        config.setEndpoint(instance.get("Endpoint").asText());
        config.setCaFilePath(instance.get("CaFile").asText());
        return newClient(config);
    }

    /** POSTs an admin action with the instance's token; returns status and parsed JSON. */
    public record AdminReply(int status, JsonNode json) {
    }

    public static AdminReply admin(GatewayServer server, String action, String json) throws Exception {
        return admin(instance(server), action, json);
    }

    /** As {@link #admin(GatewayServer, String, String)} for a gateway known only by its instance.json (another process). */
    public static AdminReply admin(JsonNode inst, String action, String json) throws Exception {
        return adminAs(inst, Files.readString(Path.of(inst.get("AdminTokenFile").asText())).trim(), action, json);
    }

    /** As {@link #admin(JsonNode, String, String)} with another admin token. */
    public static AdminReply adminAs(JsonNode inst, String token, String action, String json) throws Exception {
        int adminPort = Integer.parseInt(inst.get("AdminEndpoint").asText().replaceAll(".*:", ""));
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST /admin/v1/" + action + " HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                + "authorization: Bearer " + token + "\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n";
        RawHttps.Response r = RawHttps.send(Path.of(inst.get("CaFile").asText()), adminPort, head, body);
        return new AdminReply(r.status(), new ObjectMapper().readTree(r.body()));
    }

    /** The two files a new client key is delivered as, written from a CreateClientKey reply: {json, password}. */
    public static Path[] clientKeyFiles(AdminReply created, Path dir, String name, String password) throws java.io.IOException {
        Path json = dir.resolve(name + ".json");
        Path pw = dir.resolve(name + ".pw");
        Files.writeString(json, "{\"KeyId\":\"" + created.json().get("ClientKeyId").asText() + "\",\"PrivateKeyData\":\""
                + created.json().get("PrivateKeyData").asText() + "\"}");
        Files.writeString(pw, password);
        return new Path[] {json, pw};
    }

    /** An SDK client for a client key file + password file. */
    public static Client sdkClient(GatewayServer server, Path clientKeyFile, Path passwordFile) throws Exception {
        Config config = new Config();
        config.setProtocol("https");
        config.setClientKeyFile(clientKeyFile.toString());
        config.setPassword(Files.readString(passwordFile, StandardCharsets.UTF_8));
        config.setEndpoint("127.0.0.1:" + server.port());
        config.setCaFilePath(instance(server).get("CaFile").asText());
        return newClient(config);
    }

    /**
     * An SDK client. The SDK's HTTP layer (Tea) keeps one OkHttp client, with its trust settings, per host:port for the
     * whole JVM; a gateway started later on a port an earlier test's gateway had, with another CA, would be refused by
     * the stale one (PKIX path building failed). So the cached client for that endpoint is dropped first.
     */
    public static Client newClient(Config config) throws Exception {
        dropCachedHttpClient(config.getEndpoint());
        return new Client(config);
    }

    /** Forgets the Tea HTTP client cached for {@code host:port} (see {@link #newClient}); clients built on the SDK need it too. */
    public static void dropCachedHttpClient(String endpoint) {
        // tea 1.3 keys its cache by host:port followed by the proxy and TLS settings (its key function is private now)
        com.aliyun.tea.okhttp.ClientHelper.clients.keySet().removeIf(k -> k.equals(endpoint)
                || (k.startsWith(endpoint) && !Character.isDigit(k.charAt(endpoint.length()))));
    }

    /** The instance-mode SDK settings for a client key file + password file, as every official client takes them. */
    public static Config sdkConfig(GatewayServer server, Path clientKeyFile, Path passwordFile) throws Exception {
        Config config = new Config();
        config.setProtocol("https");
        config.setClientKeyFile(clientKeyFile.toString());
        config.setPassword(Files.readString(passwordFile, StandardCharsets.UTF_8));
        config.setEndpoint(instance(server).get("Endpoint").asText());
        config.setCaFilePath(instance(server).get("CaFile").asText());
        return config;
    }

    /** Runs a call expected to fail and returns the TeaException the SDK raised (unwrapping its retry wrapper). */
    public static TeaException teaError(Executable call) {
        try {
            call.execute();
        } catch (Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof TeaException te && te.getCode() != null) {
                    return te;
                }
            }
            throw new AssertionError("expected a TeaException with a code, got " + t, t);
        }
        throw new AssertionError("expected the call to fail");
    }

    public static int httpCode(TeaException e) {
        return ((Number) e.getData().get("httpCode")).intValue();
    }
}
