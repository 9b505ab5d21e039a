package io.kmsgw.bench.load;

import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.backend.HsmBackends;
import io.kmsgw.crypto.service.Engine;
import io.kmsgw.crypto.service.MasterKeyGuard;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.gateway.server.DataDirVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code kmsgw-bench.jar verify-timing --data-dir DIR --keys N}: grows a data dir to N AES keys (made in the HSM and
 * committed like CreateKey does), then times what a start and {@code kmsgw verify} add at that size: SQLite's
 * {@code quick_check} and the whole verify walk. Prints one line per figure.
 */
public final class VerifyTiming {
    private VerifyTiming() {
    }

    public static int run(String[] argv) throws Exception {
        Map<String, String> a = LoadHarness.args(argv);
        Path dir = Path.of(a.getOrDefault("data-dir", "verify-timing")).toAbsolutePath();
        int target = Integer.parseInt(a.getOrDefault("keys", "100000"));
        Files.createDirectories(dir.resolve("hsm"));
        Path secret = dir.resolve("hsm/secret");
        if (!Files.exists(secret)) {
            Files.writeString(secret, "verify-timing-secret-0123456789");
        }
        try (SqliteStore store = new SqliteStore(dir.resolve("kmsgw.db"));
             HsmBackend hsm = HsmBackends.open(new HsmBackends.Config(HsmBackends.SIMULATOR, dir.resolve("hsm"),
                     Files.readString(secret).toCharArray(), 1000, 16, null, null))) {
            MasterKeyGuard.verify(store, hsm, dir.resolve("hsm").toString());
            try (KmsEngine engine = new Engine(store, hsm, new KmsEngine.Settings(2, 64, 16), Clock.systemUTC())) {
                int have = engine.keys().listKeys().size();
                long start = System.nanoTime();
                AtomicInteger made = new AtomicInteger(have);
                ExecutorService pool = Executors.newFixedThreadPool(4);
                for (int t = 0; t < 4; t++) {
                    pool.execute(() -> {
                        while (made.getAndIncrement() < target) {
                            engine.keys().createKey("Aliyun_AES_256", "", "");
                        }
                    });
                }
                pool.shutdown();
                pool.awaitTermination(1, TimeUnit.DAYS);
                System.out.printf("keys: %d (made %d in %.1f s)%n", engine.keys().listKeys().size(),
                        Math.max(0, target - have), (System.nanoTime() - start) / 1e9);
            }
            long q = System.nanoTime();
            String check = store.read(c -> {
                try (var st = c.createStatement(); var rs = st.executeQuery("PRAGMA quick_check")) {
                    return rs.next() ? rs.getString(1) : "";
                }
            });
            System.out.printf("quick_check: %s in %.2f s (db %d MB)%n", check, (System.nanoTime() - q) / 1e9,
                    Files.size(dir.resolve("kmsgw.db")) >> 20);
        }
        long v = System.nanoTime();
        DataDirVerifier.Result r = DataDirVerifier.verify(dir, null, line -> System.out.println("  " + line));
        System.out.printf("verify: %s in %.1f s (%s)%n", r.ok() ? "ok" : r.problems().size() + " problems", (System.nanoTime() - v) / 1e9,
                r.summary());
        return r.ok() ? 0 : 1;
    }
}
