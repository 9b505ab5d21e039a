package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.protocol.ApiName;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLSocket;
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

    @FuzzTest(maxDuration = "10m")
    void rawRequestBytes(byte[] bytes) throws Exception {
        try (SilentCloseable loopback = FuzzGateway.loopbackOnly(); SSLSocket s = open(gw.server().port())) {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            for (RawHttps.Response r : readAll(s.getInputStream())) {
                assertProtocolAnswer(r, "raw request");
            }
        }
    }

    /** First byte picks the API name, the rest is the body; headers are signed like the SDK signs them. */
    @FuzzTest(maxDuration = "10m")
    void signedApiBodies(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        String api = APIS[(input[0] & 0xff) % APIS.length];
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        String head = "POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n" + RawHttps.signedHeaders(key(), api, body)
                + "content-length: " + body.length + "\r\nconnection: close\r\n\r\n";
        RawHttps.Response r;
        try (SilentCloseable loopback = FuzzGateway.loopbackOnly()) {
            r = RawHttps.send(gw.caFile(), gw.server().port(), head, body);
        }
        assertTrue(SIGNED_STATUSES.contains(r.status()), api + " answered " + r.status());
        assertProtocolAnswer(r, api);
    }

    @AfterAll
    static void stillServesTheSdk() throws Exception {
        try (SilentCloseable loopback = FuzzGateway.loopbackOnly()) {
            assertEquals(32, TestGateway.sdkClient(gw.server()).generateRandom(new GenerateRandomRequest().setLength(32)).getRandom().length);
        } finally {
            gw.close();
        }
    }

    static void assertProtocolAnswer(RawHttps.Response r, String what) throws IOException {
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
            assertFalse(e.getErrorMessage().contains("Exception"), what + ": no Java internals in " + e.getErrorMessage());
        }
    }

    /** Responses until the server closes or goes quiet (waiting for the rest of an incomplete request). */
    static List<RawHttps.Response> readAll(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw);
        List<RawHttps.Response> out = new ArrayList<>();
        try {
            while (true) {
                in.mark(1);
                if (in.read() < 0) {
                    return out;
                }
                in.reset();
                out.add(RawHttps.read(in));
            }
        } catch (SocketTimeoutException quiet) {
            return out;
        } catch (javax.net.ssl.SSLException | java.net.SocketException closed) {
            return out; // the server closed the connection after its last answer
        }
    }

    static SSLSocket open(int port) throws Exception {
        SSLSocket s = (SSLSocket) AdminCommand.trusting(gw.caFile()).getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(400);
        return s;
    }

    private static synchronized RawHttps.GatewayServerInfo key() throws Exception {
        if (quickStart == null) {
            quickStart = RawHttps.GatewayServerInfo.of(gw.instance());
        }
        return quickStart;
    }
}
