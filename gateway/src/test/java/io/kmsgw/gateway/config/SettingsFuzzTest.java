package io.kmsgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Config loading on any YAML file, environment value and flag value: a Settings, or an
 * IllegalArgumentException whose message is one printable line (the CLI prints it as is).
 */
class SettingsFuzzTest {
    @FuzzTest
    void loadsOrSaysWhyInOneLine(FuzzedDataProvider data) throws Exception {
        // looked up here, not in a static field: under JAZZER_FUZZ=1 a class loaded before the first input is not instrumented
        String flag = data.pickValue(SettingsLoader.flagNames());
        String flagValue = data.consumeString(80);
        String envValue = data.consumeString(80);
        boolean withFlag = data.consumeBoolean();
        byte[] yaml = data.consumeRemainingAsBytes();
        Path file = Files.createTempFile("kmsgw-fuzz", ".yaml");
        try {
            Files.write(file, yaml);
            Map<String, String> flags = withFlag ? Map.of(flag, flagValue) : Map.of();
            Settings s = SettingsLoader.load(file, Map.of("KMSGW_PORT", envValue), flags);
            assertNotNull(s.dataDir());
            assertTrue(s.port() >= 0 && s.port() <= 65535);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            assertNotNull(m);
            assertFalse(m.chars().anyMatch(c -> c < 0x20 || c == 0x7f), "one printable line: " + m);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
