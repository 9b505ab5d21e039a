package io.kmsgw.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsMatchTheOperationsContract() {
        Settings s = SettingsLoader.load(null, Map.of(), Map.of());
        assertEquals("127.0.0.1", s.bind());
        assertEquals(8443, s.port());
        assertEquals(8444, s.adminPort());
        assertEquals(Path.of("./data"), s.dataDir());
        assertEquals("openssl", s.tlsEngine());
        assertEquals(3 * 1024 * 1024, s.maxBodyBytes());
        assertEquals(900, s.maxClockSkew().toSeconds());
        assertEquals(Path.of("./data/hsm/secret"), s.effectiveHsmSecretFile());
        assertEquals(new Settings.Audit(256L << 20, 90, List.of("file"), null), s.audit());
    }

    @Test
    void auditSizesSinksAndTheSyslogAddressAreChecked() {
        assertEquals(20L << 20, SettingsLoader.load(null, Map.of("KMSGW_AUDIT_MAX_BYTES", "20MB"), Map.of()).audit().maxBytes());
        assertEquals(5L << 30, SettingsLoader.load(null, Map.of(), Map.of("audit-max-bytes", "5 GiB")).audit().maxBytes());
        assertEquals(0, SettingsLoader.load(null, Map.of(), Map.of("audit-max-bytes", "0")).audit().maxBytes());
        assertEquals(8L << 20, SettingsLoader.load(null, Map.of(), Map.of("audit-max-bytes", "8388608")).audit().maxBytes());
        for (String bad : new String[] {"20 parsecs", "-1MB", "1MB", "99999999999999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SettingsLoader.load(null, Map.of(), Map.of("audit-max-bytes", bad)), bad);
            assertTrue(e.getMessage().contains("audit.maxBytes"), e.getMessage());
        }
        Settings.Audit a = SettingsLoader.load(null, Map.of(), Map.of("audit-sinks", "file,stdout,syslog", "audit-syslog-address",
                "tcp://logs.internal:6514")).audit();
        assertEquals(List.of("file", "stdout", "syslog"), a.sinks());
        assertEquals("tcp://logs.internal:6514", a.syslogAddress());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SettingsLoader.load(null, Map.of(), Map.of("audit-sinks", "file,kafka")));
        assertTrue(e.getMessage().contains("\"kafka\" is not a sink"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SettingsLoader.load(null, Map.of(), Map.of("audit-sinks", "syslog")));
        assertTrue(e.getMessage().contains("audit.syslog.address"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SettingsLoader.load(null, Map.of(), Map.of("audit-sinks", "syslog",
                "audit-syslog-address", "http://x:1")));
        assertTrue(e.getMessage().contains("udp://HOST:PORT or tcp://HOST:PORT"), e.getMessage());
    }

    @Test
    void flagBeatsEnvBeatsFileBeatsDefault() throws Exception {
        Path yaml = dir.resolve("gateway.yaml");
        Files.writeString(yaml, "server:\n  port: 9000\n  adminPort: 9001\n  bind: 0.0.0.0\n  endpointNames: [kms.example, 10.0.0.5]\n");
        Settings s = SettingsLoader.load(yaml, Map.of("KMSGW_PORT", "9100", "KMSGW_ADMIN_PORT", "9101"), Map.of("port", "9200"));
        assertEquals(9200, s.port());
        assertEquals(9101, s.adminPort());
        assertEquals("0.0.0.0", s.bind());
        assertEquals(List.of("kms.example", "10.0.0.5"), s.endpointNames());
    }

    @Test
    void badValuesNameTheSettingAndItsSource() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SettingsLoader.load(null, Map.of("KMSGW_PORT", "http"), Map.of()));
        assertTrue(e.getMessage().contains("server.port") && e.getMessage().contains("KMSGW_PORT"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SettingsLoader.load(null, Map.of(), Map.of("tls-engine", "gnutls")));
        assertTrue(e.getMessage().contains("openssl, jdk, bcjsse"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SettingsLoader.load(null, Map.of(), Map.of("admin-port", "70000")));
        assertTrue(e.getMessage().contains("between 0 and 65535"), e.getMessage());
        Path typo = dir.resolve("typo.yaml");
        Files.writeString(typo, "server:\n  prot: 1\n");
        e = assertThrows(IllegalArgumentException.class, () -> SettingsLoader.load(typo, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains("unknown setting server.prot"), e.getMessage());
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "server: [unclosed\n");
        e = assertThrows(IllegalArgumentException.class, () -> SettingsLoader.load(broken, Map.of(), Map.of()));
        assertTrue(e.getMessage().startsWith("cannot read config"), e.getMessage());
    }

    @Test
    void aSharedStoreNeedsAPostgresUrlAndTheUnsealSecret() {
        assertEquals(null, SettingsLoader.load(null, Map.of(), Map.of()).storeUrl(), "embedded by default");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SettingsLoader.load(null, Map.of("KMSGW_STORE_URL", "jdbc:postgresql://db:5432/kmsgw"), Map.of()));
        assertTrue(e.getMessage().contains("store.url") && e.getMessage().contains("unseal.secretFile"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SettingsLoader.load(null, Map.of(), Map.of("store-url", "jdbc:mysql://db/kmsgw?password=hunter2", "unseal-secret-file", "u")));
        assertTrue(e.getMessage().contains("jdbc:postgresql://") && !e.getMessage().contains("hunter2"), "no URL (or password in it) echoed: "
                + e.getMessage());
        Settings s = SettingsLoader.load(null, Map.of("KMSGW_STORE_URL", "jdbc:postgresql://db:5432/kmsgw", "KMSGW_UNSEAL_SECRET_FILE", "/run/u"),
                Map.of("store-pool-size", "4"));
        assertTrue(s.sharedStore());
        assertEquals(4, s.storePoolSize());
        assertEquals(Path.of("/run/u"), s.unsealSecretFile());
    }

    @Test
    void theShippedConfigFileLoads() {
        Path shipped = Path.of("..", "config", "gateway.yaml");
        Settings s = SettingsLoader.load(shipped, Map.of(), Map.of());
        assertEquals(8443, s.port());
        assertEquals(8444, s.adminPort());
    }
}
