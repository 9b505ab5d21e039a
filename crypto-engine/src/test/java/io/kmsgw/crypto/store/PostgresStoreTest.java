package io.kmsgw.crypto.store;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.service.Engine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.backend.SharedMaster;
import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.ops.SymmetricOps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PostgresStore} against a real PostgreSQL server on loopback ({@link PostgresServer}). */
class PostgresStoreTest {
    @TempDir
    Path dir;
    private String url;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void database() throws Exception {
        url = PostgresServer.shared().newDatabase();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private PostgresStore store() {
        PostgresStore s = new PostgresStore(url, "kmsgw", null, 4);
        open.add(s);
        return s;
    }

    @Test
    void gatewaysStartingTogetherOnAnEmptyDatabaseCreateTheSchemaOnce() throws Exception {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            PostgresStore s = store();
            starts.add(CompletableFuture.runAsync(() -> new KeyRepository(s)));
        }
        for (CompletableFuture<Void> f : starts) {
            f.get(60, TimeUnit.SECONDS); // a failed concurrent CREATE TABLE would surface here
        }
        int version = store().read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT version FROM schema_version WHERE component = 'keys'")) {
                assertTrue(rs.next());
                return rs.getInt(1);
            }
        });
        assertTrue(version >= 8, "all steps applied once, got " + version);
        assertThrows(StoreException.class, () -> store().migrate("keys", List.of("SELECT 1")), "a schema newer than this code is refused");
    }

    @Test
    void aFailedWriteLeavesNothingAndConstraintsAreReportedAsSuch() {
        PostgresStore s = store();
        s.migrate("t", List.of("CREATE TABLE t (id VARCHAR(8) PRIMARY KEY, b " + s.binaryType() + ")"));
        assertThrows(IllegalStateException.class, () -> s.write(c -> {
            insert(c, "a", new byte[] {1});
            throw new IllegalStateException("boom after the insert");
        }));
        assertNull(s.read(c -> select(c, "a")), "rolled back");
        s.write(c -> insert(c, "a", new byte[] {0, 1, 2, (byte) 0xff}));
        assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, s.read(c -> select(c, "a")));
        StoreException dup = assertThrows(StoreException.class, () -> s.write(c -> insert(c, "a", new byte[0])));
        assertTrue(dup.constraintViolation());
    }

    private static int insert(java.sql.Connection c, String id, byte[] b) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, b) VALUES (?, ?)")) {
            ps.setString(1, id);
            ps.setBytes(2, b);
            return ps.executeUpdate();
        }
    }

    private static byte[] select(java.sql.Connection c, String id) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT b FROM t WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    @Test
    void anExclusiveLockHasOneHolderAcrossStores() throws Exception {
        PostgresStore a = store();
        PostgresStore b = store();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> a.exclusive("job", () -> {
            held.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        assertTrue(held.await(30, TimeUnit.SECONDS));
        boolean[] ran = {false};
        assertFalse(b.tryExclusive("job", () -> ran[0] = true), "held by the other store");
        assertFalse(ran[0]);
        assertTrue(b.tryExclusive("other-job", () -> ran[0] = true), "another name is free");
        release.countDown();
        holder.get(30, TimeUnit.SECONDS);
        ran[0] = false;
        assertTrue(b.tryExclusive("job", () -> ran[0] = true), "free once released");
        assertTrue(ran[0]);
    }

    @Test
    void changesReachTheOtherStoresButNotTheirAuthorAndAResyncFollowsALostConnection() throws Exception {
        PostgresStore a = store();
        PostgresStore b = store();
        BlockingQueue<String> seenByA = new LinkedBlockingQueue<>();
        BlockingQueue<String> seenByB = new LinkedBlockingQueue<>();
        open.add(a.subscribe(seenByA::add));
        open.add(b.subscribe(seenByB::add));
        Thread.sleep(1000); // both LISTENing
        a.publish(Store.KEYS);
        assertEquals(Store.KEYS, seenByB.poll(5, TimeUnit.SECONDS));
        b.publish(Store.ACCESS);
        assertEquals(Store.ACCESS, seenByA.poll(5, TimeUnit.SECONDS));
        assertNull(seenByA.poll(500, TimeUnit.MILLISECONDS), "A never hears its own change");

        // cut B's LISTEN connection as a network failure would: what was sent meanwhile is lost, so B must resync
        int cut = a.read(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertEquals(2, cut);
        assertEquals(Store.RESYNC, seenByB.poll(10, TimeUnit.SECONDS));
        assertEquals(Store.RESYNC, seenByA.poll(10, TimeUnit.SECONDS));
        Thread.sleep(500);
        a.publish(Store.SECRETS);
        assertEquals(Store.SECRETS, seenByB.poll(5, TimeUnit.SECONDS), "notifications flow again after the reconnect");
    }

    @Test
    void twoEnginesOnOneStoreShareTheMasterKeyAndAWrongUnsealSecretIsRefused() throws Exception {
        PostgresStore s1 = store();
        PostgresStore s2 = store();
        KmsEngine a = engine(s1, dir.resolve("a"), "hsm-secret-of-a-0123456789", "the-unseal-secret-0123456789");
        KmsEngine b = engine(s2, dir.resolve("b"), "hsm-secret-of-b-0123456789", "the-unseal-secret-0123456789");
        KeyMetadata key = a.keys().createKey("Aliyun_AES_256", "ENCRYPT/DECRYPT", "made on a");
        b.maintenance().refreshKeys();
        byte[] plain = "shared across gateways".getBytes(StandardCharsets.UTF_8);
        CompletableFuture<Results.Padded> sealed = new CompletableFuture<>();
        b.crypto().encrypt(new Commands.Encrypt(key.keyId(), plain, null, null, null, null), complete(sealed));
        Results.Encrypted ct = sealed.get(10, TimeUnit.SECONDS).encrypted();
        CompletableFuture<Results.Decrypted> opened = new CompletableFuture<>();
        a.crypto().decrypt(new Commands.Decrypt(key.keyId(), ct.ciphertextBlob(), ct.algorithm(), null, ct.iv(), null, null),
                complete(opened));
        assertArrayEquals(plain, opened.get(10, TimeUnit.SECONDS).plaintext());

        KmsException wrong = assertThrows(KmsException.class,
                () -> engine(store(), dir.resolve("c"), "hsm-secret-of-c-0123456789", "another-unseal-secret-0123"));
        assertEquals(KmsError.UNAVAILABLE, wrong.error());
        assertTrue(wrong.getMessage().contains("unseal secret"), wrong.getMessage());
    }

    @Test
    void aTokenThatAlreadyHoldsTheSharedMasterKeyStillProvesItsUnsealSecret() throws Exception {
        PostgresStore s = store();
        Path token = dir.resolve("r");
        String check;
        try (SimHsmBackend first = backend(s, token, "hsm-secret-of-r-0123456789", "the-unseal-secret-0123456789")) {
            check = first.masterKeyCheck();
        }
        KmsException wrong = assertThrows(KmsException.class,
                () -> backend(s, token, "hsm-secret-of-r-0123456789", "another-unseal-secret-0123").close());
        assertEquals(KmsError.UNAVAILABLE, wrong.error());
        assertTrue(wrong.getMessage().contains("unseal secret"), wrong.getMessage());
        try (SimHsmBackend again = backend(s, token, "hsm-secret-of-r-0123456789", "the-unseal-secret-0123456789")) {
            assertEquals(check, again.masterKeyCheck(), "the right secret opens the same master key");
        }
    }

    private static SimHsmBackend backend(Store store, Path hsmDir, String hsmSecret, String unseal) {
        return new SimHsmBackend(hsmDir, hsmSecret.toCharArray(), 1000, 4,
                new SharedMaster(unseal.toCharArray(), new SharedBlobs(store).masterKeyVault()));
    }

    private KmsEngine engine(Store store, Path hsmDir, String hsmSecret, String unseal) {
        SimHsmBackend backend = new SimHsmBackend(hsmDir, hsmSecret.toCharArray(), 1000, 16,
                new SharedMaster(unseal.toCharArray(), new SharedBlobs(store).masterKeyVault()));
        KmsEngine e = new Engine(store, backend, new KmsEngine.Settings(2, 64, 16), Clock.systemUTC());
        open.add(e);
        open.add(backend);
        return e;
    }

    private static <T> io.kmsgw.crypto.api.Completion<T> complete(CompletableFuture<T> f) {
        return (result, error) -> {
            if (error != null) {
                f.completeExceptionally(error);
            } else {
                f.complete(result);
            }
        };
    }
}
