package io.kmsgw.gateway.authz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/**
 * Client keys' certificates are parsed on first use, not at load, and reloading the access model keeps what was parsed: a
 * certificate never changes.
 */
class AccessServiceReloadTest {
    @TempDir
    Path dir;

    private static AccessService access(SqliteStore store, ClientKeyRegistry registry) {
        return new AccessService(new AccessRepository(store), new AccessControl(), registry, new SignatureVerifier(true), new ClientKeyIssuer(),
                "kst-test", Clock.systemUTC());
    }

    @Test
    void aReloadKeepsParsedClientKeysAndAddsNewOnes() {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            ClientKeyRegistry registry = new ClientKeyRegistry();
            AccessService access = access(store, registry);
            ClientKeyIssuer.Issued issued = access.quickCreate("app", "Passw0rd_first", "").clientKey();
            String first = issued.clientKeyId();
            assertFalse(registry.get(first).parsed(), "loaded, not yet parsed");
            PublicKey parsed = registry.get(first).publicKey();
            assertNotNull(parsed);
            assertTrue(registry.get(first).parsed());
            assertArrayEquals(io.kmsgw.gateway.tls.Pem.certificates(issued.certificatePem()).get(0).getPublicKey().getEncoded(),
                    parsed.getEncoded(), "the certificate's key");

            String second = access.createClientKey("app", "Passw0rd_second", null, null).clientKeyId();
            access.reload();
            assertSame(parsed, registry.get(first).publicKey(), "the first key was not parsed again");
            assertFalse(registry.get(second).parsed());
            assertNotNull(registry.get(second).publicKey());
            assertEquals(2, registry.size());

            access.deleteClientKey(first);
            access.reload();
            assertTrue(registry.get(first) == null || registry.get(first).deleted(), "a deleted key is gone or marked");
            assertTrue(registry.get(first) == null || registry.get(first).publicKey() == parsed, "a deletion keeps the parsed key");
        }
    }

    @Test
    void aDamagedStoredCertificateDisablesOnlyItsKey() {
        try (SqliteStore store = new SqliteStore(dir.resolve("db"))) {
            ClientKeyRegistry registry = new ClientKeyRegistry();
            AccessService access = access(store, registry);
            String good = access.quickCreate("app", "Passw0rd_first", "").clientKey().clientKeyId();
            String damaged = access.createClientKey("app", "Passw0rd_second", null, null).clientKeyId();
            store.write(c -> {
                try (var ps = c.prepareStatement("UPDATE client_key SET certificate_pem = ? WHERE client_key_id = ?")) {
                    ps.setString(1, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
                    ps.setString(2, damaged);
                    return ps.executeUpdate();
                }
            });
            registry = new ClientKeyRegistry();
            access(store, registry); // loads the store, as a restart does
            assertEquals(2, registry.size(), "the access model still loads");
            assertNull(registry.get(damaged).publicKey(), "no key from a damaged certificate");
            assertNull(registry.get(damaged).publicKey(), "and still none the second time");
            assertNotNull(registry.get(good).publicKey());
        }
    }
}
