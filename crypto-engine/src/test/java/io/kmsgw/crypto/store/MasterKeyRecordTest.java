package io.kmsgw.crypto.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's record of its master key: written once, the first value kept, and what counts as wrapped material. */
class MasterKeyRecordTest {
    @TempDir
    Path dir;

    @Test
    void theFirstCheckValueIsKeptAndSurvivesAReopen() {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            MasterKeyRecord r = new MasterKeyRecord(store);
            assertNull(r.checkValue());
            assertFalse(r.holdsWrappedMaterial());
            assertEquals("00112233aabbccdd", r.recordIfAbsent("00112233aabbccdd"));
            assertEquals("00112233aabbccdd", r.recordIfAbsent("ffffffffffffffff"), "a second value never replaces the first");
            assertTrue(r.holdsWrappedMaterial());
        }
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            assertEquals("00112233aabbccdd", new MasterKeyRecord(store).checkValue());
        }
    }

    @Test
    void keyVersionsCountAsWrappedMaterialWithoutACheckValue() {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            MasterKeyRecord r = new MasterKeyRecord(store);
            store.write(c -> {
                try (var st = c.createStatement()) {
                    st.executeUpdate("INSERT INTO kms_key (key_id, key_spec, key_usage, key_state, description, origin, creation_millis, "
                            + "initial_version_id, primary_version_id) VALUES ('k', 'Aliyun_AES_256', 'ENCRYPT_DECRYPT', 'Enabled', '', "
                            + "'Aliyun_KMS', 0, 'v', 'v')");
                    st.executeUpdate("INSERT INTO kms_key_version (version_id, key_id, creation_millis, wrapped_material) "
                            + "VALUES ('v', 'k', 0, x'00')");
                }
                return null;
            });
            assertNull(r.checkValue());
            assertTrue(r.holdsWrappedMaterial(), "an older store with keys but no check value");
        }
    }

    @Test
    void onPostgreSqlTheFirstOfTwoReplicasWins() throws Exception {
        String url = PostgresServer.shared().newDatabase();
        try (PostgresStore a = new PostgresStore(url, PostgresServer.shared().user(), null, 2);
             PostgresStore b = new PostgresStore(url, PostgresServer.shared().user(), null, 2)) {
            MasterKeyRecord ra = new MasterKeyRecord(a);
            MasterKeyRecord rb = new MasterKeyRecord(b);
            assertNull(rb.checkValue());
            assertEquals("0123456789abcdef", ra.recordIfAbsent("0123456789abcdef"));
            assertEquals("0123456789abcdef", rb.recordIfAbsent("fedcba9876543210"), "the other replica sees the first value and keeps it");
            assertTrue(rb.holdsWrappedMaterial());
        }
    }
}
