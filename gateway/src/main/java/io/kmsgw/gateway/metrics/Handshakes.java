package io.kmsgw.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** TLS handshake outcomes of one plane: {@code kmsgw.tls.handshakes{plane,result}}. */
public record Handshakes(Counter succeeded, Counter failed) {
    public static Handshakes of(MeterRegistry registry, String plane) {
        return new Handshakes(
                Counter.builder("kmsgw.tls.handshakes").tag("plane", plane).tag("result", "success").register(registry),
                Counter.builder("kmsgw.tls.handshakes").tag("plane", plane).tag("result", "failure").register(registry));
    }

    public void record(boolean success) {
        (success ? succeeded : failed).increment();
    }
}
