package io.kmsgw.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads settings once: every setting has a YAML path, an environment variable and a flag. Values
 * are validated with messages that name the setting and its source; unknown YAML keys are refused so
 * a typo never silently falls back to a default.
 */
public final class SettingsLoader {

    /** One setting: where it can come from and its default. */
    private record Def(String path, String env, String flag, String dflt) {
    }

    private static final List<Def> DEFS = List.of(
            new Def("server.dataDir", "KMSGW_DATA_DIR", "data-dir", "./data"),
            new Def("server.bind", "KMSGW_BIND", "bind", "127.0.0.1"),
            new Def("server.port", "KMSGW_PORT", "port", "8443"),
            new Def("server.adminPort", "KMSGW_ADMIN_PORT", "admin-port", "8444"),
            new Def("server.endpointNames", "KMSGW_ENDPOINT_NAMES", "endpoint-names", ""),
            new Def("server.ioThreads", "KMSGW_IO_THREADS", "io-threads", "0"),
            new Def("server.warmupSeconds", "KMSGW_WARMUP_SECONDS", "warmup-seconds", "30"),
            new Def("server.trustedProxies", "KMSGW_TRUSTED_PROXIES", "trusted-proxies", ""),
            new Def("server.maxConnections", "KMSGW_MAX_CONNECTIONS", "max-connections", "10000"),
            new Def("server.maxConnectionsPerIp", "KMSGW_MAX_CONNECTIONS_PER_IP", "max-connections-per-ip", "1000"),
            new Def("protocol.requestDeadlineSeconds", "KMSGW_REQUEST_DEADLINE_SECONDS", "request-deadline-seconds", "10"),
            new Def("protocol.handshakeTimeoutSeconds", "KMSGW_HANDSHAKE_TIMEOUT_SECONDS", "handshake-timeout-seconds", "10"),
            new Def("limits.instanceQps", "KMSGW_INSTANCE_QPS", "instance-qps", "0"),
            new Def("limits.aapQps", "KMSGW_AAP_QPS", "aap-qps", "0"),
            new Def("limits.openApiMaxNonces", "KMSGW_OPENAPI_MAX_NONCES", "openapi-max-nonces", "4000000"),
            new Def("tls.engine", "KMSGW_TLS_ENGINE", "tls-engine", "openssl"),
            new Def("protocol.maxBodyBytes", "KMSGW_MAX_BODY_BYTES", "max-body-bytes", "3145728"),
            new Def("protocol.maxClockSkewSeconds", "KMSGW_MAX_CLOCK_SKEW_SECONDS", "max-clock-skew-seconds", "900"),
            new Def("protocol.idleTimeoutSeconds", "KMSGW_IDLE_TIMEOUT_SECONDS", "idle-timeout-seconds", "120"),
            new Def("protocol.conscrypt", "KMSGW_CONSCRYPT", "conscrypt", "true"),
            new Def("engine.workers", "KMSGW_ENGINE_WORKERS", "engine-workers", "0"),
            new Def("engine.queueCapacity", "KMSGW_ENGINE_QUEUE_CAPACITY", "engine-queue-capacity", "4096"),
            new Def("hsm.backend", "KMSGW_HSM", "hsm", "hsm-sim"),
            new Def("hsm.secretFile", "KMSGW_HSM_SECRET_FILE", "hsm-secret-file", ""),
            new Def("hsm.pbkdf2Iterations", "KMSGW_HSM_PBKDF2_ITERATIONS", "hsm-pbkdf2-iterations", "100000"),
            new Def("hsm.pkcs11.library", "KMSGW_PKCS11_LIBRARY", "pkcs11-library", ""),
            new Def("hsm.pkcs11.tokenLabel", "KMSGW_PKCS11_TOKEN_LABEL", "pkcs11-token-label", ""),
            new Def("hsm.pkcs11.slot", "KMSGW_PKCS11_SLOT", "pkcs11-slot", ""),
            new Def("hsm.pkcs11.pinFile", "KMSGW_PKCS11_PIN_FILE", "pkcs11-pin-file", ""),
            new Def("store.url", "KMSGW_STORE_URL", "store-url", ""),
            new Def("store.user", "KMSGW_STORE_USER", "store-user", ""),
            new Def("store.passwordFile", "KMSGW_STORE_PASSWORD_FILE", "store-password-file", ""),
            new Def("store.poolSize", "KMSGW_STORE_POOL_SIZE", "store-pool-size", "8"),
            new Def("store.resyncSeconds", "KMSGW_STORE_RESYNC_SECONDS", "store-resync-seconds", "30"),
            new Def("unseal.secretFile", "KMSGW_UNSEAL_SECRET_FILE", "unseal-secret-file", ""),
            new Def("audit.maxBytes", "KMSGW_AUDIT_MAX_BYTES", "audit-max-bytes", "256MB"),
            new Def("audit.retentionDays", "KMSGW_AUDIT_RETENTION_DAYS", "audit-retention-days", "90"),
            new Def("audit.sinks", "KMSGW_AUDIT_SINKS", "audit-sinks", "file"),
            new Def("audit.syslog.address", "KMSGW_AUDIT_SYSLOG_ADDRESS", "audit-syslog-address", ""),
            new Def("admin.maxConnections", "KMSGW_ADMIN_MAX_CONNECTIONS", "admin-max-connections", "256"),
            new Def("admin.maxConnectionsPerIp", "KMSGW_ADMIN_MAX_CONNECTIONS_PER_IP", "admin-max-connections-per-ip", "32"),
            new Def("admin.handshakeTimeoutSeconds", "KMSGW_ADMIN_HANDSHAKE_TIMEOUT_SECONDS", "admin-handshake-timeout-seconds", "10"),
            new Def("admin.requestDeadlineSeconds", "KMSGW_ADMIN_REQUEST_DEADLINE_SECONDS", "admin-request-deadline-seconds", "10"),
            new Def("admin.idleTimeoutSeconds", "KMSGW_ADMIN_IDLE_TIMEOUT_SECONDS", "admin-idle-timeout-seconds", "60"),
            new Def("admin.maxBodyBytes", "KMSGW_ADMIN_MAX_BODY_BYTES", "admin-max-body-bytes", "1048576"));

