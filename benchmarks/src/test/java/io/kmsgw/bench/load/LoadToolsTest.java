package io.kmsgw.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The load tools against real parts: the harness drives every API it offers against a real gateway without an error,
 * the floor server answers the same signed requests, and seeding leaves a gateway that starts with the seeded access
 * model. Short runs; no timings are asserted.
 */
class LoadToolsTest {
    @TempDir
    static Path dir;
    private static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        server = GatewayServer.start(settings(dir.resolve("data")), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static io.kmsgw.gateway.config.Settings settings(Path data) {
        return SettingsLoader.load(null, Map.of(), Map.of("data-dir", data.toString(), "port", "0", "admin-port", "0",
                "hsm-pbkdf2-iterations", "1000", "warmup-seconds", "0"));
    }

    private static JsonNode run(String out, String... more) throws Exception {
        Path json = dir.resolve(out);
        String[] base = {"--instance", server.instanceJson().toString(), "--pool", "32", "--connections", "2", "--duration", "1s",
                "--warmup", "0s", "--json", json.toString()};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        assertEquals(0, LoadHarness.run(args));
        return new ObjectMapper().readTree(json.toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Encrypt", "Decrypt", "GenerateDataKey", "GenerateRandom", "GetSecretValue", "SignEC", "SignRSA", "mix"})
    void theHarnessDrivesEveryApiItOffersWithoutAnError(String api) throws Exception {
        JsonNode r = run(api + ".json", "--api", api);
        assertEquals(0, r.get("errors").size(), r.toString());
        assertTrue(r.get("requests").asLong() > 0, r.toString());
        assertTrue(r.get("p50Micros").asLong() > 0 && r.get("p50Micros").asLong() <= r.get("p99Micros").asLong(), r.toString());
    }

    @Test
    void theFloorServerAnswersTheSameSignedRequests() throws Exception {
        try (FloorServer.Running floor = FloorServer.start(new String[] {"--instance", server.instanceJson().toString()})) {
            JsonNode r = run("floor.json", "--api", "Encrypt", "--endpoint", "127.0.0.1:" + floor.port());
            assertEquals(0, r.get("errors").size(), r.toString());
            assertTrue(r.get("requests").asLong() > 0, r.toString());
        }
    }

    @Test
    void argumentsComeInPairsAndDurationsInSeconds() {
        assertEquals(Map.of("api", "Encrypt", "rate", "300"), LoadHarness.args(new String[] {"--api", "Encrypt", "--rate", "300"}));
        assertThrows(IllegalArgumentException.class, () -> LoadHarness.args(new String[] {"api", "Encrypt"}));
        assertEquals(20, LoadHarness.seconds("20s"));
        assertEquals(7, LoadHarness.seconds("7"));
        assertThrows(NumberFormatException.class, () -> LoadHarness.seconds("5m"));
        assertEquals("Sign", LoadHarness.Setup.wireName("SignEC"));
        assertEquals("Encrypt", LoadHarness.Setup.wireName("Encrypt"));
    }

    @Test
    void seedingAStoppedGatewayLeavesOneThatStartsWithTheSeededAccessModel() throws Exception {
        Path data = dir.resolve("seeded");
        GatewayServer.start(settings(data), Clock.systemUTC()).close();
        assertEquals(0, Seed.run(new String[] {"--data-dir", data.toString(), "--aaps", "25"}));
        try (GatewayServer seeded = GatewayServer.start(settings(data), Clock.systemUTC())) {
            JsonNode instance = new ObjectMapper().readTree(seeded.instanceJson().toFile());
            JsonNode aaps = new Admin(instance).call("ListApplicationAccessPoints", "{}");
            assertEquals(26, aaps.get("TotalCount").asInt(), "the quick-start AAP and the 25 seeded: " + aaps);
        }
        assertEquals(2, Seed.run(new String[] {"--data-dir", dir.resolve("never-started").toString(), "--aaps", "1"}),
                "a data dir without a store is refused");
    }
}
