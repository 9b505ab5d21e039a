package io.kmsgw.crypto.crash;

import io.kmsgw.crypto.service.Engine;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.store.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The process CrashSafetyTest kills: creates keys, key versions and secrets in a loop on a data dir and
 * prints one acknowledgement line after each call returns (that is, after its commit).
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String run = args[1];
        SqliteStore store = new SqliteStore(dir.resolve("db"));
        KmsEngine engine = new Engine(store, new SimHsmBackend(dir.resolve("hsm"), "crash-test-secret".toCharArray(), 1000, 16),
                new KmsEngine.Settings(1, 64, 64), Clock.systemUTC());
        System.out.println("READY");
        System.out.flush();
        for (int i = 0; ; i++) {
            String keyId = engine.keys().createKey(i % 2 == 0 ? "Aliyun_AES_256" : "Aliyun_AES_128", "", "crash " + run + "/" + i).keyId();
            System.out.println("KEY " + keyId);
            if (i % 3 == 1) {
                engine.keys().createKeyVersion(keyId);
                System.out.println("VERSION " + keyId);
            }
            if (i % 2 == 0) {
                String name = "s-" + run + "-" + i;
                engine.secrets().createSecret(name, "value-" + name, "text", "", keyId, "", "");
                System.out.println("SECRET " + name);
            }
            System.out.flush();
        }
    }
}
