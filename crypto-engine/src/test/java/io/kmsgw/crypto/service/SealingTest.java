package io.kmsgw.crypto.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link io.kmsgw.crypto.api.Sealing}: what is sealed opens for its context only, on the token that sealed it, after a restart. */
class SealingTest {
    @TempDir
    Path dir;

    private HsmBackend backend(String name, String secret) {
        return HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve(name), secret.toCharArray(), 1000, 32, null, null));
    }

    @Test
    void sealedOpensForItsContextOnlyAndNeverCarriesThePlaintext() throws Exception {
        byte[] secret = "an-access-key-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
        byte[] sealed;
        try (SqliteStore store = new SqliteStore(dir.resolve("a.db")); HsmBackend hsm = backend("hsm", "sealing-secret-1");
             KmsEngine engine = new Engine(store, hsm, new KmsEngine.Settings(1, 8, 8), Clock.systemUTC())) {
            sealed = engine.sealing().seal(secret.clone(), "access-key/K1/app");
            assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("an-access-key-secret"));
            assertArrayEquals(secret, engine.sealing().unseal(sealed, "access-key/K1/app"));
            assertFalse(Arrays.equals(sealed, engine.sealing().seal(secret.clone(), "access-key/K1/app")), "a fresh key and IV each time");
            assertEquals(KmsError.KEY_MATERIAL_DAMAGED,
                    assertThrows(KmsException.class, () -> engine.sealing().unseal(sealed, "access-key/K2/app")).error());
            byte[] tampered = sealed.clone();
            tampered[tampered.length - 1] ^= 1;
            assertEquals(KmsError.KEY_MATERIAL_DAMAGED,
                    assertThrows(KmsException.class, () -> engine.sealing().unseal(tampered, "access-key/K1/app")).error());
            for (byte[] junk : new byte[][] {new byte[0], {1}, {1, 0, 5, 1, 2}, {2, 0, 0}}) {
                assertEquals(KmsError.KEY_MATERIAL_DAMAGED,
                        assertThrows(KmsException.class, () -> engine.sealing().unseal(junk, "access-key/K1/app")).error());
            }
        }
        // the same token after a restart opens it; another token (another master key) does not
        try (SqliteStore store = new SqliteStore(dir.resolve("a.db")); HsmBackend hsm = backend("hsm", "sealing-secret-1");
             KmsEngine engine = new Engine(store, hsm, new KmsEngine.Settings(1, 8, 8), Clock.systemUTC())) {
            assertArrayEquals(secret, engine.sealing().unseal(sealed, "access-key/K1/app"));
        }
        try (SqliteStore store = new SqliteStore(dir.resolve("b.db")); HsmBackend hsm = backend("other", "sealing-secret-2");
             KmsEngine engine = new Engine(store, hsm, new KmsEngine.Settings(1, 8, 8), Clock.systemUTC())) {
            assertEquals(KmsError.KEY_MATERIAL_DAMAGED,
                    assertThrows(KmsException.class, () -> engine.sealing().unseal(sealed, "access-key/K1/app")).error());
        }
    }
}
