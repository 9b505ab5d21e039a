package io.kmsgw.gateway.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.crypto.store.FaultInjectingStore;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.gateway.auth.ClientKeyRegistry;
import io.kmsgw.gateway.auth.SignatureVerifier;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that fails (I/O error, disk full) while a client key, policy or AAP is being created: the
 * change fails as UNAVAILABLE (the admin plane's 503), none of it is visible or stored, and the same
 * change succeeds once the store heals.
 */
class AccessStoreFaultTest {
    @TempDir
    Path dir;

    private static AccessService service(FaultInjectingStore store) {
        return new AccessService(new AccessRepository(store), new AccessControl(), new ClientKeyRegistry(), new SignatureVerifier(false),
                new ClientKeyIssuer(), "kst-test", Clock.systemUTC());
    }

    @Test
    void failedWritesLeaveNothingAndRecover() {
        try (FaultInjectingStore store = new FaultInjectingStore(new SqliteStore(dir.resolve("db")))) {
            AccessService access = service(store);
            access.quickCreate("app", "Passw0rd_1", "");
            for (FaultInjectingStore.When when : FaultInjectingStore.When.values()) {
                store.failWrites(when, "injected: database or disk is full");
                KmsException clientKey = assertThrows(KmsException.class, () -> access.createClientKey("app", "Passw0rd_2", null, null));
                assertEquals(KmsError.UNAVAILABLE, clientKey.error(), when.name());
                KmsException quick = assertThrows(KmsException.class, () -> access.quickCreate("other", "Passw0rd_3", ""));
                assertEquals(KmsError.UNAVAILABLE, quick.error(), when.name());
                assertEquals(1, access.listClientKeys("app").size(), when + ": the failed client key is not visible");
                assertEquals(1, access.listAaps().size(), when + ": the failed AAP is not visible");
                store.heal();
            }
            access.createClientKey("app", "Passw0rd_2", null, null);
            access.quickCreate("other", "Passw0rd_3", "");
            AccessService reopened = service(store);
            assertEquals(2, reopened.listClientKeys("app").size(), "what succeeded after healing is stored");
            assertEquals(2, reopened.listAaps().size());
        }
    }
}