    private SettingsLoader() {
    }

    /**
     * Settings as the commands read them: {@code configFile}, or {@code config/gateway.yaml} when present, then the process
     * environment and {@code flags}. IllegalArgumentException (one line naming the setting) for a bad value.
     */
    public static Settings forCommand(Path configFile, Map<String, String> flags) {
        Path cfg = configFile;
        if (cfg == null && Files.exists(Path.of("config", "gateway.yaml"))) {
            cfg = Path.of("config", "gateway.yaml");
        }
        return load(cfg, System.getenv(), flags);
    }

    /** The flag names the loader understands (without the leading dashes). */
    public static List<String> flagNames() {
        return DEFS.stream().map(Def::flag).toList();
    }

    /**
     * @param configFile the YAML file, or null for none
     * @param env        environment variables
     * @param flags      flag name (no dashes) to value
     */
    public static Settings load(Path configFile, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> file = configFile == null ? Map.of() : readYaml(configFile);
        Map<String, String> v = new LinkedHashMap<>();
        Map<String, String> source = new LinkedHashMap<>();
        for (Def d : DEFS) {
            if (flags.containsKey(d.flag())) {
                v.put(d.path(), flags.get(d.flag()));
                source.put(d.path(), "flag --" + d.flag());
            } else if (env.containsKey(d.env())) {
                v.put(d.path(), env.get(d.env()));
                source.put(d.path(), "environment variable " + d.env());
            } else if (file.containsKey(d.path())) {
                v.put(d.path(), file.get(d.path()));
                source.put(d.path(), configFile + " key " + d.path());
            } else {
                v.put(d.path(), d.dflt());
                source.put(d.path(), "default");
            }
        }
        Parser p = new Parser(v, source);
        String engine = p.oneOf("tls.engine", "openssl", "jdk", "bcjsse");
        String secret = v.get("hsm.secretFile");
        String storeUrl = v.get("store.url").trim();
        if (!storeUrl.isEmpty() && !storeUrl.startsWith("jdbc:postgresql://")) {
            throw p.bad("store.url", "must be empty (the embedded store) or a jdbc:postgresql://HOST:PORT/DATABASE URL");
        }
        if (!storeUrl.isEmpty() && v.get("unseal.secretFile").isBlank()) {
            throw p.bad("store.url", "a shared store needs the instance's unseal secret: set unseal.secretFile "
                    + "(KMSGW_UNSEAL_SECRET_FILE, --unseal-secret-file) to the same file on every gateway");
        }
        List<String> sinks = p.list("audit.sinks");
        for (String sink : sinks) {
            if (!List.of("file", "stdout", "syslog").contains(sink)) {
                throw p.bad("audit.sinks", "\"" + shown(sink) + "\" is not a sink; use file, stdout and/or syslog, comma-separated");
            }
        }
        String syslog = v.get("audit.syslog.address").trim();
        if (sinks.contains("syslog") != !syslog.isEmpty()) {
            throw p.bad(sinks.contains("syslog") ? "audit.sinks" : "audit.syslog.address",
                    "the syslog sink and audit.syslog.address (udp://HOST:PORT or tcp://HOST:PORT) go together");
        }
        if (!syslog.isEmpty() && !syslog.matches("(udp|tcp)://[^/:\\s]+:\\d{1,5}")) {
            throw p.bad("audit.syslog.address", "must be udp://HOST:PORT or tcp://HOST:PORT, got \"" + shown(syslog) + "\"");
        }
        String hsm = p.oneOf("hsm.backend", "hsm-sim", "pkcs11");
        Settings.Pkcs11 pkcs11 = hsm.equals("pkcs11") ? pkcs11(p, v) : null;
        Settings.Audit audit = new Settings.Audit(p.bytes("audit.maxBytes"), p.integer("audit.retentionDays", 0, 100_000), sinks,
                syslog.isEmpty() ? null : syslog);
        return new Settings(
                p.path("server.dataDir"),
                p.nonEmpty("server.bind"),
                p.integer("server.port", 0, 65535),
                p.integer("server.adminPort", 0, 65535),
                p.list("server.endpointNames"),
                engine,
                p.integer("server.ioThreads", 0, 256),
                Duration.ofSeconds(p.integer("server.warmupSeconds", 0, 600)),
                p.integer("protocol.maxBodyBytes", 1024, 64 * 1024 * 1024),
                Duration.ofSeconds(p.integer("protocol.maxClockSkewSeconds", 1, 86400)),
                Duration.ofSeconds(p.integer("protocol.idleTimeoutSeconds", 1, 86400)),
                p.integer("engine.workers", 0, 256),
                p.integer("engine.queueCapacity", 2, 1 << 20),
                hsm,
                secret == null || secret.isBlank() ? null : p.path("hsm.secretFile"),
                p.integer("hsm.pbkdf2Iterations", 1000, 10_000_000),
                p.bool("protocol.conscrypt"),
                p.cidrs("server.trustedProxies"),
                p.integer("server.maxConnections", 1, 1_000_000),
                p.integer("server.maxConnectionsPerIp", 1, 1_000_000),
                Duration.ofSeconds(p.integer("protocol.requestDeadlineSeconds", 1, 3600)),
                Duration.ofSeconds(p.integer("protocol.handshakeTimeoutSeconds", 1, 600)),
                p.integer("limits.instanceQps", 0, 10_000_000),
                p.integer("limits.aapQps", 0, 10_000_000),
                p.integer("limits.openApiMaxNonces", 1000, 1_000_000_000),
                storeUrl.isEmpty() ? null : storeUrl,
                v.get("store.user").isBlank() ? null : v.get("store.user").trim(),
                v.get("store.passwordFile").isBlank() ? null : p.path("store.passwordFile"),
                p.integer("store.poolSize", 2, 256),
                Duration.ofSeconds(p.integer("store.resyncSeconds", 1, 86400)),
                v.get("unseal.secretFile").isBlank() ? null : p.path("unseal.secretFile"),
                audit,
                new Settings.AdminPlane(
                        p.integer("admin.maxConnections", 1, 1_000_000),
                        p.integer("admin.maxConnectionsPerIp", 1, 1_000_000),
                        Duration.ofSeconds(p.integer("admin.handshakeTimeoutSeconds", 1, 600)),
                        Duration.ofSeconds(p.integer("admin.requestDeadlineSeconds", 1, 3600)),
                        Duration.ofSeconds(p.integer("admin.idleTimeoutSeconds", 1, 86400)),
                        p.integer("admin.maxBodyBytes", 1024, 64 * 1024 * 1024)),
                pkcs11);
    }

