package io.kmsgw.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kmsgw.gateway.net.IpBlock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * X-Forwarded-For behind trusted proxies: any header text yields the peer or an address written
 * literally in the header, never a name lookup, and an untrusted peer is always the client.
 */
class ForwardedForFuzzTest {
    @FuzzTest
    void clientIsThePeerOrALiteralHop(FuzzedDataProvider data) {
        boolean trustedPeer = data.consumeBoolean();
        InetAddress peer = IpBlock.address(trustedPeer ? "10.1.2.3" : "192.0.2.7");
        List<String> headers = new ArrayList<>();
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
            headers.add(data.consumeString(120));
        }
        // built per input: under JAZZER_FUZZ=1 a class loaded before the first input is not instrumented
        InetAddress client = new RequestDecoder(List.of(IpBlock.parse("10.0.0.0/8"), IpBlock.parse("fd00::/8"))).forwardedClient(peer, headers);
        if (!trustedPeer) {
            assertEquals(peer, client, "an untrusted peer is the client");
            return;
        }
        if (client.equals(peer)) {
            return;
        }
        boolean literal = false;
        for (String h : headers) {
            for (String part : h.split(",")) {
                try {
                    literal |= IpBlock.address(part.trim()).equals(client);
                } catch (IllegalArgumentException notAnAddress) {
                    // not this hop
                }
            }
        }
        assertTrue(literal, "the client " + client + " is written in " + headers);
    }
}
