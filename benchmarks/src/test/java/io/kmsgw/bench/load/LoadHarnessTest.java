package io.kmsgw.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load harness against a real gateway on loopback: closed loop, and open loop holding its rate. */
class LoadHarnessTest {
    @TempDir
    Path dir;

    @Test
    void closedAndOpenLoopAgainstARealGateway() throws Exception {
        try (GatewayServer server = GatewayServer.start(SettingsLoader.load(null, Map.of(), Map.of("data-dir", dir.resolve("data").toString(),
                "port", "0", "admin-port", "0", "hsm-pbkdf2-iterations", "1000", "warmup-seconds", "0")), Clock.systemUTC())) {
            String instance = server.instanceJson().toString();

            JsonNode closed = run(instance, "closed.json", "--connections", "4", "--duration", "2s", "--warmup", "1s");
            assertEquals(0, closed.get("errors").size(), closed.toString());
            assertTrue(closed.get("requests").asLong() > 0, closed.toString());
            assertEquals("closed loop", closed.get("mode").asText());

            // 8 connections sharing 300 req/s: each one's exact schedule, released by the client loop's millisecond ticker
            JsonNode open = run(instance, "open.json", "--connections", "8", "--duration", "3s", "--warmup", "1s", "--rate", "300");
            assertEquals(0, open.get("errors").size(), open.toString());
            long requests = open.get("requests").asLong();
            assertTrue(requests >= 800 && requests <= 1000, "300 req/s for 3 s, got " + requests + ": " + open);
            assertTrue(open.get("p50Micros").asLong() < 200_000, open.toString());
            // the per-second series that tail-attribution.sh joins with the server's figures: whole seconds, in order,
            // their counts adding up to the run's requests (the last partial second is in the total, not the series)
            JsonNode seconds = open.get("seconds");
            assertTrue(seconds.size() >= 2 && seconds.size() <= 4, seconds.toString());
            long inSeries = 0;
            for (int i = 0; i < seconds.size(); i++) {
                JsonNode s = seconds.get(i);
                inSeries += s.get("count").asLong();
                assertTrue(s.get("p99Micros").asLong() >= s.get("p50Micros").asLong(), s.toString());
                assertTrue(s.get("loopLagMaxMicros").asLong() >= 0 && s.get("hiccupMaxMicros").asLong() >= 0, s.toString());
                if (i > 0) {
                    assertEquals(seconds.get(i - 1).get("second").asLong() + 1, s.get("second").asLong(), seconds.toString());
                }
            }
            assertTrue(inSeries <= requests && inSeries >= requests - 400, inSeries + " of " + requests);
            long start = open.get("startEpochMillis").asLong() / 1000;
            assertTrue(seconds.get(0).get("second").asLong() >= start - 1 && seconds.get(0).get("second").asLong() <= start + 1,
                    "the series is in wall-clock seconds: " + start + " " + seconds.get(0));
        }
    }

    /**
     * cold-start.sh's harness: it loads another server (the floor, on the same instance) first, then waits for the release
     * file, and only then sends the measured load to the gateway, whose own counter sees those requests and none before.
     */
    @Test
    void prewarmsAgainstTheFloorThenStartsOnlyWhenReleased() throws Exception {
        try (GatewayServer server = GatewayServer.start(SettingsLoader.load(null, Map.of(), Map.of("data-dir", dir.resolve("data").toString(),
                "port", "0", "admin-port", "0", "hsm-pbkdf2-iterations", "1000", "warmup-seconds", "0")), Clock.systemUTC());
             FloorServer.Running floor = FloorServer.start(new String[] {"--instance", server.instanceJson().toString()})) {
            Path released = dir.resolve("released");
            java.util.concurrent.CompletableFuture<JsonNode> measured = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return run(server.instanceJson().toString(), "cold.json", "--connections", "4", "--duration", "2s", "--warmup", "0s",
                            "--prewarm-endpoint", "127.0.0.1:" + floor.port(), "--prewarm-seconds", "2s", "--start-when", released.toString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(4000); // the prewarm's 2 s, and then the harness waits
            assertEquals(0, requestsSeen(server), "nothing reached the gateway before the release");
            assertTrue(!measured.isDone(), "the harness waits for the release file");
            java.nio.file.Files.createFile(released);
            JsonNode run = measured.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(0, run.get("errors").size(), run.toString());
            assertTrue(run.get("requests").asLong() > 0, run.toString());
            // every measured request went to the gateway, none to the floor (a few more follow the window before the close)
            long seen = requestsSeen(server);
            assertTrue(seen >= run.get("requests").asLong(), "the gateway saw the measured requests: " + seen + " for " + run);
        }
    }

    private static long requestsSeen(GatewayServer server) {
        return (long) server.meters().find("kmsgw.requests").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private JsonNode run(String instance, String out, String... more) throws Exception {
        Path json = dir.resolve(out);
        String[] base = {"--instance", instance, "--api", "Encrypt", "--pool", "64", "--json", json.toString()};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        assertEquals(0, LoadHarness.run(args));
        return new ObjectMapper().readTree(json.toFile());
    }
}
