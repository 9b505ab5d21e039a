package io.kmsgw.bench.load;

import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.authz.AccessModel;
import io.kmsgw.gateway.authz.AccessRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code kmsgw-bench.jar seed --data-dir DIR --aaps N}: adds N application access points to a stopped
 * gateway's embedded store, each with its own policy ({@code key/*}, key user) and one client key, to
 * measure how kmsgw scales with the size of its access model. The client keys share one certificate
 * (issuing 100,000 RSA key pairs would take hours); the gateway still loads, indexes and caches each
 * by its own id. All rows go in one transaction.
 */
public final class Seed {
    private Seed() {
    }

    public static int run(String[] argv) throws Exception {
        java.util.Map<String, String> a = LoadHarness.args(argv);
        Path db = Path.of(a.getOrDefault("data-dir", "data")).resolve("kmsgw.db");
        int n = Integer.parseInt(a.getOrDefault("aaps", "100000"));
        if (!Files.exists(db)) {
            System.err.println("kmsgw seed: " + db + " not found; start and stop the gateway once first");
            return 2;
        }
        try (SqliteStore schema = new SqliteStore(db)) {
            new AccessRepository(schema); // brings the schema up to date
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ClientKeyIssuer.Issued shared = new ClientKeyIssuer().issue("Seed_passw0rd", now.minusSeconds(60), now.plus(365, ChronoUnit.DAYS));
        long start = System.nanoTime();
        try (OneTransaction store = new OneTransaction(db)) {
            AccessRepository repo = new AccessRepository(store);
            for (int i = 0; i < n; i++) {
                String name = "seed-" + i;
                repo.insertAll(List.of(), List.of(new AccessModel.Policy(name, "seed", List.of(AccessModel.KEY_USER), List.of("key/*"),
                        List.of(), "", now)), new AccessModel.Aap(name, "ClientKey", List.of(name), "", now),
                        new AccessModel.ClientKey("KAAP.seed-" + i, name, "RSA_2048", shared.certificatePem(), shared.notBefore(),
                                shared.notAfter(), now, null));
            }
            store.commit();
        }
        System.out.printf("seeded %d AAPs, policies and client keys in %.1f s%n", n, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** A store whose writes all land in one transaction, committed by {@link #commit}. */
    private static final class OneTransaction implements Store {
        private final Connection c;

        OneTransaction(Path db) throws SQLException {
            c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
            c.setAutoCommit(false);
        }

        @Override
        public <T> T read(Work<T> work) {
            return write(work);
        }

        @Override
        public <T> T write(Work<T> work) {
            try {
                return work.run(c);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void migrate(String component, List<String> steps) {
            // the schema is already current (see run)
        }

        @Override
        public String binaryType() {
            return "BLOB";
        }

        void commit() throws SQLException {
            c.commit();
        }

        @Override
        public void close() {
            try {
                c.close();
            } catch (SQLException ignored) {
                // done
            }
        }
    }
}
