package io.kmsgw.gateway.server;

import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.backend.SharedMaster;
import io.kmsgw.crypto.backend.Sealer;
import io.kmsgw.crypto.store.MasterKeyRecord;
import io.kmsgw.crypto.store.PostgresStore;
import io.kmsgw.crypto.store.SharedBlobs;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.bootstrap.Bootstrap;
import io.kmsgw.gateway.bootstrap.InstanceMeta;
import io.kmsgw.gateway.bootstrap.SharedFiles;
import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.tls.InstancePki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** The steps of a start that open things: the store, the HSM (on a thread of its own), the instance identity. */
final class StartSteps {
    private StartSteps() {
    }

    /** The instance's identity: id, admin token and TLS material. */
    record Identity(String instanceId, String adminToken, InstancePki.Material pki) {
    }

    /**
     * Opens the store and proves it usable before anything else starts: an embedded store must exist whenever the data
     * dir already holds an instance (a missing one is never silently replaced by a new instance), must pass SQLite's
     * {@code quick_check}, and must take a write.
     */
    static Store openStore(Settings s, Path dir) throws IOException {
        Store st;
        if (!s.sharedStore()) {
            Path db = dir.resolve("kmsgw.db");
            if (!Files.exists(db)) {
                List<String> found = Stream.of("hsm/slot-0/token.bin", "instance.json", "admin.token", "tls/intermediate-key.pem")
                        .filter(f -> Files.exists(dir.resolve(f))).toList();
                if (!found.isEmpty()) {
                    throw new IllegalStateException("the data dir " + dir + " holds an instance (" + String.join(", ", found)
                            + ") but not its store " + db + ": restore kmsgw.db from the backup, or start a new instance in an empty "
                            + "data dir");
                }
            }
            st = new SqliteStore(db);
            try {
                String check = quickCheck(st);
                if (!"ok".equals(check)) {
                    throw new IllegalStateException("the store " + db + " is damaged (quick_check: " + oneLine(check)
                            + "): restore it from a backup");
                }
            } catch (RuntimeException e) {
                st.close();
                throw e instanceof IllegalStateException ? e : new IllegalStateException("the store " + db + " cannot be read ("
                        + oneLine(e.getMessage()) + "): restore it from a backup");
            }
        } else {
            st = openSharedStore(s);
        }
        if (!s.sharedStore()) {
            // An embedded store that takes no write (opened read-only) is not ready. Only the embedded one: replicas of a shared
            // store starting together would race on the row, and PostgreSQL's own errors surface on the first write anyway.
            try {
                new InstanceMeta(st).put("last_start", java.time.Instant.now().toString());
            } catch (RuntimeException e) {
                st.close();
                throw new IllegalStateException("the store " + dir.resolve("kmsgw.db") + " does not take a write (" + oneLine(e.getMessage())
                        + "): check the disk, its free space and the file's permissions, or restore it from a backup");
            }
        }
        return st;
    }

    /** The configured shared PostgreSQL store. */
    static Store openSharedStore(Settings s) throws IOException {
        String password = s.storePasswordFile() == null ? null : Files.readString(s.storePasswordFile(), StandardCharsets.UTF_8).trim();
        return new PostgresStore(s.storeUrl(), s.storeUser(), password, s.storePoolSize());
    }

    /** SQLite's {@code PRAGMA quick_check} on an embedded store: "ok", or what it found. */
    static String quickCheck(Store st) {
        return st.read(c -> {
            try (java.sql.Statement q = c.createStatement(); java.sql.ResultSet rs = q.executeQuery("PRAGMA quick_check")) {
                return rs.next() ? rs.getString(1) : "no answer";
            }
        });
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }

    /**
     * Opens (and logs in to) the configured HSM backend on a thread of its own: the PIN's PBKDF2 is the longest
     * step of a start. The secrets are cleared once it is open (or has failed).
     */
    static CompletableFuture<HsmBackend> openHsm(Settings s, Path dir, Store st, SharedBlobs blobs, int sessions) throws IOException {
        // a store holding material wrapped under a master key never lets the token make a new one
        boolean newInstance = !new MasterKeyRecord(st).holdsWrappedMaterial();
        HsmBackends.Config config = hsmConfig(s, dir, sessions, blobs == null ? null : blobs.masterKeyVault(), newInstance);
        return onOwnThread("kmsgw-hsm-open", () -> HsmBackends.open(config));
    }

