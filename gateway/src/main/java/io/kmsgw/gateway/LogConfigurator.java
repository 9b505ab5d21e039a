package io.kmsgw.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * kmsgw's logging, set up in code (found by Logback through {@code META-INF/services}): parsing an XML
 * configuration was ~10 % of the main thread's time to ready. Logs go to stderr, so that {@code serve}'s
 * stdout carries only the ready and lifecycle lines; {@code io.netty} at WARN, {@code io.kmsgw} at
 * {@code KMSGW_LOG_LEVEL} (default INFO), the rest at WARN. {@code KMSGW_LOG_FORMAT=json} writes one JSON
 * object per line (Logback's {@link JsonEncoder}: level, logger, formatted message) instead of text.
 * <p>
 * An operator's own {@code -Dlogback.configurationFile} wins, and so does a {@code logback-test.xml} on the
 * class path (the tests) unless JSON was asked for: this configurator then steps aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX, UTC} %-5level [%thread] %logger{30} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Map<String, String> env = System.getenv();
        if (System.getProperty("logback.configurationFile") != null || (!json(env)
                && LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, env);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static boolean json(Map<String, String> env) {
        return "json".equalsIgnoreCase(env.get("KMSGW_LOG_FORMAT"));
    }

    /** Configures {@code context} from {@code env}'s {@code KMSGW_LOG_FORMAT} and {@code KMSGW_LOG_LEVEL}. */
    static void apply(LoggerContext context, Map<String, String> env) {
        Encoder<ILoggingEvent> encoder;
        if (json(env)) {
            JsonEncoder json = new JsonEncoder();
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(PATTERN);
            encoder = text;
        }
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("io.kmsgw").setLevel(Level.toLevel(env.get("KMSGW_LOG_LEVEL"), Level.INFO));
    }
}
