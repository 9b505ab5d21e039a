package io.kmsgw.gateway.authz;

import io.kmsgw.gateway.net.IpBlock;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.authz.AccessModel.Aap;
import io.kmsgw.gateway.authz.AccessModel.NetworkRule;
import io.kmsgw.gateway.authz.AccessModel.Policy;
import io.kmsgw.gateway.protocol.ApiName;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessControlTest {
    private static final Instant T = Instant.EPOCH;

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void rolesResourcesAndNetworkRules() throws Exception {
        AccessControl ac = new AccessControl();
        ac.load(
                List.of(new NetworkRule("office", "Private", List.of("10.1.0.0/16", "192.168.7.9", "fd00::/8"), "", T)),
                List.of(
                        new Policy("keys", "kst-1", List.of(AccessModel.KEY_USER), List.of("key/key-abc", "key/alias/app-*"),
                                List.of("office"), "", T),
                        new Policy("secrets", "kst-1", List.of(AccessModel.SECRET_USER), List.of("secret/rds-*"), List.of(), "", T),
                        new Policy("ghost-rule", "kst-1", List.of(AccessModel.KEY_USER), List.of("key/*"), List.of("deleted"), "", T)),
                List.of(new Aap("app", "ClientKey", List.of("keys", "secrets"), "", T),
                        new Aap("ghost", "ClientKey", List.of("ghost-rule"), "", T),
                        new Aap("nopolicy", "ClientKey", List.of("missing"), "", T)));

        assertTrue(ac.allowed("app", ApiName.Encrypt, ip("10.1.2.3"), "key/key-abc"));
        assertTrue(ac.allowed("app", ApiName.Decrypt, ip("192.168.7.9"), "key/alias/app-orders"));
        assertTrue(ac.allowed("app", ApiName.Encrypt, ip("::ffff:10.1.200.1"), "key/key-abc"), "IPv4-mapped source");
        assertTrue(ac.allowed("app", ApiName.Encrypt, ip("fd12::1"), "key/key-abc"));
        assertFalse(ac.allowed("app", ApiName.Encrypt, ip("10.2.0.1"), "key/key-abc"), "outside the rule");
        assertFalse(ac.allowed("app", ApiName.Encrypt, ip("10.1.2.3"), "key/key-abd"), "other key");
        assertFalse(ac.allowed("app", ApiName.Encrypt, ip("10.1.2.3"), "key/key-abcd"), "exact match is exact");
        assertFalse(ac.allowed("app", ApiName.GetSecretValue, ip("10.1.2.3"), "key/key-abc"), "key role does not grant secrets");
        assertTrue(ac.allowed("app", ApiName.GetSecretValue, ip("203.0.113.5"), "secret/rds-main"), "no rule = any source");
        assertFalse(ac.allowed("app", ApiName.GetSecretValue, ip("203.0.113.5"), "secret/ecs-main"));
        assertTrue(ac.allowed("app", ApiName.GenerateRandom, ip("203.0.113.5")), "any role, policy without rules");
        assertFalse(ac.allowed("ghost", ApiName.Encrypt, ip("10.1.2.3"), "key/key-abc"), "a rule that no longer exists fails closed");
        assertFalse(ac.allowed("nopolicy", ApiName.GenerateRandom, ip("10.1.2.3")));
        assertFalse(ac.allowed("unknown-aap", ApiName.GenerateRandom, ip("10.1.2.3")));
        assertFalse(ac.allowed("app", ApiName.Encrypt, null, "key/key-abc"), "unknown source with a rule is denied");
    }

    @Test
    void aCachedDecisionNeverOutlivesAChange() throws Exception {
        AccessControl ac = new AccessControl();
        List<Aap> aaps = List.of(new Aap("app", "ClientKey", List.of("p"), "", T));
        ac.load(List.of(), List.of(new Policy("p", "kst-1", List.of(AccessModel.KEY_USER), List.of("key/*"), List.of(), "", T)), aaps);
        for (int i = 0; i < 3; i++) {
            assertTrue(ac.allowed("app", ApiName.Encrypt, ip("10.0.0.1"), "key/key-1"), "cached allow");
        }
        ac.load(List.of(), List.of(new Policy("p", "kst-1", List.of(AccessModel.KEY_USER), List.of("key/key-2"), List.of(), "", T)), aaps);
        assertFalse(ac.allowed("app", ApiName.Encrypt, ip("10.0.0.1"), "key/key-1"), "the next decision sees the change");
        assertTrue(ac.allowed("app", ApiName.Encrypt, ip("10.0.0.1"), "key/key-2"));
    }

    @Test
    void cidrParsing() throws Exception {
        assertTrue(IpBlock.parse("0.0.0.0/0").contains(ip("8.8.8.8")));
        assertFalse(IpBlock.parse("0.0.0.0/0").contains(ip("::1")));
        assertTrue(IpBlock.parse("10.0.0.0/8").contains(ip("10.255.255.255")));
        assertFalse(IpBlock.parse("10.0.0.0/8").contains(ip("11.0.0.0")));
        assertTrue(IpBlock.parse("10.0.0.7/8").contains(ip("10.9.9.9")), "host bits are masked");
        assertTrue(IpBlock.parse("::1").contains(ip("::1")));
        assertTrue(IpBlock.parse("2001:db8::/32").contains(ip("2001:db8:ffff::1")));
        for (String bad : new String[] {"", "10.0.0.0/33", "::/129", "example.com", "10.0.0.0/x", "1.2.3", "10.0.0.0/-1"}) {
            assertThrows(IllegalArgumentException.class, () -> IpBlock.parse(bad), bad);
        }
    }
}
