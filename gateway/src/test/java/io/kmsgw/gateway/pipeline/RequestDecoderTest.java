package io.kmsgw.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kmsgw.gateway.authz.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {
    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() throws Exception {
        RequestDecoder d = new RequestDecoder(List.of(Cidr.parse("10.0.0.0/8")));
        assertEquals(ip("203.0.113.9"), d.forwardedClient(ip("10.0.0.5"), List.of("203.0.113.9")));
        assertEquals(ip("203.0.113.9"), d.forwardedClient(ip("10.0.0.5"), List.of("198.51.100.1, 203.0.113.9, 10.0.0.7")),
                "the right-most address that is not a trusted proxy");
        assertEquals(ip("192.0.2.1"), d.forwardedClient(ip("192.0.2.1"), List.of("203.0.113.9")), "an untrusted peer is the client");
        assertEquals(ip("10.0.0.5"), d.forwardedClient(ip("10.0.0.5"), List.of("not-an-ip")), "garbage stops at the last trusted hop");
        assertEquals(ip("10.0.0.5"), d.forwardedClient(ip("10.0.0.5"), List.of()));
        assertEquals(ip("203.0.113.9"), d.forwardedClient(ip("10.0.0.5"), List.of("203.0.113.9", "10.1.1.1")), "several headers");
    }
}
