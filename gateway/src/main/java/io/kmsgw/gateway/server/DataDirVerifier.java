package io.kmsgw.gateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.service.IntegrityCheck;
import io.kmsgw.crypto.store.SharedBlobs;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.authz.AccessModel;
import io.kmsgw.gateway.authz.AccessRepository;
import io.kmsgw.gateway.bootstrap.Bootstrap;
import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.tls.Pem;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code kmsgw verify}: walks a data dir and reports every part that does not add up, one line each. It changes no data
 * (schema migrations aside, which are no-ops on a current store), so it may run beside the gateway that owns the dir.
 */
public final class DataDirVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DataDirVerifier() {
    }

    /** The outcome: a summary line and one line per problem. */
    public record Result(String summary, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Verifies an embedded data dir with default settings (backup and restore, which know only the dir).
     *
     * @param hsmSecretFile the HSM secret, or null for {@code DIR/hsm/secret}
     * @param progress      receives progress lines on long runs
     */
    public static Result verify(Path dir, Path hsmSecretFile, Consumer<String> progress) throws IOException {
        Map<String, String> flags = new HashMap<>();
        flags.put("data-dir", dir.toString());
        if (hsmSecretFile != null) {
            flags.put("hsm-secret-file", hsmSecretFile.toString());
        }
        return verify(SettingsLoader.load(null, Map.of(), flags), progress);
    }

    /**
     * Verifies the instance {@code s} describes, as {@code serve} would open it: the embedded store in its data dir, or
     * the shared PostgreSQL store with this replica's token (opened with the shared master key, never creating one).
     */
    public static Result verify(Settings s, Consumer<String> progress) throws IOException {
        Path dir = s.dataDir().toAbsolutePath();
        List<String> problems = new ArrayList<>();
        Store opened;
        if (s.sharedStore()) {
            try {
                opened = StartSteps.openSharedStore(s);
            } catch (RuntimeException e) {
                return new Result("no store", List.of("store: " + s.storeUrl() + " cannot be opened (" + oneLine(e.getMessage()) + ")"));
            }
        } else {
            Path db = dir.resolve("kmsgw.db");
            if (!Files.exists(db)) {
                return new Result("no store", List.of("store: " + db + " not found"));
            }
            opened = new SqliteStore(db);
        }
        try (Store store = opened) {
            if (!store.shared()) {
                String check = StartSteps.quickCheck(store);
                if (!"ok".equals(check)) {
                    problems.add("store: quick_check says " + oneLine(check));
                }
            }
            String summary = "HSM not checked";
            Path secretFile = s.effectiveHsmSecretFile();
            if (s.pkcs11() == null && !Files.exists(dir.resolve("hsm/slot-0/token.bin"))) {
                problems.add("HSM token: " + dir.resolve("hsm/slot-0") + " is missing");
            } else if (s.pkcs11() == null && !Files.exists(secretFile)) {
                problems.add("HSM secret: " + secretFile + " is missing");
            } else {
                try (HsmBackend hsm = openHsm(s, dir, store)) {
                    IntegrityCheck.Report r = IntegrityCheck.run(store, hsm, progress);
                    r.problems().forEach(p -> problems.add(p.toString()));
                    summary = r.summary();
                } catch (RuntimeException | IOException e) {
                    problems.add("HSM: " + oneLine(e.getMessage()));
                }
            }
            return finish(store, dir.resolve("audit"), summary, problems);
        }
    }

    /** The configured backend over {@code dir}'s token; on a shared store with the instance's shared master key. Never creates a master key. */
    private static HsmBackend openHsm(Settings s, Path dir, Store store) throws IOException {
        return HsmBackends.open(StartSteps.hsmConfig(s, dir, 4, store.shared() ? new SharedBlobs(store).masterKeyVault() : null, false));
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    /** {@code VerifyInstance}: the same walk over a running gateway's own store, HSM and audit files. */
    public static Result verifyRunning(Store store, HsmBackend hsm, Path auditDir) throws IOException {
        List<String> problems = new ArrayList<>();
        IntegrityCheck.Report r = IntegrityCheck.run(store, hsm, line -> { });
        r.problems().forEach(p -> problems.add(p.toString()));
        return finish(store, auditDir, r.summary(), problems);
    }

    private static Result finish(Store store, Path auditDir, String summary, List<String> problems) throws IOException {
        int clientKeys = checkAccess(store, problems);
        int auditLines = checkAudit(auditDir, problems);
        return new Result(summary + "; " + clientKeys + " client keys; " + auditLines + " audit records", problems);
    }

    /** Client key certificates parse; AAPs name policies and policies name network rules that exist. Returns the client keys seen. */
    private static int checkAccess(Store store, List<String> problems) {
        AccessRepository access;
        List<AccessModel.ClientKey> keys;
        try {
            access = new AccessRepository(store);
            keys = access.clientKeys();
        } catch (RuntimeException e) {
            problems.add("store: the access rows cannot be read (" + e.getClass().getSimpleName() + ")");
            return 0;
        }
        for (AccessModel.ClientKey k : keys) {
            try {
                Pem.subjectPublicKeyInfo(k.certificatePem());
            } catch (RuntimeException e) {
                problems.add("client key " + k.clientKeyId() + ": its certificate does not parse");
            }
        }
        Set<String> policies = new HashSet<>();
        Set<String> rules = new HashSet<>();
        access.networkRules().forEach(r -> rules.add(r.name()));
        for (AccessModel.Policy p : access.policies()) {
            policies.add(p.name());
            for (String r : p.networkRules()) {
                if (!rules.contains(r)) {
                    problems.add("policy " + p.name() + ": names network rule " + r + ", which does not exist");
                }
            }
        }
        for (AccessModel.Aap a : access.aaps()) {
            for (String p : a.policies()) {
                if (!policies.contains(p)) {
                    problems.add("application access point " + a.name() + ": names policy " + p + ", which does not exist");
                }
            }
        }
        return keys.size();
    }

    /** Every line of every audit file is one JSON object. Returns the lines read. */
    private static int checkAudit(Path auditDir, List<String> problems) throws IOException {
        if (!Files.isDirectory(auditDir)) {
            return 0;
        }
        int lines = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(auditDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
        for (Path f : files) {
            try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                int n = 0;
                while ((line = in.readLine()) != null) {
                    n++;
                    lines++;
                    JsonNode record;
                    try {
                        record = JSON.readTree(line);
                    } catch (IOException e) {
                        record = null;
                    }
                    if (record == null || !record.isObject()) {
                        problems.add("audit " + f.getFileName() + " line " + n + ": not a record");
                    }
                }
            } catch (java.nio.charset.MalformedInputException e) {
                problems.add("audit " + f.getFileName() + ": not UTF-8 text");
            }
        }
        return lines;
    }
}
