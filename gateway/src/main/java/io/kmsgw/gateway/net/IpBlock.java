package io.kmsgw.gateway.net;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address block (a network rule's source, a trusted proxy). Matching is Netty's
 * {@link IpSubnetFilterRule}; parsing is Netty's {@link NetUtil} on literals only, never a name lookup.
 * IPv4-mapped IPv6 addresses are matched as IPv4.
 */
public final class IpBlock {
    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:.]+");

    private final IpSubnetFilterRule rule;
    private final InetAddress network;
    private final int prefix;

    private IpBlock(InetAddress address, int prefix) {
        this.rule = new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
        this.network = masked(address, prefix);
        this.prefix = prefix;
    }

    /** Parses {@code a.b.c.d}, {@code a.b.c.d/n}, an IPv6 literal or {@code v6/n}; host bits are ignored. */
    public static IpBlock parse(String text) {
        if (text == null || text.isBlank() || text.length() > 64) {
            throw new IllegalArgumentException("empty or overlong address");
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        InetAddress address = address(slash < 0 ? s : s.substring(0, slash));
        int max = address.getAddress().length * 8;
        if (slash < 0) {
            return new IpBlock(address, max);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + s);
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length out of range in " + s);
        }
        return new IpBlock(address, prefix);
    }

    /**
     * One literal address (no prefix), IPv4-mapped IPv6 normalised to IPv4; never a name lookup.
     *
     * @throws IllegalArgumentException when {@code text} is not an IP literal
     */
    public static InetAddress address(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            throw new IllegalArgumentException("empty or overlong address");
        }
        byte[] bytes = V4.matcher(text).matches() || text.indexOf(':') >= 0 && V6.matcher(text).matches()
                ? NetUtil.createByteArrayFromIpAddressString(text) : null;
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
        try {
            return normalise(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
    }

    /** IPv4-mapped IPv6 → IPv4. */
    public static InetAddress normalise(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return a;
                }
            }
            if (b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    /** The block's first address. */
    public InetAddress network() {
        return network;
    }

    public int prefix() {
        return prefix;
    }

    public boolean contains(InetAddress address) {
        return rule.matches(new InetSocketAddress(normalise(address), 0));
    }

    private static InetAddress masked(InetAddress a, int prefix) {
        byte[] out = a.getAddress();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
