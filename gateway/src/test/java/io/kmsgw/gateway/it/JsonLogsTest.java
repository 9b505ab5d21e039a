package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code KMSGW_LOG_FORMAT=json}: a real {@code serve} logs one JSON object per line on stderr (level,
 * logger, formatted message), stdout still carries only the ready and lifecycle lines, and SIGTERM exits 0.
 */
class JsonLogsTest {
    @TempDir
    Path dir;

    @Test
    void jsonLinesOnStderrReadyLineOnStdout() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.kmsgw.gateway.Main", "serve",
                "--data-dir", dir.resolve("data").toString(), "--port", "0", "--admin-port", "0", "--hsm-pbkdf2-iterations", "1000", "--warmup-seconds", "0")
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("KMSGW_LOG_FORMAT", "json");
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(out).contains("kmsgw ready:") && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(Files.readString(out).contains("kmsgw ready:"), "ready: " + Files.readString(err));
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());

        List<String> stdout = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertTrue(stdout.stream().allMatch(l -> l.startsWith("kmsgw ready: ") || l.startsWith("kmsgw: ")), "stdout has only kmsgw's own lines: " + stdout);
        List<String> stderr = Files.readAllLines(err, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        assertFalse(stderr.isEmpty(), "the gateway logged");
        ObjectMapper json = new ObjectMapper();
        boolean sawListening = false;
        for (String line : stderr) {
            JsonNode e = json.readTree(line);
            assertTrue(e.isObject() && e.hasNonNull("level") && e.hasNonNull("loggerName") && e.hasNonNull("formattedMessage"), line);
            sawListening |= e.get("formattedMessage").asText().contains("listening: data");
        }
        assertTrue(sawListening, "the start-up line is among them, formatted");
    }
}
