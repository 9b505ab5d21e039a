package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aliyun.dkms.gcs.sdk.Client;
import com.aliyun.dkms.gcs.sdk.models.GenerateRandomRequest;
import com.aliyun.tea.TeaException;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wall-clock jumps on the server: the Date skew check and client-key validity follow the injected wall
 * clock, while quotas (and the request deadline and idle timers, all on Netty's monotonic scheduler)
 * keep working whichever way it jumps.
 */
class ClockJumpTest {
    @TempDir
    Path dir;

    /** A wall clock tests can move; time still passes from where it was put. */
    static final class JumpingClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void jump(Duration by) {
            offset = offset.plus(by);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void skewAndValidityFollowTheWallClockQuotasDoNot() throws Exception {
        JumpingClock clock = new JumpingClock();
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, "openssl", Map.of("instance-qps", "5")), clock)) {
            Client sdk = TestGateway.sdkClient(server);
            assertEquals(8, sdk.generateRandom(new GenerateRandomRequest().setLength(8)).getRandom().length);

            // quotas: spend the instance's burst, then move the wall clock a day ahead; a bucket on wall time
            // would count that day and refill at once, the monotonic one still throttles until real time passes
            RawHttps.GatewayServerInfo key = RawHttps.GatewayServerInfo.of(TestGateway.instance(server));
            assertTrue(burst(server, key, ZonedDateTime.now(clock), 20) > 0, "a burst over the quota is throttled");
            clock.jump(Duration.ofDays(1));
            assertTrue(burst(server, key, ZonedDateTime.now(clock), 5) > 0, "a wall-clock jump refills nothing");
            Thread.sleep(1100);
            assertEquals(0, burst(server, key, ZonedDateTime.now(clock), 3), "a real second later the quota has refilled");
            clock.jump(Duration.ofDays(-1));

            // server clock an hour ahead, then an hour behind: the SDK's (true) Date is out of the 15-minute window
            for (Duration jump : new Duration[] {Duration.ofHours(1), Duration.ofHours(-2)}) {
                clock.jump(jump);
                TeaException e = TestGateway.teaError(() -> sdk.generateRandom(new GenerateRandomRequest().setLength(8)));
                assertEquals("RequestTimeTooSkewed", e.getCode());
                assertEquals(400, TestGateway.httpCode(e));
            }
            clock.jump(Duration.ofHours(1));

            // the quick-start key is valid for five years from bootstrap: a client and server both past that
            clock.jump(Duration.ofDays(5 * 366 + 1));
            assertEquals("ClientKeyInactive", errorCode(server, key, ZonedDateTime.now(clock)));
            // and both before it was issued
            clock.jump(Duration.ofDays(-(5 * 366 + 2)));
            assertEquals("ClientKeyInactive", errorCode(server, key, ZonedDateTime.now(clock)));
            clock.jump(Duration.ofDays(1));
            assertEquals(8, sdk.generateRandom(new GenerateRandomRequest().setLength(8)).getRandom().length, "back in step");
        }
    }

    /** Sends {@code n} signed GenerateRandom requests dated {@code at}; returns how many were throttled. */
    private static int burst(GatewayServer server, RawHttps.GatewayServerInfo key, ZonedDateTime at, int n) throws Exception {
        int throttled = 0;
        for (int i = 0; i < n; i++) {
            String code = errorCode(server, key, at);
            if (code.equals("Rejected.Throttling")) {
                throttled++;
            } else {
                assertEquals("", code, "only throttling is expected");
            }
        }
        return throttled;
    }

    /** The ErrorCode of a signed GenerateRandom dated {@code at}, or "" when it succeeds. */
    private static String errorCode(GatewayServer server, RawHttps.GatewayServerInfo key, ZonedDateTime at) throws Exception {
        byte[] body = KmsApi.GenerateRandomRequest.newBuilder().setLength(8).build().toByteArray();
        String head = "POST / HTTP/1.1\r\nhost: x\r\n" + RawHttps.signedHeaders(key.clientKeyId(), key.privateKey(), "GenerateRandom", body, at)
                + "content-length: " + body.length + "\r\nconnection: close\r\n\r\n";
        RawHttps.Response r = RawHttps.send(Path.of(TestGateway.instance(server).get("CaFile").asText()), server.port(), head, body);
        return r.status() == 200 ? "" : KmsApi.Error.parseFrom(r.body()).getErrorCode();
    }
}
