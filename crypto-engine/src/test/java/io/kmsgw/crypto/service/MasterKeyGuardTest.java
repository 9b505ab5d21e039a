package io.kmsgw.crypto.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.store.MasterKeyRecord;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store remembers its master key by check value; a token that does not hold it is refused, never given a new one. */
class MasterKeyGuardTest {
    @TempDir
    Path dir;

    private HsmBackend open(String token, String secret, boolean mayCreate) {
        return HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve(token), secret.toCharArray(), 1000, 8, null, null,
                mayCreate));
    }

    @Test
    void aNewStoreRecordsTheCheckValueAndLaterStartsCompareIt() {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            MasterKeyRecord record = new MasterKeyRecord(store);
            assertNull(record.checkValue());
            assertFalse(record.holdsWrappedMaterial());
            try (HsmBackend hsm = open("hsm", "guard-secret-0001", true)) {
                MasterKeyGuard.verify(store, hsm, "hsm");
                assertEquals(hsm.masterKeyCheck(), record.checkValue());
                assertTrue(record.holdsWrappedMaterial());
                MasterKeyGuard.verify(store, hsm, "hsm"); // again: equal
            }
            try (HsmBackend foreign = open("other", "guard-secret-0002", true)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> MasterKeyGuard.verify(store, foreign, "other"));
                assertTrue(e.getMessage().contains("is not the store's"), e.getMessage());
            }
        }
    }

    @Test
    void aRefusedTokenLeavesTheRecordedValueAsItWas() {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            String recorded;
            try (HsmBackend hsm = open("hsm", "guard-secret-0001", true)) {
                MasterKeyGuard.verify(store, hsm, "hsm");
                recorded = hsm.masterKeyCheck();
            }
            try (HsmBackend foreign = open("other", "guard-secret-0002", true)) {
                assertThrows(IllegalStateException.class, () -> MasterKeyGuard.verify(store, foreign, "other"));
            }
            assertEquals(recorded, new MasterKeyRecord(store).checkValue(), "a refusal never rewrites the store's record");
        }
    }

    @Test
    void aStoreWithKeysButNoCheckValueIsProvedByUnwrappingOne() {
        try (SqliteStore store = new SqliteStore(dir.resolve("db")); HsmBackend hsm = open("hsm", "guard-secret-0001", true)) {
            try (KmsEngine engine = new Engine(store, hsm, new KmsEngine.Settings(1, 8, 8), Clock.systemUTC())) {
                engine.keys().createKey("Aliyun_AES_256", "", "");
            }
            MasterKeyRecord record = new MasterKeyRecord(store);
            assertTrue(record.holdsWrappedMaterial(), "key versions count as wrapped material");
            try (HsmBackend foreign = open("other", "guard-secret-0002", true)) {
                assertThrows(IllegalStateException.class, () -> MasterKeyGuard.verify(store, foreign, "other"));
                assertNull(record.checkValue(), "a refused token records nothing");
            }
            MasterKeyGuard.verify(store, hsm, "hsm");
            assertEquals(hsm.masterKeyCheck(), record.checkValue());
        }
    }

    @Test
    void aTokenMayNotMakeAMasterKeyWhenTheStoreHoldsMaterial() throws Exception {
        try (HsmBackend made = open("hsm", "guard-secret-0001", true)) {
            made.masterKeyCheck();
        }
        Files.delete(dir.resolve("hsm/slot-0/objects.bin"));
        KmsException lost = assertThrows(KmsException.class, () -> open("hsm", "guard-secret-0001", false));
        assertEquals(KmsError.UNAVAILABLE, lost.error());
        assertTrue(lost.getMessage().contains("holds no kmsgw master key"), lost.getMessage());
        KmsException missing = assertThrows(KmsException.class, () -> open("never-made", "guard-secret-0001", false));
        assertTrue(missing.getMessage().contains("is missing"), missing.getMessage());
        assertFalse(Files.exists(dir.resolve("never-made")), "nothing was created");
    }
}
