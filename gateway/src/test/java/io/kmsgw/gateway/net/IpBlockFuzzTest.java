package io.kmsgw.gateway.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Network-rule parsing: any text either parses into a block with the CIDR properties below or is
 * refused with IllegalArgumentException; a literal address never turns into a name lookup.
 */
class IpBlockFuzzTest {
    @FuzzTest
    void blocksBehaveAsCidr(FuzzedDataProvider data) throws UnknownHostException {
        String text = data.consumeString(80);
        IpBlock c;
        try {
            c = IpBlock.parse(text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        byte[] net = c.network().getAddress();
        assertTrue(c.prefix() >= 0 && c.prefix() <= net.length * 8, text);
        assertTrue(c.contains(c.network()), "a block contains its network address: " + text);
        int bit = data.consumeInt(0, net.length * 8 - 1);
        byte[] flipped = net.clone();
        flipped[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
        assertEquals(bit >= c.prefix(), c.contains(InetAddress.getByAddress(flipped)),
                "bit " + bit + " of " + text + " is " + (bit >= c.prefix() ? "host" : "network") + " part");
        assertEquals(c.network(), IpBlock.parse(c.network().getHostAddress() + "/" + c.prefix()).network(), "round trip of " + text);
    }

    @FuzzTest
    void addressesAreLiteralsOnly(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        InetAddress a;
        try {
            a = IpBlock.address(text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertTrue(text.indexOf(':') >= 0 || text.matches("\\d{1,3}(\\.\\d{1,3}){3}"), "only literals parse: " + text);
        assertFalse(text.contains("/"), "an address has no prefix: " + text);
        assertEquals(a, IpBlock.parse(text).network(), "an address is its own one-address block: " + text);
    }
}
