package io.kmsgw.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The logging set up in code: text or JSON lines on stderr, and the levels the README promises. */
class LogConfiguratorTest {

    @Test
    void textLinesOnStderrWithLevels() {
        String out = logged(Map.of(), ctx -> {
            ctx.getLogger("io.kmsgw.gateway.server.GatewayServer").info("listening: data {}", "127.0.0.1:1");
            ctx.getLogger("io.kmsgw.x").debug("not at INFO");
            ctx.getLogger("io.netty.handler.ssl.SslHandler").info("netty info is below WARN");
            ctx.getLogger("io.netty.util.ResourceLeakDetector").error("LEAK: shown");
            ctx.getLogger("org.sqlite.Foo").info("third-party info is below WARN");
        });
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, "[" + out + "]");
        assertTrue(lines[0].matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[[^]]+] i\\.k\\.g\\.server\\.GatewayServer - "
                + "listening: data 127\\.0\\.0\\.1:1"), lines[0]);
        assertTrue(lines[1].contains("ERROR") && lines[1].endsWith("LEAK: shown"), lines[1]);
    }

    @Test
    void levelFromTheEnvironment() {
        String out = logged(Map.of("KMSGW_LOG_LEVEL", "debug"), ctx -> ctx.getLogger("io.kmsgw.x").debug("now shown"));
        assertTrue(out.contains("DEBUG") && out.contains("now shown"), out);
        String warnOnly = logged(Map.of("KMSGW_LOG_LEVEL", "WARN"), ctx -> ctx.getLogger("io.kmsgw.x").info("hidden"));
        assertEquals("", warnOnly);
        // an unknown level falls back to INFO rather than silencing or flooding the log
        LoggerContext ctx = context();
        LogConfigurator.apply(ctx, Map.of("KMSGW_LOG_LEVEL", "loud"));
        assertEquals(Level.INFO, ctx.getLogger("io.kmsgw").getLevel());
        ctx.stop();
    }

    @Test
    void jsonLinesWhenAsked() throws Exception {
        String out = logged(Map.of("KMSGW_LOG_FORMAT", "JSON"), ctx -> {
            ctx.getLogger("io.kmsgw.a").info("quote \" and {}", "arg");
            ctx.getLogger("io.kmsgw.b").warn("second");
        });
        String[] lines = out.split("\n");
        assertEquals(2, lines.length, out);
        ObjectMapper m = new ObjectMapper();
        JsonNode first = m.readTree(lines[0]);
        assertEquals("INFO", first.get("level").asText());
        assertEquals("io.kmsgw.a", first.get("loggerName").asText());
        assertEquals("quote \" and arg", first.get("formattedMessage").asText());
        assertFalse(first.has("message") || first.has("arguments") || first.has("sequenceNumber"), lines[0]);
        assertEquals("WARN", m.readTree(lines[1]).get("level").asText());
    }

    /** A context of its own, as Logback's service provider would make it. */
    private static LoggerContext context() {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter());
        return ctx;
    }

    /** What {@code body} logs through a context configured from {@code env}, as stderr saw it. */
    private static String logged(Map<String, String> env, Consumer<LoggerContext> body) {
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LoggerContext ctx = context();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            LogConfigurator.apply(ctx, env);
            body.accept(ctx);
        } finally {
            ctx.stop();
            System.setErr(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n").stripTrailing();
    }
}