    /**
     * How to open the configured backend: the simulator's token in {@code DIR/hsm} with the HSM secret, or a PKCS#11 module's
     * token with the PIN from {@code hsm.pkcs11.pinFile}; with the unseal secret when {@code vault} (a shared store) is given.
     * The secrets read here are cleared by {@link HsmBackends#open} (or here, when a later one cannot be read).
     */
    static HsmBackends.Config hsmConfig(Settings s, Path dir, int sessions, SharedMaster.Vault vault, boolean mayCreateMasterKey)
            throws IOException {
        Settings.Pkcs11 p = s.pkcs11();
        char[] secret = p != null ? new char[0]
                : Bootstrap.hsmSecret(s.effectiveHsmSecretFile(), Files.exists(dir.resolve("hsm/slot-0/token.bin")));
        char[] pin = null;
        char[] unseal = null;
        try {
            pin = p == null ? null : Bootstrap.pin(p.pinFile());
            unseal = vault == null ? null : Bootstrap.unsealSecret(s.unsealSecretFile());
        } catch (IOException e) {
            Arrays.fill(secret, '\0');
            if (pin != null) {
                Arrays.fill(pin, '\0');
            }
            throw e;
        }
        return new HsmBackends.Config(s.hsm(), dir.resolve("hsm"), secret, s.hsmPbkdf2Iterations(), sessions, unseal, vault,
                mayCreateMasterKey, p == null ? null : new HsmBackends.Pkcs11(p.library().toString(), p.tokenLabel(),
                        p.slot() == null ? -1 : p.slot(), pin));
    }

    /**
     * Fails at once when a fixed port of {@code bind} is taken, so that a start with a warm-up does not find out only after
     * it (the real bind follows later; between the two, another process can still take the port, and that bind then fails).
     */
    static void ensureCanListen(String bind, int... ports) {
        for (int port : ports) {
            if (port == 0) {
                continue;
            }
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true); // as the listeners bind: a port left in TIME_WAIT is free
                probe.bind(new java.net.InetSocketAddress(bind, port));
            } catch (IOException e) {
                throw new IllegalStateException("cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
            }
        }
    }

    /** Runs {@code step} on a daemon thread named {@code name}. */
    static <T> CompletableFuture<T> onOwnThread(String name, Supplier<T> step) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(step.get());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** Waits for a step run on another thread, rethrowing its failure as it was thrown. */
    static <T> T await(CompletableFuture<T> step) {
        try {
            return step.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Settles the identity under the store's bootstrap lock, so gateways starting together on an empty
     * shared store agree on one instance: the first creates it, the others take its shared files
     * ({@link SharedFiles}, which needs the HSM; an embedded store does not wait for it).
     */
    static Identity identify(Store st, Path dir, Settings s, InstanceMeta meta, SharedBlobs blobs, CompletableFuture<HsmBackend> hsm) {
        return st.exclusive("bootstrap", () -> {
            try {
                boolean existing = meta.get("instance_id") != null;
                String id = Bootstrap.instanceId(meta);
                if (existing && blobs == null) {
                    requireInstanceCa(dir, id);
                }
                SharedFiles shared = blobs == null ? null : new SharedFiles(blobs, sealer(await(hsm)), dir, SharedFiles.of(id));
                if (shared != null) {
                    shared.pull();
                }
                String token = Bootstrap.adminToken(dir);
                InstancePki.Material pki = InstancePki.loadOrCreate(dir, id, s.endpointNames());
                if (shared != null) {
                    shared.push();
                }
                return new Identity(id, token, pki);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * An existing instance keeps its CA: a missing CA bundle or intermediate key is refused, never replaced by a new CA
     * (every client trusts the old one). A shared instance gets them back from the store instead.
     */
    private static void requireInstanceCa(Path dir, String id) throws IOException {
        Path ca = InstancePki.caFile(dir, id);
        Path interKey = dir.resolve("tls").resolve("intermediate-key.pem");
        for (Path p : List.of(ca, interKey)) {
            if (!Files.exists(p)) {
                String others;
                try (Stream<Path> files = Files.list(dir)) {
                    others = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("PrivateKmsCA_") && !n.equals(ca
                            .getFileName().toString())).sorted().reduce((a, b) -> a + ", " + b).orElse("");
                }
                throw new IllegalStateException("instance " + id + " has no " + dir.relativize(p) + (others.isEmpty() ? ""
                        : " (the data dir holds " + others + " of another instance)") + ": restore it from the backup; a new CA "
                        + "would break every client's trust in this endpoint");
            }
        }
    }

    private static Sealer sealer(HsmBackend backend) {
        return backend.sealer().orElseThrow(() -> new IllegalStateException("a shared store needs a backend that seals (" + backend.name()
                + " does not)"));
    }
}