    /** The pkcs11 backend's settings, each checked here so a start stops with one line naming the one that is wrong. */
    private static Settings.Pkcs11 pkcs11(Parser p, Map<String, String> v) {
        if (v.get("hsm.pkcs11.library").isBlank()) {
            throw p.bad("hsm.pkcs11.library", "the pkcs11 backend needs the module's shared library, e.g. /usr/lib/softhsm/libsofthsm2.so");
        }
        Path library = p.path("hsm.pkcs11.library");
        if (!Files.isRegularFile(library)) {
            throw p.bad("hsm.pkcs11.library", "no such file " + library);
        }
        String label = v.get("hsm.pkcs11.tokenLabel").strip();
        String slotText = v.get("hsm.pkcs11.slot").strip();
        if (label.isEmpty() == slotText.isEmpty()) {
            throw p.bad(label.isEmpty() ? "hsm.pkcs11.tokenLabel" : "hsm.pkcs11.slot",
                    "name the token by hsm.pkcs11.tokenLabel or by hsm.pkcs11.slot, one of the two");
        }
        Long slot = null;
        if (!slotText.isEmpty()) {
            try {
                slot = Long.parseLong(slotText);
            } catch (NumberFormatException e) {
                throw p.bad("hsm.pkcs11.slot", "must be a slot number, got \"" + shown(slotText) + "\"");
            }
        }
        if (v.get("hsm.pkcs11.pinFile").isBlank()) {
            throw p.bad("hsm.pkcs11.pinFile", "the pkcs11 backend needs a file holding the token's user PIN");
        }
        Path pin = p.path("hsm.pkcs11.pinFile");
        if (!Files.isReadable(pin)) {
            throw p.bad("hsm.pkcs11.pinFile", "cannot read " + pin);
        }
        return new Settings.Pkcs11(library, label.isEmpty() ? null : label, slot, pin);
    }

