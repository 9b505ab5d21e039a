package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.EncryptRequest;
import io.kmsgw.crypto.store.Tmpfs;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data dir on a small tmpfs that fills at random points while changes are made under Encrypt load: while the disk is
 * full, changes answer errors; once space returns everything answers 200 again without a restart; and after a restart
 * no change answered with an error exists and every change answered 200 does.
 */
class FullDiskTest {
    private static final int ROUNDS = 10;
    private static final byte[] PLAIN = "under load".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    /** What one change was and what it answered. */
    private record Change(String kind, String name, int status) {
    }

    @Test
    void aFullDiskIsAnOutageOnlyWhileItLastsAndAnErrorMeansNothingWasCommitted() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Tmpfs fs = Tmpfs.mount(tmp, 24L << 20)) {
            Path data = fs.dir().resolve("data");
            Map<String, Change> changes = new LinkedHashMap<>();
            int keysBefore;
            int clientKeysBefore;
            AtomicLong encryptOk = new AtomicLong();
            AtomicLong encryptRefused = new AtomicLong();
            try (GatewayServer server = TestGateway.start(data)) {
                TestGateway.admin(server, "CreateSecret", "{\"SecretName\":\"first\",\"SecretData\":\"v\"}"); // makes the secrets' key
                keysBefore = totalKeys(server);
                clientKeysBefore = TestGateway.admin(server, "ListClientKeys", "{\"AapName\":\"quickstart\"}").json().get("TotalCount").asInt();
                Client sdk = TestGateway.sdkClient(server);
                AtomicBoolean stop = new AtomicBoolean();
                Thread load = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(PLAIN));
                            encryptOk.incrementAndGet();
                        } catch (Exception refused) {
                            encryptRefused.incrementAndGet();
                        }
                    }
                }, "encrypt-load");
                load.start();
                try {
                    for (int round = 0; round < ROUNDS; round++) {
                        int fillAfter = random.nextInt(6);
                        for (int i = 0; i < 8; i++) {
                            if (i == fillAfter) {
                                fs.fill();
                            }
                            change(server, changes, "r" + round + "-" + i, random.nextInt(4));
                        }
                        fs.free();
                        awaitRecovery(server, sdk, changes, "r" + round + "-back");
                    }
                } finally {
                    stop.set(true);
                    load.join();
                }
                long refusedChanges = changes.values().stream().filter(c -> c.status() != 200).count();
                assertTrue(refusedChanges > 0, "the full disk refused changes (seed " + seed + "): " + changes.values());
                assertTrue(encryptOk.get() > 0, "Encrypt worked between the fills");
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("kmsgw.db")); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                assertTrue(rs.next());
                assertEquals("ok", rs.getString(1));
            }
            try (GatewayServer server = TestGateway.start(data)) {
                int keysMade = 0;
                int clientKeysMade = 0;
                for (Change c : changes.values()) {
                    boolean ok = c.status() == 200;
                    switch (c.kind()) {
                        case "secret" -> assertEquals(ok ? 200 : 404, TestGateway.admin(server, "DescribeSecret",
                                "{\"SecretName\":\"" + c.name() + "\"}").status(), c + " (seed " + seed + ")");
                        case "version" -> {
                            String versions = TestGateway.admin(server, "ListSecretVersionIds", "{\"SecretName\":\"first\"}").json().toString();
                            assertEquals(ok, versions.contains("\"" + c.name() + "\""), c + " in " + versions + " (seed " + seed + ")");
                        }
                        case "key" -> keysMade += ok ? 1 : 0;
                        case "client-key" -> clientKeysMade += ok ? 1 : 0;
                        default -> throw new AssertionError(c.kind());
                    }
                }
                assertEquals(keysBefore + keysMade, totalKeys(server), "keys: every 200 and nothing else (seed " + seed + ")");
                assertEquals(clientKeysBefore + clientKeysMade, TestGateway.admin(server, "ListClientKeys", "{\"AapName\":\"quickstart\"}")
                        .json().get("TotalCount").asInt(), "client keys: every 200 and nothing else (seed " + seed + ")");
            }
        }
    }

    /** One change of kind {@code kind} (0 secret, 1 secret version, 2 key, 3 client key); records what it answered. */
    private static void change(GatewayServer server, Map<String, Change> changes, String name, int kind) throws Exception {
        TestGateway.AdminReply r = switch (kind) {
            case 0 -> TestGateway.admin(server, "CreateSecret", "{\"SecretName\":\"" + name + "\",\"SecretData\":\"v\"}");
            case 1 -> TestGateway.admin(server, "PutSecretValue", "{\"SecretName\":\"first\",\"SecretData\":\"" + name
                    + "\",\"VersionId\":\"" + name + "\"}");
            case 2 -> TestGateway.admin(server, "CreateKey", "{\"KeySpec\":\"Aliyun_AES_256\",\"Description\":\"" + name + "\"}");
            default -> TestGateway.admin(server, "CreateClientKey", "{\"AapName\":\"quickstart\",\"Password\":\"Full_d1sk\"}");
        };
        String kindName = switch (kind) {
            case 0 -> "secret";
            case 1 -> "version";
            case 2 -> "key";
            default -> "client-key";
        };
        if (r.status() != 200) {
            assertEquals(503, r.status(), name + " answered " + r.json());
        }
        changes.put(name, new Change(kindName, name, r.status()));
    }

    /** Once space is back, a change and an Encrypt answer 200 again within seconds, without a restart. */
    private static void awaitRecovery(GatewayServer server, Client sdk, Map<String, Change> changes, String name) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            change(server, changes, name, 0);
            boolean encrypts;
            try {
                sdk.encrypt(new EncryptRequest().setKeyId("alias/quickstart").setPlaintext(PLAIN));
                encrypts = true;
            } catch (Exception e) {
                encrypts = false;
            }
            if (changes.get(name).status() == 200 && encrypts) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no recovery within 10 s of space returning: " + changes.get(name));
            }
            Thread.sleep(200);
            name = name + "-again";
        }
    }

    private static int totalKeys(GatewayServer server) throws Exception {
        return TestGateway.admin(server, "ListKeys", "{\"PageSize\":1}").json().get("TotalCount").asInt();
    }
}
