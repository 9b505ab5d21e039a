package io.kmsgw.crypto.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.api.Secret;
import io.kmsgw.crypto.key.KeyVersion;
import io.kmsgw.crypto.secret.SecretRepository;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} promises, written once: {@link SqliteStoreContractTest} runs it on the embedded
 * store, {@link PostgresStoreContractTest} on a real PostgreSQL server.
 */
abstract class StoreContract {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    private final List<Store> open = new ArrayList<>();
    protected Store store;

    /** A new, empty store; {@link #reopen} opens the same one again. */
    protected abstract Store create() throws Exception;

    protected abstract Store reopen() throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        store = track(create());
        store.migrate("contract", List.of("CREATE TABLE contract_row (id INTEGER PRIMARY KEY, data " + store.binaryType() + ")"));
    }

    @AfterEach
    void closeStores() {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Store track(Store s) {
        open.add(s);
        return s;
    }

    private void insert(Store s, int id, byte[] data) {
        s.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO contract_row (id, data) VALUES (?, ?)")) {
                ps.setInt(1, id);
                ps.setBytes(2, data);
                return ps.executeUpdate();
            }
        });
    }

    private List<Integer> ids(Store s) {
        return s.read(c -> {
            List<Integer> out = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM contract_row ORDER BY id")) {
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
            }
            return out;
        });
    }

    @Test
    void aCommittedWriteIsReadBackAfterReopening() throws Exception {
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i;
        }
        insert(store, 1, every);
        Store again = track(reopen());
        byte[] read = again.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT data FROM contract_row WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        });
        assertArrayEquals(every, read, "binaryType() keeps every byte value");
    }

    @Test
    void aWriteThatFailsCommitsNothing() {
        StoreException e = assertThrows(StoreException.class, () -> store.write(c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO contract_row (id) VALUES (7)");
                st.executeUpdate("INSERT INTO no_such_table (id) VALUES (7)");
            }
            return null;
        }));
        assertFalse(e.constraintViolation(), "a missing table is not a constraint");
        assertEquals(List.of(), ids(store), "the first insert was rolled back with the failure");
    }

    @Test
    void anExceptionThrownByTheWorkRollsBackAndPropagates() {
        IllegalStateException thrown = new IllegalStateException("work failed");
        assertEquals(thrown, assertThrows(IllegalStateException.class, () -> store.write(c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO contract_row (id) VALUES (8)");
            }
            throw thrown;
        })));
        insert(store, 9, null);
        assertEquals(List.of(9), ids(store), "the store is usable after a failed transaction, and 8 never committed");
    }

    @Test
    void aDuplicateKeyIsAConstraintViolation() {
        insert(store, 1, null);
        StoreException e = assertThrows(StoreException.class, () -> insert(store, 1, null));
        assertTrue(e.constraintViolation(), e.getMessage());
    }

    @Test
    void migrationsRunEachStepOnceInOrderAcrossRestarts() throws Exception {
        List<String> v1 = List.of("CREATE TABLE contract_mig (n INTEGER)", "INSERT INTO contract_mig (n) VALUES (1)");
        store.migrate("mig", v1);
        store.migrate("mig", v1);
        Store again = track(reopen());
        List<String> v2 = new ArrayList<>(v1);
        v2.add("INSERT INTO contract_mig (n) VALUES (2)");
        again.migrate("mig", v2);
        List<Integer> rows = again.read(c -> {
            List<Integer> out = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT n FROM contract_mig ORDER BY n")) {
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
            }
            return out;
        });
        assertEquals(List.of(1, 2), rows, "the first steps ran once, the new one once, after them");
    }

    @Test
    void exclusiveWorkRunsAndReturnsItsResult() {
        assertEquals("done", store.exclusive("contract", () -> "done"));
        AtomicInteger ran = new AtomicInteger();
        assertTrue(store.tryExclusive("contract", ran::incrementAndGet));
        assertEquals(1, ran.get());
    }

    private static KeyMetadata key(String id, KeySpec spec, Map<String, String> tags) {
        return KeyMetadata.created(id, spec, KeyUsage.parse("", spec), "d-" + id, T0, id + "-v1", tags);
    }

    private static KeyVersion version(String keyId, String versionId, Instant at, byte[] wrapped, byte[] pub) {
        return new KeyVersion(versionId, keyId, at, wrapped, pub);
    }

    @Test
    void keysVersionsTagsAndAliasesRoundTripAndDestroyTakesThemAll() throws Exception {
        KeyRepository keys = new KeyRepository(store);
        KeyMetadata a = key("key-a", KeySpec.parse("Aliyun_AES_256"), Map.of("team", "pay", "env", "prod"));
        keys.insertKey(a, version("key-a", "key-a-v1", T0, new byte[] {1, 2, 3}, null));
        KeyMetadata b = key("key-b", KeySpec.parse("EC_P256"), Map.of());
        keys.insertKey(b, version("key-b", "key-b-v1", T0, new byte[] {4}, new byte[] {5, 6}));
        KeyVersion a2 = version("key-a", "key-a-v2", T0.plusSeconds(60), new byte[] {7}, null);
        keys.addVersion(a2);
        KeyMetadata changed = a.withPrimary("key-a-v2", a2.creationDate()).withState(KeyState.PendingDeletion, T0.plus(Duration.ofDays(7)))
                .withDescription("changed").withRotation(Duration.ofDays(30)).withTags(Map.of("team", "pay"));
        keys.update(changed);
        keys.insertAlias("alias/a", "key-a");
        keys.insertAlias("alias/moved", "key-a");
        keys.updateAlias("alias/moved", "key-b");
        keys.insertAlias("alias/gone", "key-b");
        keys.deleteAlias("alias/gone");

        KeyRepository loaded = new KeyRepository(track(reopen()));
        Map<String, KeyRepository.Loaded> byId = new java.util.HashMap<>();
        loaded.loadAll().forEach(l -> byId.put(l.metadata().keyId(), l));
        assertEquals(truncated(changed), truncated(byId.get("key-a").metadata()));
        assertEquals(truncated(b), truncated(byId.get("key-b").metadata()));
        List<KeyVersion> av = byId.get("key-a").versions();
        assertEquals(List.of("key-a-v1", "key-a-v2"), av.stream().map(KeyVersion::versionId).toList(), "oldest first");
        assertArrayEquals(new byte[] {7}, av.get(1).wrappedMaterial());
        assertArrayEquals(new byte[] {5, 6}, byId.get("key-b").versions().get(0).publicKey());
        assertEquals(Map.of("alias/a", "key-a", "alias/moved", "key-b"), loaded.loadAliases());

        StoreException dup = assertThrows(StoreException.class, () -> keys.insertAlias("alias/a", "key-b"));
        assertTrue(dup.constraintViolation(), "an alias names one key");

        keys.destroy("key-a");
        KeyRepository after = new KeyRepository(store);
        assertEquals(List.of("key-b"), after.loadAll().stream().map(l -> l.metadata().keyId()).toList());
        assertEquals(Map.of("alias/moved", "key-b"), after.loadAliases(), "the destroyed key's aliases went with it");
        // its versions and tags too: a key made again under the same id starts clean
        keys.insertKey(key("key-a", KeySpec.parse("Aliyun_AES_256"), Map.of()), version("key-a", "key-a-v9", T0, new byte[] {9}, null));
        KeyRepository.Loaded again = after.loadAll().stream().filter(l -> l.metadata().keyId().equals("key-a")).findFirst().orElseThrow();
        assertEquals(Map.of(), again.metadata().tags());
        assertEquals(List.of("key-a-v9"), again.versions().stream().map(KeyVersion::versionId).toList());
    }

    /** Stores keep milliseconds. */
    private static KeyMetadata truncated(KeyMetadata m) {
        return new KeyMetadata(m.keyId(), m.spec(), m.usage(), m.state(), m.description(), m.origin(), m.creationDate(), m.initialVersionId(),
                m.primaryVersionId(), m.deletionDate() == null ? null : m.deletionDate().truncatedTo(ChronoUnit.MILLIS), m.rotationInterval(),
                m.lastRotation() == null ? null : m.lastRotation().truncatedTo(ChronoUnit.MILLIS), m.tags(),
                m.materialExpireTime() == null ? null : m.materialExpireTime().truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void secretsVersionsStagesAndDeletionRoundTrip() throws Exception {
        SecretRepository secrets = new SecretRepository(store);
        Secret.Version v1 = new Secret.Version("v1", T0, "text", "kv-1", new byte[12], new byte[] {1, 2});
        Secret s = new Secret("db-password", "Generic", "key-x", "desc", "{}", T0, Map.of("v1", v1), Map.of(Secret.CURRENT, "v1"), null);
        secrets.create(s, v1);
        Secret.Version v2 = new Secret.Version("v2", T0.plusSeconds(5), "binary", "kv-2", new byte[12], new byte[] {3});
        secrets.put("db-password", v2, "v1");
        secrets.setDeletion("db-password", T0.plus(Duration.ofDays(7)));

        List<Secret> loaded = new SecretRepository(track(reopen())).loadAll();
        assertEquals(1, loaded.size());
        Secret got = loaded.get(0);
        assertEquals("key-x", got.encryptionKeyId());
        assertEquals(Map.of(Secret.CURRENT, "v2", Secret.PREVIOUS, "v1"), got.stages());
        assertEquals("binary", got.versions().get("v2").dataType());
        assertArrayEquals(new byte[] {3}, got.versions().get("v2").ciphertext());
        assertEquals(T0.plus(Duration.ofDays(7)), got.plannedDeletion());

        secrets.setStages("db-password", Map.of(Secret.CURRENT, "v1"));
        assertEquals(Map.of(Secret.CURRENT, "v1"), secrets.loadAll().get(0).stages());
        assertThrows(StoreException.class, () -> secrets.create(s, v1), "a name is one secret");
        secrets.purge("db-password");
        assertEquals(List.of(), secrets.loadAll());
        secrets.create(s, v1);
        assertEquals(1, secrets.loadAll().get(0).versions().size(), "a purged secret leaves no versions behind");
    }

    @Test
    void sharedBlobsKeepTheFirstValue() {
        SharedBlobs blobs = new SharedBlobs(store);
        assertNull(blobs.get("x"));
        assertArrayEquals(new byte[] {1}, blobs.putIfAbsent("x", new byte[] {1}));
        assertArrayEquals(new byte[] {1}, blobs.putIfAbsent("x", new byte[] {2}), "the kept value wins");
        assertArrayEquals(new byte[] {1}, blobs.get("x"));
    }
}
