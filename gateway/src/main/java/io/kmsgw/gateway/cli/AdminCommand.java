package io.kmsgw.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.gateway.tls.Pem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code admin <action-in-kebab-case> --param value …}: calls {@code POST /admin/v1/<Action>} of the
 * instance in {@code --data-dir} (endpoint, CA and token from its instance.json). {@code --foo-bar v}
 * becomes {@code "FooBar":"v"}; {@code --password-file F} becomes {@code "Password"} read from F;
 * {@code audit} is QueryAuditLog (with {@code --since} = StartTime) and {@code quick-create} is
 * QuickCreateApplicationAccessPoint; {@code --out DIR} writes a new client key's files.
 */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Call an admin action, e.g. admin create-key --key-spec Aliyun_AES_256")
public final class AdminCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", description = "action in kebab-case, e.g. create-key, describe-key, list-keys, create-alias")
    String action;
    @Option(names = "--data-dir", description = "data directory holding instance.json (default ./data)", defaultValue = "./data")
    Path dataDir;
    @Option(names = "--out", description = "for actions that return a new client key: write clientKey_<id>.json and "
            + "clientKey_<id>_Password.txt (mode 0600) here instead of printing the private key")
    Path out;
    @Unmatched
    List<String> params = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path instanceFile = dataDir.resolve("instance.json");
        if (!Files.exists(instanceFile)) {
            System.err.println("kmsgw admin: " + instanceFile + " not found; start the gateway with serve first or pass --data-dir");
            return 2;
        }
        JsonNode instance = JSON.readTree(instanceFile.toFile());
        ObjectNode body = JSON.createObjectNode();
        String password = null;
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            if (!p.startsWith("--") || i + 1 >= params.size()) {
                System.err.println("kmsgw admin: expected --name value pairs, got \"" + p + "\"");
                return 2;
            }
            String value = params.get(++i);
            if (p.equals("--password-file")) {
                password = Files.readString(Path.of(value), StandardCharsets.UTF_8).strip();
                body.put("Password", password);
            } else if (p.equals("--since")) {
                body.put("StartTime", value);
            } else {
                body.put(pascal(p.substring(2)), value);
            }
        }
        String actionName = ALIASES.getOrDefault(action, pascal(action));
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(Path.of(instance.get("CaFile").asText())))
                .connectTimeout(Duration.ofSeconds(10)).build();
        String token = Files.readString(Path.of(instance.get("AdminTokenFile").asText()), StandardCharsets.US_ASCII).trim();
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://" + instance.get("AdminEndpoint").asText() + "/admin/v1/" + actionName))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode out = JSON.readTree(resp.body());
        if (resp.statusCode() / 100 != 2) {
            System.err.println("kmsgw admin: " + out.path("Code").asText() + ": " + out.path("Message").asText()
                    + " (HTTP " + resp.statusCode() + ", RequestId " + out.path("RequestId").asText() + ")");
            return 1;
        }
        if (out.has("PrivateKeyData") && this.out != null) {
            writeClientKeyFiles((ObjectNode) out, password, instance);
        }
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return 0;
    }

    private static final java.util.Map<String, String> ALIASES = java.util.Map.of(
            "audit", "QueryAuditLog",
            "quick-create", "QuickCreateApplicationAccessPoint");

    /** Writes the two files the SDKs read, replaces the private key in the printed result, and says what to do next. */
    private void writeClientKeyFiles(ObjectNode result, String password, JsonNode instance) throws java.io.IOException {
        String id = result.get("ClientKeyId").asText();
        Path json = this.out.resolve("clientKey_" + id + ".json");
        Path pw = this.out.resolve("clientKey_" + id + "_Password.txt");
        ObjectNode file = JSON.createObjectNode();
        file.put("KeyId", id);
        file.put("PrivateKeyData", result.get("PrivateKeyData").asText());
        Pem.write(json, JSON.writeValueAsString(file), true);
        if (password != null) {
            Pem.write(pw, password, true);
        }
        result.put("PrivateKeyData", "(written to " + json.toAbsolutePath() + ")");
        System.err.println("Wrote " + json.toAbsolutePath() + (password != null ? " and " + pw.toAbsolutePath() : "") + " (mode 0600).");
        System.err.println("Next: configure the SDK with clientKeyFile=" + json.toAbsolutePath() + ", the password from "
                + (password != null ? pw.toAbsolutePath() : "your password file") + ", endpoint=" + instance.get("Endpoint").asText()
                + " and caFilePath=" + instance.get("CaFile").asText() + ".");
    }

    static String pascal(String kebab) {
        StringBuilder sb = new StringBuilder();
        for (String part : kebab.split("-")) {
            if (!part.isEmpty()) {
                sb.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        return sb.toString();
    }

    /** An SSL context that trusts the instance CA bundle (root and intermediate). */
    public static SSLContext trusting(Path caFile) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : Pem.certificates(Files.readString(caFile, StandardCharsets.US_ASCII))) {
            ks.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLSv1.2");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
