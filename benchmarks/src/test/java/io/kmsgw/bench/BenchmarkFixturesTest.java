package io.kmsgw.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.protocol.ApiName;
import io.kmsgw.gateway.protocol.KmsRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' fixtures run once outside JMH, so a benchmark that no longer measures what it says
 * (a decoder that stops producing the request model, a TLS engine that stops handshaking, a pool path
 * that never completes) fails the build instead of printing a number. No timings here.
 */
class BenchmarkFixturesTest {
    @Test
    void codecBenchmarkDecodesAndEncodesWhatTheGatewayDoes() throws Exception {
        CodecBenchmark b = new CodecBenchmark();
        b.setUp(); // checks the two response encodings are byte-identical and the field loop reads the parser's fields
        try {
            for (int i = 0; i < 300; i++) { // past the HTTP codec's 128 unanswered requests
                KmsRequest r = assertInstanceOf(KmsRequest.class, b.headersToRequestModel());
                assertEquals(ApiName.Encrypt, r.api);
                assertTrue(b.httpCodecBaseline() >= 10, "the signed request's headers");
            }
            assertEquals("alias/quickstart", b.protobufDecodeGenerated().getKeyId());
            assertEquals(b.protobufEncodeGenerated(), b.protobufEncodeFields());
        } finally {
            b.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void tlsBenchmarkMovesWholeRecordsOverTheGatewaysServerContext(String engine) throws Exception {
        TlsBenchmark b = new TlsBenchmark();
        b.engine = engine;
        b.requestBytes = 820;
        b.responseBytes = 300;
        b.setUp(); // handshakes TLS 1.2 with TlsContexts.server
        try {
            for (int i = 0; i < 50; i++) {
                assertEquals(820, b.requestRecord());
                assertEquals(300, b.responseRecord());
            }
            assertEquals(1120, b.copyBaseline());
        } finally {
            b.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"inline", "pool"})
    void encryptPathBenchmarkCompletesOnBothPaths(String path) throws Exception {
        EncryptPathBenchmark b = new EncryptPathBenchmark();
        b.path = path;
        b.setUp();
        try {
            for (int i = 0; i < 20; i++) {
                assertNotNull(b.encrypt32());
            }
        } finally {
            b.tearDown();
        }
    }
}
