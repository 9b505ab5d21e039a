package io.kmsgw.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.gateway.admin.AdminCatalog;
import io.kmsgw.gateway.admin.AdminRole;
import io.kmsgw.gateway.tls.Pem;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code admin <action-in-kebab-case> --param value …}: calls {@code POST /admin/v1/<Action>}. The endpoint, CA and
 * token come from {@code --endpoint}/{@code --ca-file}/{@code --token-file}, else {@code KMSGW_ADMIN_ENDPOINT}/
 * {@code KMSGW_ADMIN_CA_FILE}/{@code KMSGW_ADMIN_TOKEN_FILE}, else the {@code instance.json} in {@code --data-dir}.
 * {@code --foo-bar v} becomes {@code "FooBar":"v"}; {@code --password-file F} becomes {@code "Password"} read from F;
 * {@code --material-file F} becomes {@code "EncryptedKeyMaterial"} (F's bytes, or its Base64 text), {@code --import-token-file F}
 * {@code "ImportToken"};
 * {@code audit} is QueryAuditLog (with {@code --since} = StartTime) and {@code quick-create} is
 * QuickCreateApplicationAccessPoint; {@code --out} writes a new client key's files (a directory) or a new admin token
 * (a file). Every failure is one line on standard error: exit 2 for a usage or local problem, 1 for a refusal.
 */
@Command(name = "admin", description = "Call an admin action of a gateway, here or remote: kmsgw admin <action> [--param value …]")
public final class AdminCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ALIASES = Map.of(
            "audit", "QueryAuditLog",
            "quick-create", "QuickCreateApplicationAccessPoint");

    @Parameters(index = "0", arity = "0..1", paramLabel = "<action>", description = "the action in kebab-case, e.g. create-key")
    String action;
    @Option(names = {"-h", "--help"}, description = "list the actions; after an action, its parameters")
    boolean help;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "a gateway's data dir: its instance.json names the endpoint, CA "
            + "and token (default ./data)", defaultValue = "./data")
    Path dataDir;
    @Option(names = "--endpoint", paramLabel = "HOST:PORT", defaultValue = "${env:KMSGW_ADMIN_ENDPOINT}",
            description = "the admin endpoint (env KMSGW_ADMIN_ENDPOINT)")
    String endpoint;
    @Option(names = "--ca-file", paramLabel = "FILE", defaultValue = "${env:KMSGW_ADMIN_CA_FILE}",
            description = "the instance CA bundle, PrivateKmsCA_<id>.pem (env KMSGW_ADMIN_CA_FILE)")
    Path caFile;
    @Option(names = "--token-file", paramLabel = "FILE", defaultValue = "${env:KMSGW_ADMIN_TOKEN_FILE}",
            description = "a file holding an admin token (env KMSGW_ADMIN_TOKEN_FILE)")
    Path tokenFile;
    @Option(names = "--out", paramLabel = "PATH", description = "a new client key: write clientKey_<id>.json and "
            + "clientKey_<id>_Password.txt into this directory; a new admin token or AccessKey: write it to this file (mode 0600)")
    Path out;
    @Unmatched
    List<String> params = new ArrayList<>();

    private PrintStream stdout = System.out;
    private PrintStream stderr = System.err;

    /** Where the command prints (tests run it in-process). */
    public AdminCommand printTo(PrintStream out, PrintStream err) {
        this.stdout = out;
        this.stderr = err;
        return this;
    }

    @Override
    public Integer call() throws Exception {
        if (action == null) {
            if (help) {
                stdout.print(usage());
                return 0;
            }
            stderr.println("kmsgw admin: name an action; kmsgw admin --help lists them");
            return 2;
        }
        String actionName = ALIASES.getOrDefault(action, pascal(action));
        AdminCatalog.Action info = AdminCatalog.get(actionName);
        if (info == null) {
            stderr.println("kmsgw admin: there is no action " + action + "; kmsgw admin --help lists them");
            return 2;
        }
        if (help) {
            stdout.print(actionUsage(info));
            return 0;
        }
        ObjectNode body = JSON.createObjectNode();
        String password = null;
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            if (!p.startsWith("--") || i + 1 >= params.size()) {
                stderr.println("kmsgw admin " + action + ": expected --name value pairs, got \"" + p + "\"");
                return 2;
            }
            String value = params.get(++i);
            String name = p.equals("--password-file") ? "Password" : p.equals("--since") ? "StartTime"
                    : p.equals("--material-file") ? "EncryptedKeyMaterial" : p.equals("--import-token-file") ? "ImportToken"
                    : pascal(p.substring(2));
            if (info.params().stream().noneMatch(x -> x.name().equals(name))) {
                stderr.println("kmsgw admin " + action + ": no parameter " + p + "; kmsgw admin " + action + " --help lists them");
                return 2;
            }
            if (p.equals("--password-file")) {
                password = read(Path.of(value), "password file").strip();
                value = password;
            }
            try {
                if (p.equals("--material-file")) {
                    value = materialFile(Path.of(value));
                } else if (p.equals("--import-token-file")) {
                    value = read(Path.of(value), "import token file").strip();
                }
            } catch (IllegalStateException e) {
                stderr.println("kmsgw admin " + action + ": " + e.getMessage());
                return 2;
            }
            body.put(name, value);
        }
        Target target = target();
        if (target == null) {
            return 2;
        }
        HttpResponse<String> resp;
        try {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(target.caFile)).connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("https://" + target.endpoint + "/admin/v1/" + actionName))
                    .timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + target.token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                    .build();
            resp = client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            stderr.println("kmsgw admin: " + connectionProblem(e, target));
            return 1;
        } catch (IllegalArgumentException e) {
            stderr.println("kmsgw admin: the endpoint \"" + target.endpoint + "\" is not HOST:PORT");
            return 2;
        }
        JsonNode result;
        try {
            result = JSON.readTree(resp.body());
        } catch (IOException e) {
            result = null;
        }
        if (result == null || !result.isObject()) {
            stderr.println("kmsgw admin: " + target.endpoint + " answered HTTP " + resp.statusCode() + " without a JSON body: is it a "
                    + "kmsgw admin endpoint?");
            return 1;
        }
        if (resp.statusCode() / 100 != 2) {
            stderr.println("kmsgw admin: " + result.path("Code").asText() + ": " + result.path("Message").asText()
                    + " (HTTP " + resp.statusCode() + ", RequestId " + result.path("RequestId").asText() + ")");
            return 1;
        }
        if (result.has("PrivateKeyData") && this.out != null) {
            writeClientKeyFiles((ObjectNode) result, password, target);
        }
        if (result.has("Token") && this.out != null) {
            writeToken((ObjectNode) result);
        }
        if (result.has("AccessKeySecret") && this.out != null) {
            writeAccessKey((ObjectNode) result);
        }
        if (result.has("ImportToken") && this.out != null) {
            writeImportParameters(result);
        }
        stdout.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        return 0;
    }

    /** Where to call and with what: flags, else environment (picocli's defaults), else the data dir's instance.json. */
    private record Target(String endpoint, Path caFile, String token, String instanceEndpoint) {
    }

    private Target target() throws IOException {
        JsonNode instance = null;
        Path instanceFile = dataDir.resolve("instance.json");
        if (endpoint == null || caFile == null || tokenFile == null) {
            if (!Files.exists(instanceFile)) {
                stderr.println("kmsgw admin: no admin endpoint: pass --endpoint HOST:PORT --ca-file FILE --token-file FILE (or set "
                        + "KMSGW_ADMIN_ENDPOINT, KMSGW_ADMIN_CA_FILE, KMSGW_ADMIN_TOKEN_FILE), or --data-dir of a gateway (" + instanceFile
                        + " not found)");
                return null;
            }
            instance = JSON.readTree(instanceFile.toFile());
        }
        String ep = endpoint != null ? endpoint : instance.path("AdminEndpoint").asText();
        Path ca = caFile != null ? caFile : Path.of(instance.path("CaFile").asText());
        Path tf = tokenFile != null ? tokenFile : Path.of(instance.path("AdminTokenFile").asText());
        String token;
        try {
            token = read(tf, "token file").trim();
        } catch (IllegalStateException e) {
            stderr.println("kmsgw admin: " + e.getMessage());
            return null;
        }
        if (token.isEmpty() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            stderr.println("kmsgw admin: the token file " + tf + " does not hold a token (one line of printable characters)");
            return null;
        }
        if (!Files.isReadable(ca)) {
            stderr.println("kmsgw admin: cannot read the CA file " + ca);
            return null;
        }
        return new Target(ep, ca, token, instance == null ? null : instance.path("Endpoint").asText(null));
    }

    private static String read(Path f, String what) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("the " + what + " " + f + " does not exist");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the " + what + " " + f + ": " + e.getMessage());
        }
    }

    /** One line for a call that never got an HTTP answer: unreachable, refused, wrong CA, timed out. */
    static String connectionProblem(IOException e, Target target) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof SSLException) {
                String why = firstLine(t);
                return "the TLS handshake with " + target.endpoint + " failed: " + (why.contains("PKIX") || why.contains("certification path")
                        ? "its certificate is not signed by the CA in " + target.caFile + " (another instance's CA bundle?)"
                        : why + " (is it a kmsgw admin endpoint, and " + target.caFile + " its CA bundle?)");
            }
            if (t instanceof ConnectException) {
                return "cannot connect to " + target.endpoint + " (" + (t.getMessage() == null ? "connection refused" : firstLine(t))
                        + "): is the gateway running, and is the endpoint its admin port?";
            }
            if (t instanceof HttpTimeoutException) {
                return target.endpoint + " did not answer in time (" + firstLine(t) + ")";
            }
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "cannot resolve the host of " + target.endpoint;
            }
            t = t.getCause();
        }
        return "the call to " + target.endpoint + " failed: " + firstLine(e);
    }

    /** A cause's message for one line: its first line, without the class names the JDK prefixes. */
    private static String firstLine(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.split("\n")[0].replaceAll("([a-z0-9]+\\.)+[A-Za-z0-9]*Exception: ", "");
    }

    /** {@code kmsgw admin --help}: the options, then every action with one line. */
    static String usage() {
        StringBuilder b = new StringBuilder();
        b.append("Usage: kmsgw admin [--endpoint HOST:PORT --ca-file FILE --token-file FILE | --data-dir DIR] <action> [--param value …]\n");
        b.append("       kmsgw admin <action> --help    the action's parameters\n\n");
        b.append("Where to call (first found): the flags; KMSGW_ADMIN_ENDPOINT, KMSGW_ADMIN_CA_FILE, KMSGW_ADMIN_TOKEN_FILE; the\n");
        b.append("instance.json in --data-dir (default ./data).\n\n");
        b.append("Options:\n");
        option(b, "--endpoint HOST:PORT", "the admin endpoint (env KMSGW_ADMIN_ENDPOINT)");
        option(b, "--ca-file FILE", "the instance CA bundle, PrivateKmsCA_<id>.pem (env KMSGW_ADMIN_CA_FILE)");
        option(b, "--token-file FILE", "a file holding an admin token (env KMSGW_ADMIN_TOKEN_FILE)");
        option(b, "--data-dir DIR", "a gateway's data dir, for its instance.json (default ./data)");
        option(b, "--out PATH", "a new client key's files (a directory), or a new admin token or AccessKey (a file), mode 0600; "
                + "import parameters (a directory: the wrapping key's PEM and the token)");
        option(b, "-h, --help", "this list; after an action, its parameters");
        b.append("\nActions:\n");
        int width = AdminCatalog.actions().stream().mapToInt(a -> kebab(a.name()).length()).max().orElse(0);
        for (AdminCatalog.Action a : AdminCatalog.actions()) {
            b.append("  ").append(pad(kebab(a.name()), width)).append("  ").append(a.summary()).append('\n');
        }
        b.append("\nAliases: audit = query-audit-log, quick-create = quick-create-application-access-point.\n");
        return b.toString();
    }

    /** {@code kmsgw admin <action> --help}: its parameters with types and defaults, and the roles that may call it. */
    static String actionUsage(AdminCatalog.Action a) {
        StringBuilder b = new StringBuilder();
        b.append("Usage: kmsgw admin ").append(kebab(a.name()));
        for (AdminCatalog.Param p : a.params()) {
            String flag = flag(a, p) + " <" + p.type() + ">";
            b.append(' ').append(p.required() ? flag : "[" + flag + "]");
        }
        b.append("\n\n").append(a.summary()).append(".\n");
        b.append("Calls POST /admin/v1/").append(a.name()).append("; roles that may: ")
                .append(AdminRole.allowing(a.name()).stream().map(AdminRole::wireName).collect(Collectors.joining(", "))).append(".\n");
        if (!a.params().isEmpty()) {
            b.append("\nParameters:\n");
            int width = a.params().stream().mapToInt(p -> flag(a, p).length() + p.type().length() + 3).max().orElse(0);
            for (AdminCatalog.Param p : a.params()) {
                String dflt = p.required() ? "required" : p.dflt().equals("-") ? "optional" : "default " + p.dflt();
                b.append("  ").append(pad(flag(a, p) + " <" + p.type() + ">", width)).append("  ").append(dflt).append(": ")
                        .append(p.description()).append('\n');
            }
        }
        return b.toString();
    }

    /** The flag that sets {@code p} on the command line (a file for the password, the material and the import token). */
    static String flag(AdminCatalog.Param p) {
        return flag(null, p);
    }

    private static String flag(AdminCatalog.Action a, AdminCatalog.Param p) {
        if (p.name().equals("Password")) {
            return "--password-file";
        }
        if (p.name().equals("EncryptedKeyMaterial")) {
            return "--material-file";
        }
        if (p.name().equals("ImportToken")) {
            return "--import-token-file";
        }
        return "--" + kebab(p.name());
    }

    private static void option(StringBuilder b, String name, String what) {
        b.append("  ").append(pad(name, 22)).append("  ").append(what).append('\n');
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** Writes the two files the SDKs read, replaces the private key in the printed result, and says what to do next. */
    private void writeClientKeyFiles(ObjectNode result, String password, Target target) throws IOException {
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
        stderr.println("Wrote " + json.toAbsolutePath() + (password != null ? " and " + pw.toAbsolutePath() : "") + " (mode 0600).");
        stderr.println("Next: configure the SDK with clientKeyFile=" + json.toAbsolutePath() + ", the password from "
                + (password != null ? pw.toAbsolutePath() : "your password file")
                + (target.instanceEndpoint() != null ? ", endpoint=" + target.instanceEndpoint() : ", the instance's endpoint")
                + " and caFilePath=" + target.caFile().toAbsolutePath() + ".");
    }

    /**
     * The EncryptedKeyMaterial in a file, as Base64: the file holds the encrypted bytes as {@code openssl pkeyutl -out} writes
     * them, or their Base64 text.
     */
    private static String materialFile(Path f) {
        byte[] b;
        try {
            b = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the material file " + f + " (" + e.getClass().getSimpleName() + ")");
        }
        if (b.length == 0) {
            throw new IllegalStateException("the material file " + f + " is empty");
        }
        String text = new String(b, StandardCharsets.US_ASCII).strip();
        if (!text.isEmpty() && text.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '/' || c == '=' || c == '\n'
                || c == '\r')) {
            try {
                java.util.Base64.getMimeDecoder().decode(text);
                return text.replaceAll("\\s", "");
            } catch (IllegalArgumentException notBase64) {
                // binary after all
            }
        }
        return java.util.Base64.getEncoder().encodeToString(b);
    }

    /**
     * Writes GetParametersForImport's answer for the openssl recipe: {@code wrappingKey_<KeyId>.pem} (the public key, PEM) and
     * {@code importToken_<KeyId>.txt}, in the {@code --out} directory.
     */
    private void writeImportParameters(JsonNode result) throws IOException {
        String id = result.path("KeyId").asText();
        Files.createDirectories(out);
        Path pem = out.resolve("wrappingKey_" + id + ".pem");
        Path token = out.resolve("importToken_" + id + ".txt");
        String b64 = result.path("PublicKey").asText();
        StringBuilder text = new StringBuilder("-----BEGIN PUBLIC KEY-----\n");
        for (int i = 0; i < b64.length(); i += 64) {
            text.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        Files.writeString(pem, text.append("-----END PUBLIC KEY-----\n"));
        Pem.write(token, result.path("ImportToken").asText() + "\n", true);
        stderr.println("Wrote " + pem.toAbsolutePath() + " and " + token.toAbsolutePath() + " (valid until "
                + result.path("TokenExpireTime").asText() + "); encrypt the material under the first, then import-key-material "
                + "--key-id " + id + " --material-file FILE --import-token-file " + token.toAbsolutePath() + ".");
    }

    /** Writes a new admin token to {@code --out} (0600) instead of printing it. */
    private void writeToken(ObjectNode result) throws IOException {
        Path f = Files.isDirectory(out) ? out.resolve("adminToken_" + result.path("TokenId").asText() + ".txt") : out;
        Pem.write(f, result.get("Token").asText(), true);
        result.put("Token", "(written to " + f.toAbsolutePath() + ")");
        stderr.println("Wrote " + f.toAbsolutePath() + " (mode 0600); use it with --token-file or KMSGW_ADMIN_TOKEN_FILE.");
    }

    /**
     * Writes a new AccessKey to {@code --out} (mode 0600) as the Alibaba Cloud CLI and SDKs' credential environment reads it,
     * {@code ALIBABA_CLOUD_ACCESS_KEY_ID=…} and {@code ALIBABA_CLOUD_ACCESS_KEY_SECRET=…} lines, instead of printing the secret.
     */
    private void writeAccessKey(ObjectNode result) throws IOException {
        String id = result.path("AccessKeyId").asText();
        Path f = Files.isDirectory(out) ? out.resolve("accessKey_" + id + ".env") : out;
        Pem.write(f, "ALIBABA_CLOUD_ACCESS_KEY_ID=" + id + "\nALIBABA_CLOUD_ACCESS_KEY_SECRET=" + result.get("AccessKeySecret").asText()
                + "\n", true);
        result.put("AccessKeySecret", "(written to " + f.toAbsolutePath() + ")");
        stderr.println("Wrote " + f.toAbsolutePath() + " (mode 0600): the AccessKey for the KMS OpenAPI; its secret is shown nowhere else.");
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

    /** {@code CreateClientKey} → {@code create-client-key}. */
    public static String kebab(String pascal) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pascal.length(); i++) {
            char c = pascal.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                sb.append('-');
            }
            sb.append(Character.toLowerCase(c));
        }
        return sb.toString();
    }

    /** An SSL context that trusts the instance CA bundle (root and intermediate). */
    public static SSLContext trusting(Path caFile) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (X509Certificate c : Pem.certificates(Files.readString(caFile, StandardCharsets.US_ASCII))) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException("the CA file " + caFile + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLSv1.2");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (java.security.GeneralSecurityException | RuntimeException e) {
            throw new IOException("the CA file " + caFile + " cannot be used: " + firstLine(e), e);
        }
    }
}
