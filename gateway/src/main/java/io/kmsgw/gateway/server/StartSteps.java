package io.kmsgw.gateway.server;

import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.backend.Sealer;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** The steps of a start that open things: the store, the HSM (on a thread of its own), the instance identity. */
final class StartSteps {
    private StartSteps() {
    }

    /** The instance's identity: id, admin token and TLS material. */
    record Identity(String instanceId, String adminToken, InstancePki.Material pki) {
    }

    static Store openStore(Settings s, Path dir) throws IOException {
        if (!s.sharedStore()) {
            return new SqliteStore(dir.resolve("kmsgw.db"));
        }
        String password = s.storePasswordFile() == null ? null : Files.readString(s.storePasswordFile(), StandardCharsets.UTF_8).trim();
        return new PostgresStore(s.storeUrl(), s.storeUser(), password, s.storePoolSize());
    }

    /**
     * Opens (and logs in to) the configured HSM backend on a thread of its own: the PIN's PBKDF2 is the longest
     * step of a start. The secrets are cleared once it is open (or has failed).
     */
    static CompletableFuture<HsmBackend> openHsm(Settings s, Path dir, SharedBlobs blobs, int sessions) throws IOException {
        char[] secret = Bootstrap.hsmSecret(s.effectiveHsmSecretFile(), Files.exists(dir.resolve("hsm/slot-0/token.bin")));
        char[] unseal;
        try {
            unseal = blobs == null ? null : Bootstrap.unsealSecret(s.unsealSecretFile());
        } catch (IOException e) {
            Arrays.fill(secret, '\0');
            throw e;
        }
        HsmBackends.Config config = new HsmBackends.Config(s.hsm(), dir.resolve("hsm"), secret, s.hsmPbkdf2Iterations(), sessions, unseal,
                blobs == null ? null : blobs.masterKeyVault());
        return onOwnThread("kmsgw-hsm-open", () -> HsmBackends.open(config));
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
                String id = Bootstrap.instanceId(meta);
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

    private static Sealer sealer(HsmBackend backend) {
        return backend.sealer().orElseThrow(() -> new IllegalStateException("a shared store needs a backend that seals (" + backend.name()
                + " does not)"));
    }
}
