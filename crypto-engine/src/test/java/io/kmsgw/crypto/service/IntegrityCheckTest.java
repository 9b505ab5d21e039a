package io.kmsgw.crypto.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-only walk of a store's key material through the HSM: every kind passes when whole; each damage is one named problem. */
class IntegrityCheckTest {
    @TempDir
    Path dir;
    private SqliteStore store;
    private HsmBackend hsm;
    private final List<String> keys = new ArrayList<>();

    @BeforeEach
    void instance() {
        store = new SqliteStore(dir.resolve("db"));
        hsm = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve("hsm"), "integrity-secret".toCharArray(), 1000, 8,
                null, null));
        MasterKeyGuard.verify(store, hsm, "hsm");
        try (KmsEngine engine = new Engine(store, hsm, new KmsEngine.Settings(1, 8, 8), Clock.systemUTC())) {
            for (String spec : new String[] {"Aliyun_AES_256", "Aliyun_SM4", "HMAC_256", "RSA_2048", "EC_P256", "EC_SM2"}) {
                KeyMetadata m = engine.keys().createKey(spec, "", "");
                keys.add(m.keyId());
            }
            engine.keys().createKeyVersion(keys.get(0));
            engine.aliases().createAlias("alias/first", keys.get(0));
            engine.secrets().createSecret("s", "value", "text", "v1", keys.get(0), "", "");
        }
    }

    @AfterEach
    void close() {
        hsm.close();
        store.close();
    }

    private void sql(String statement, String... args) {
        store.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(statement)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    /** A change made from outside the store (no foreign key checks), as damage would be. */
    private void outside(String statement) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("db"));
             java.sql.Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private IntegrityCheck.Report run() {
        return IntegrityCheck.run(store, hsm, line -> { });
    }

    @Test
    void aWholeStoreVerifiesEveryKindOfKey() {
        IntegrityCheck.Report r = run();
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(6, r.keys());
        assertEquals(7, r.keyVersions());
        assertEquals(1, r.aliases());
        assertEquals(1, r.secrets());
        assertEquals(1, r.secretVersions());
        assertTrue(r.summary().endsWith("all verified"), r.summary());
    }

    @Test
    void anExternalKeyAwaitingItsMaterialIsNoProblemButAnOrdinaryKeyWithoutItsVersionIs() {
        String external;
        try (KmsEngine engine = new Engine(store, hsm, new KmsEngine.Settings(1, 8, 8), Clock.systemUTC())) {
            external = engine.keys().createKey("Aliyun_AES_256", "", "", java.util.Map.of(), "EXTERNAL").keyId();
        }
        IntegrityCheck.Report r = run();
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(7, r.keys());
        sql("DELETE FROM kms_key_version WHERE key_id = ?", keys.get(1));
        List<String> lines = run().problems().stream().map(Object::toString).toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("key " + keys.get(1)) && lines.get(0).contains("primary version"), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains(external)));
    }

    @Test
    void anAsymmetricVersionWhosePublicHalfIsAnotherKeysFailsItsRoundTrip() {
        String ec;
        String rsaCrypt;
        String sm2Crypt;
        try (KmsEngine engine = new Engine(store, hsm, new KmsEngine.Settings(1, 8, 8), Clock.systemUTC())) {
            ec = engine.keys().createKey("EC_P256", "", "").keyId();
            rsaCrypt = engine.keys().createKey("RSA_2048", "ENCRYPT/DECRYPT", "").keyId();
            sm2Crypt = engine.keys().createKey("EC_SM2", "ENCRYPT/DECRYPT", "").keyId();
        }
        assertEquals(List.of(), run().problems(), "sign-verify and encrypt-decrypt round trips pass on whole keys");
        outside("UPDATE kms_key_version SET public_key = (SELECT public_key FROM kms_key_version WHERE key_id = '" + keys.get(4)
                + "') WHERE key_id = '" + ec + "'");
        outside("UPDATE kms_key_version SET public_key = (SELECT public_key FROM kms_key_version WHERE key_id = '" + keys.get(3)
                + "') WHERE key_id = '" + rsaCrypt + "'");
        List<String> lines = run().problems().stream().map(Object::toString).sorted().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("key " + ec) && l.endsWith("(a sign-verify round trip fails)")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("key " + rsaCrypt) && l.contains("encrypt-decrypt round trip fails")
                || l.startsWith("key " + rsaCrypt) && l.endsWith("it fails a round trip in the HSM")), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains(sm2Crypt)), lines.toString());
    }

    @Test
    void eachDamageIsOneNamedProblem() {
        sql("UPDATE kms_key_version SET wrapped_material = zeroblob(40) WHERE key_id = ?", keys.get(4)); // the EC key
        sql("UPDATE kms_key_version SET public_key = zeroblob(10) WHERE key_id = ?", keys.get(3)); // the RSA key's public half
        outside("INSERT INTO kms_alias (alias_name, key_id) VALUES ('alias/dangling', 'key-none')");
        IntegrityCheck.Report r = run();
        List<String> lines = r.problems().stream().map(Object::toString).sorted().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("alias alias/dangling: names key key-none"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("key " + keys.get(4)) && l.endsWith("does not unwrap in the HSM")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("key " + keys.get(3)) && l.endsWith("public key does not load")), lines.toString());
        assertTrue(r.summary().endsWith("3 problems"), r.summary());
    }

    @Test
    void aSecretUnderADamagedKeyAndAnUnreadableRowAreNamed() {
        sql("UPDATE kms_secret_version SET ciphertext = zeroblob(20)");
        sql("UPDATE kms_key SET key_usage = 'NOT_A_USAGE' WHERE key_id = ?", keys.get(2));
        outside("INSERT INTO kms_alias (alias_name, key_id) VALUES ('alias/of-unreadable', '" + keys.get(2) + "')");
        IntegrityCheck.Report r = run();
        List<String> lines = r.problems().stream().map(Object::toString).toList();
        assertTrue(lines.contains("key " + keys.get(2) + ": its stored row cannot be read"), lines.toString());
        assertEquals(1, lines.stream().filter(l -> l.contains(keys.get(2))).count(), "one damaged row, one line (not again for its alias)");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("secret s version v1") && l.endsWith("does not decrypt")), lines.toString());
        assertEquals(5, r.keys(), "the unreadable key is not counted as walked");
    }

    @Test
    void aMissingPrimaryVersionAndAForeignMasterKeyAreNamed() {
        sql("UPDATE kms_key SET primary_version_id = 'gone' WHERE key_id = ?", keys.get(1));
        try (HsmBackend foreign = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve("other"),
                "other-secret-0001".toCharArray(), 1000, 8, null, null))) {
            IntegrityCheck.Report r = IntegrityCheck.run(store, foreign, line -> { });
            List<String> lines = r.problems().stream().map(Object::toString).toList();
            assertTrue(lines.get(0).startsWith("HSM master key: check value"), lines.toString());
            assertEquals(7, lines.stream().filter(l -> l.contains("does not unwrap")).count(), "no version opens under another master key");
            assertTrue(lines.contains("key " + keys.get(1) + ": its primary version gone is missing"), lines.toString());
        }
        assertFalse(run().ok());
    }

    @Test
    void progressIsReportedEveryThousandVersions() {
        List<String> progress = new ArrayList<>();
        IntegrityCheck.run(store, hsm, progress::add);
        assertEquals(List.of(), progress, "seven versions: no progress line");
    }
}
