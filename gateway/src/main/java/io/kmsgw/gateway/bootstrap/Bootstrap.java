package io.kmsgw.gateway.bootstrap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.util.NetUtil;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.gateway.authz.AccessModel;
import io.kmsgw.gateway.authz.AccessRepository;
import io.kmsgw.gateway.tls.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * First-start setup, like a new instance plus quick creation. Every step checks whether it already
 * happened, so a start interrupted half-way completes the remaining steps next time and nothing is
 * ever overwritten.
 */
public final class Bootstrap {
    public static final String QUICKSTART = "quickstart";
    public static final String QUICKSTART_ALIAS = "alias/quickstart";

    /** What {@code instance.json} reports about the quick-start AAP. */
    public record QuickStart(String aapName, String clientKeyId, Path clientKeyFile, Path passwordFile, String keyId, String alias) {
    }

    private Bootstrap() {
    }

    /** The instance id {@code kst-<lowercase alnum>}, created once. */
    public static String instanceId(InstanceMeta meta) {
        String id = meta.get("instance_id");
        if (id == null) {
            SecureRandom r = new SecureRandom();
            String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            StringBuilder sb = new StringBuilder("kst-");
            for (int i = 0; i < 12; i++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            id = sb.toString();
            meta.put("instance_id", id);
        }
        return id;
    }

    /** The admin bearer token in {@code DIR/admin.token} (0600), created once. */
    public static String adminToken(Path dataDir) throws IOException {
        Path f = dataDir.resolve("admin.token");
        if (!Files.exists(f)) {
            Pem.write(f, randomToken(32), true);
        }
        return Files.readString(f, StandardCharsets.US_ASCII).trim();
    }

    /** A PKCS#11 token's user PIN from {@code file} (hsm.pkcs11.pinFile): its first line. */
    public static char[] pin(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        try {
            java.nio.CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(raw));
            int end = 0;
            while (end < chars.limit() && chars.get(end) != '\n' && chars.get(end) != '\r') {
                end++;
            }
            char[] pin = new char[end];
            chars.get(pin, 0, end);
            Arrays.fill(chars.array(), '\0');
            if (pin.length == 0) {
                throw new IOException("hsm.pkcs11.pinFile: " + file + " is empty");
            }
            return pin;
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * The HSM secret (PINs derive from it): read from {@code file}, created there (0600) on first start.
     * When a token already exists (a restored or moved data dir) a missing secret is an error, never a new secret.
     */
    public static char[] hsmSecret(Path file, boolean tokenExists) throws IOException {
        if (!Files.exists(file)) {
            if (tokenExists) {
                throw new IOException("the HSM token exists but its secret " + file + " is missing; put the secret there (or pass "
                        + "--hsm-secret-file) - a new secret would not open the token");
            }
            Pem.write(file, randomToken(32), true);
        }
        String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (s.length() < 16) {
            throw new IOException("the HSM secret in " + file + " is shorter than 16 characters");
        }
        return s.toCharArray();
    }

    /** The unseal secret of a shared instance, the same file content on every gateway (at least 16 characters). */
    public static char[] unsealSecret(Path file) throws IOException {
        if (file == null || !Files.exists(file)) {
            throw new IOException("the unseal secret file " + file + " is missing; a shared store needs the instance's unseal "
                    + "secret (the same on every gateway; e.g. head -c 32 /dev/urandom | base64 > unseal.secret)");
        }
        String s = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (s.length() < 16) {
            throw new IOException("the unseal secret in " + file + " is shorter than 16 characters");
        }
        return s.toCharArray();
    }

    private static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * The quick-start AAP (both roles on {@code key/*} and {@code secret/*}, no network rule) with one
     * client key whose files land in the data dir, and one AES-256 key aliased {@code alias/quickstart}.
     */
    public static QuickStart quickStart(Path dataDir, String instanceId, InstanceMeta meta, KmsEngine engine, AccessRepository access,
                                        ClientKeyIssuer issuer) throws IOException {
        String keyId = meta.get("quickstart.key_id");
        if (keyId == null) {
            KeyMetadata m = engine.keys().createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "kmsgw quick-start key");
            engine.aliases().createAlias(QUICKSTART_ALIAS, m.keyId());
            keyId = m.keyId();
            meta.put("quickstart.key_id", keyId);
        }
        String clientKeyId = meta.get("quickstart.client_key_id");
        if (clientKeyId == null) {
            boolean aapExists = access.aaps().stream().anyMatch(a -> a.name().equals(QUICKSTART));
            Instant now = Instant.now();
            String password = issuer.randomPassword();
            ClientKeyIssuer.Issued issued = issuer.issue(password, now.minusSeconds(60),
                    now.atZone(ZoneOffset.UTC).plusYears(5).toInstant());
            Path json = dataDir.resolve("clientKey_" + issued.clientKeyId() + ".json");
            Path pw = dataDir.resolve("clientKey_" + issued.clientKeyId() + "_Password.txt");
            Pem.write(json, issued.clientKeyJson(), true);
            Pem.writeBytes(pw, ClientKeyIssuer.passwordFileBytes(password), true);
            AccessModel.ClientKey ck = new AccessModel.ClientKey(issued.clientKeyId(), QUICKSTART, "RSA_2048", issued.certificatePem(),
                    issued.notBefore(), issued.notAfter(), now, null);
            if (aapExists) {
                access.insertAll(List.of(), List.of(), null, ck);
            } else {
                AccessModel.Policy policy = new AccessModel.Policy(QUICKSTART, instanceId,
                        List.of(AccessModel.KEY_USER, AccessModel.SECRET_USER), List.of("key/*", "secret/*"), List.of(),
                        "Quick creation: all keys and secrets of the instance", now);
                AccessModel.Aap aap = new AccessModel.Aap(QUICKSTART, "ClientKey", List.of(QUICKSTART), "Quick creation", now);
                access.insertAll(List.of(), List.of(policy), aap, ck);
            }
            clientKeyId = issued.clientKeyId();
            meta.put("quickstart.client_key_id", clientKeyId);
        }
        return new QuickStart(QUICKSTART, clientKeyId, dataDir.resolve("clientKey_" + clientKeyId + ".json").toAbsolutePath(),
                dataDir.resolve("clientKey_" + clientKeyId + "_Password.txt").toAbsolutePath(), keyId, QUICKSTART_ALIAS);
    }

    /**
     * Rewrites {@code instance.json} (every start) with the endpoints actually bound, named as clients can reach and
     * verify them; {@code bindAddress}, when it is not the endpoints' host (a wildcard bind), is its own field.
     */
    public static Path writeInstanceJson(Path dataDir, String instanceId, String endpoint, String adminEndpoint, String bindAddress,
                                         Path caFile, QuickStart qs) throws IOException {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("InstanceId", instanceId);
        root.put("Endpoint", endpoint);
        root.put("AdminEndpoint", adminEndpoint);
        if (bindAddress != null) {
            root.put("BindAddress", bindAddress);
        }
        root.put("CaFile", caFile.toAbsolutePath().toString());
        root.put("AdminTokenFile", dataDir.resolve("admin.token").toAbsolutePath().toString());
        ObjectNode q = root.putObject("QuickStart");
        q.put("AapName", qs.aapName());
        q.put("ClientKeyId", qs.clientKeyId());
        q.put("ClientKeyFile", qs.clientKeyFile().toString());
        q.put("PasswordFile", qs.passwordFile().toString());
        q.put("KeyId", qs.keyId());
        q.put("Alias", qs.alias());
        Path f = dataDir.resolve("instance.json");
        Pem.write(f, m.writeValueAsString(root) + "\n", false);
        return f;
    }

    /**
     * The host clients are told to use for a listener bound to {@code bind}: the bind address itself, or for a
     * wildcard ({@code 0.0.0.0}, {@code ::}) the loopback address of its family, which every server certificate
     * names (a wildcard is neither reachable nor in a certificate). Never resolves a name.
     */
    public static String advertisedHost(String bind) {
        if (NetUtil.isValidIpV4Address(bind) || NetUtil.isValidIpV6Address(bind)) {
            java.net.InetAddress a = NetUtil.createInetAddressFromIpAddressString(bind);
            if (a != null && a.isAnyLocalAddress()) {
                return a instanceof java.net.Inet6Address ? "::1" : "127.0.0.1";
            }
        }
        return bind;
    }

    /** {@code host:port} with IPv6 literals bracketed. */
    public static String endpoint(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
