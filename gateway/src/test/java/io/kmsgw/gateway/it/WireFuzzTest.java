package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kmsgw.gateway.protocol.ApiName;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;

/**
 * The data plane on fuzzed input over real TLS: raw request bytes (HTTP framing, headers, caps) and
 * correctly signed requests with fuzzed protobuf bodies for every API name. Every answer is a
 * well-formed response with a protobuf Error for failures; nothing answers 5xx, and the gateway still
 * serves the SDK afterwards. Stored inputs run in every build; {@code JAZZER_FUZZ=1} fuzzes (README).
 */
@SuppressWarnings("try") // the loopback allowance is held, not used
class WireFuzzTest {
    private static final FuzzGateway gw = new FuzzGateway();

    /** The API names a client can send, plus names the protocol does not know. */
    private static final String[] APIS = names();
    private static final Set<Integer> SIGNED_STATUSES = Set.of(200, 400, 403, 404, 409);
    private static RawHttps.GatewayServerInfo quickStart;

    private static String[] names() {
        List<String> l = new ArrayList<>(Arrays.stream(ApiName.values()).map(Enum::name).toList());
        l.addAll(List.of("ListKeys", "encrypt", ""));
        return l.toArray(String[]::new);
    }

    /**
     * Raw bytes into the data-plane pipeline in process (HTTP codec onwards, no TLS): thousands of inputs
     * a second instead of a handful over sockets. Unsigned input never passes the authenticator, so every
     * answer is written synchronously and read back here.
     */
    @FuzzTest(maxDuration = "10m")
    void rawRequestBytes(byte[] bytes) throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        gw.server().dataPlane().initInProcess(ch);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        ch.runPendingTasks();
        EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(4 << 20));
        for (Object out; (out = ch.readOutbound()) != null; ) {
            client.writeInbound(out);
        }
        ch.finishAndReleaseAll();
        for (Object in; (in = client.readInbound()) != null; ) {
            FullHttpResponse r = (FullHttpResponse) in;
            try {
                Map<String, String> headers = new HashMap<>();
                r.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
                assertTrue(r.decoderResult().isSuccess(), "the gateway writes well-formed HTTP");
                assertProtocolAnswer(new RawHttps.Response(r.status().code(), headers, ByteBufUtil.getBytes(r.content())), "raw request",
                        bytes);
            } finally {
                r.release();
            }
        }
        client.finishAndReleaseAll();
    }

    /** First byte picks the API name, the rest is the body; headers are signed like the SDK signs them. */
    @FuzzTest(maxDuration = "10m")
    void signedApiBodies(byte[] input) throws Exception {
        FuzzGateway.Picked in = FuzzGateway.Picked.from(input, APIS);
        if (in == null) {
            return;
        }
        String api = in.choice();
        byte[] body = in.body();
        String head = "POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n" + RawHttps.signedHeaders(key(), api, body)
                + "content-length: " + body.length + "\r\nconnection: close\r\n\r\n";
        RawHttps.Response r;
        try (SilentCloseable loopback = FuzzGateway.loopbackOnly()) {
            r = RawHttps.send(gw.caFile(), gw.server().port(), head, body);
        }
        assertTrue(SIGNED_STATUSES.contains(r.status()), api + " answered " + r.status());
        assertProtocolAnswer(r, api, input);
    }

    @AfterAll
    static void stillServesTheSdk() throws Exception {
        try (SilentCloseable loopback = FuzzGateway.loopbackOnly()) {
            assertEquals(32, TestGateway.sdkClient(gw.server()).generateRandom(new GenerateRandomRequest().setLength(32)).getRandom().length);
        } finally {
            gw.close();
        }
    }

    /** Shapes of Java internals; an error message may carry one only as an echo of what the client sent. */
    private static final String[] INTERNALS = {"Exception", "java.", "io.netty", "io.kmsgw", "\tat "};

    static void assertProtocolAnswer(RawHttps.Response r, String what, byte[] sent) throws IOException {
        if (r.status() == 100) {
            return; // the interim answer to Expect: 100-continue
        }
        assertTrue(r.status() >= 200 && r.status() < 500, what + " answered " + r.status());
        if (r.status() != 200) {
            assertEquals("application/x-protobuf", r.headers().get("content-type"), what);
            KmsApi.Error e = KmsApi.Error.parseFrom(r.body());
            assertEquals(r.status(), e.getStatusCode(), what);
            assertNotEquals("", e.getErrorCode(), what);
            assertNotEquals("", e.getRequestId(), what + ": every error names its request");
            String input = new String(sent, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (String internal : INTERNALS) {
                assertFalse(e.getErrorMessage().contains(internal) && !input.contains(internal),
                        what + ": Java internals in " + e.getErrorMessage());
            }
        }
    }

    private static synchronized RawHttps.GatewayServerInfo key() throws Exception {
        if (quickStart == null) {
            quickStart = RawHttps.GatewayServerInfo.of(gw.instance());
        }
        return quickStart;
    }
}