    private static Map<String, String> readYaml(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
            throw new IllegalArgumentException("cannot read config " + file + ": " + shown(why));
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return out;
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("config " + file + " must be a YAML mapping");
        }
        flatten("", root, out);
        List<String> known = DEFS.stream().map(Def::path).toList();
        for (String k : out.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("config " + file + ": unknown setting " + shown(k) + " (known: " + String.join(", ", known) + ")");
            }
        }
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(n -> items.add(n.asText()));
            out.put(prefix, String.join(",", items));
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }

    /** A value as error messages show it: one line, printable, at most 64 characters. */
    static String shown(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64) + 8);
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 64 ? b.append('…').toString() : b.toString();
    }

    /** Parses values with messages that say which setting, from where, and what is allowed. */
    private record Parser(Map<String, String> values, Map<String, String> source) {
        private IllegalArgumentException bad(String key, String why) {
            return new IllegalArgumentException("invalid setting " + key + " (from " + source.get(key) + "): " + why);
        }

        String nonEmpty(String key) {
            String s = values.get(key);
            if (s == null || s.isBlank()) {
                throw bad(key, "must not be empty");
            }
            return s.trim();
        }

        Path path(String key) {
            String s = nonEmpty(key);
            try {
                return Path.of(s);
            } catch (java.nio.file.InvalidPathException e) {
                throw bad(key, "\"" + shown(s) + "\" is not a valid path");
            }
        }

        int integer(String key, int min, int max) {
            String s = nonEmpty(key);
            try {
                int n = Integer.parseInt(s);
                if (n < min || n > max) {
                    throw bad(key, "must be between " + min + " and " + max + ", got " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw bad(key, "must be a whole number, got \"" + shown(s) + "\"");
            }
        }

        /** A size: bytes, or a number with KB, MB, GB or TB (powers of 1024; KiB, MiB, GiB, TiB too); 0 = unbounded. */
        long bytes(String key) {
            String s = nonEmpty(key).replace(" ", "");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)(\\d{1,15})(|B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)").matcher(s);
            if (!m.matches()) {
                throw bad(key, "must be a size such as 20MB or 5GB (or 0 for unbounded), got \"" + shown(s) + "\"");
            }
            String unit = m.group(2).toUpperCase(java.util.Locale.ROOT);
            int shift = unit.startsWith("K") ? 10 : unit.startsWith("M") ? 20 : unit.startsWith("G") ? 30 : unit.startsWith("T") ? 40 : 0;
            long n = Long.parseLong(m.group(1));
            if (n > (Long.MAX_VALUE >> shift)) {
                throw bad(key, "is too large");
            }
            long bytes = n << shift;
            if (bytes != 0 && bytes < (4L << 20)) {
                throw bad(key, "must be 0 (unbounded) or at least 4MB, got \"" + shown(s) + "\"");
            }
            return bytes;
        }

        boolean bool(String key) {
            String s = nonEmpty(key).toLowerCase(java.util.Locale.ROOT);
            if (!s.equals("true") && !s.equals("false")) {
                throw bad(key, "must be true or false, got \"" + shown(s) + "\"");
            }
            return s.equals("true");
        }

        String oneOf(String key, String... allowed) {
            String s = nonEmpty(key);
            if (!Arrays.asList(allowed).contains(s)) {
                throw bad(key, "must be one of " + String.join(", ", allowed) + ", got \"" + shown(s) + "\"");
            }
            return s;
        }

        List<String> cidrs(String key) {
            List<String> l = list(key);
            for (String c : l) {
                try {
                    io.kmsgw.gateway.net.IpBlock.parse(c);
                } catch (IllegalArgumentException e) {
                    throw bad(key, "\"" + shown(c) + "\" is not an IP address or CIDR block");
                }
            }
            return l;
        }

        List<String> list(String key) {
            String s = values.get(key);
            if (s == null || s.isBlank()) {
                return List.of();
            }
            return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        }
    }
}
