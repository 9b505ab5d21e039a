package io.kmsgw.gateway.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.gateway.auth.ClientKeyRegistry;
import io.kmsgw.gateway.auth.SignatureVerifier;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the access model keeps what it already parsed: a client key's certificate never changes. */
class AccessServiceReloadTest {
    @TempDir
    Path dir;

    @Test
    void aReloadKeepsParsedClientKeysAndAddsNewOnes() {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            ClientKeyRegistry registry = new ClientKeyRegistry();
            AccessService access = new AccessService(new AccessRepository(store), new AccessControl(), registry,
                    new SignatureVerifier(true), new ClientKeyIssuer(), "kst-test", Clock.systemUTC());
            String first = access.quickCreate("app", "Passw0rd_first", "").clientKey().clientKeyId();
            PublicKey parsed = registry.get(first).publicKey();
            assertNotNull(parsed);

            String second = access.createClientKey("app", "Passw0rd_second", null, null).clientKeyId();
            access.reload();
            assertSame(parsed, registry.get(first).publicKey(), "the first key was not parsed again");
            assertNotNull(registry.get(second).publicKey());
            assertEquals(2, registry.size());

            access.deleteClientKey(first);
            access.reload();
            assertTrue(registry.get(first) == null || registry.get(first).deleted(), "a deleted key is gone or marked");
        }
    }
}
