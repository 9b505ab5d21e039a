package io.kmsgw.gateway.authz;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address block. Parsing accepts only literal addresses (never resolves names);
 * IPv4-mapped IPv6 addresses are matched as IPv4.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** Parses {@code a.b.c.d}, {@code a.b.c.d/n}, an IPv6 literal or {@code v6/n}. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank() || text.length() > 64) {
            throw new IllegalArgumentException("empty or overlong address");
        }
        String s = text.trim();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = literal(addr);
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + s);
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("prefix length out of range in " + s);
            }
        }
        return new Cidr(mask(bytes, prefix), prefix);
    }

    /**
     * One literal address (no prefix), IPv4-mapped IPv6 normalised to IPv4; never a name lookup.
     * @throws IllegalArgumentException when {@code text} is not an IP literal
     */
    public static InetAddress address(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            throw new IllegalArgumentException("empty or overlong address");
        }
        try {
            return InetAddress.getByAddress(literal(text));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
    }

    private static byte[] literal(String addr) {
        if (addr.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            byte[] b = new byte[4];
            String[] parts = addr.split("\\.");
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    throw new IllegalArgumentException("not an IP literal: " + addr);
                }
                b[i] = (byte) octet;
            }
            return b;
        }
        // With a ':' InetAddress treats the text as an IPv6 literal and never looks a name up.
        if (addr.indexOf(':') >= 0 && addr.matches("[0-9a-fA-F:.]+")) {
            try {
                return normalise(InetAddress.getByName(addr)).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP literal: " + addr);
            }
        }
        throw new IllegalArgumentException("not an IP literal: " + addr);
    }

    /** IPv4-mapped IPv6 → IPv4. */
    public static InetAddress normalise(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                try {
                    return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }

    private static byte[] mask(byte[] b, int prefix) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    /** The block's first address. */
    public InetAddress network() {
        try {
            return InetAddress.getByAddress(network);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public int prefix() {
        return prefix;
    }

    public boolean contains(InetAddress address) {
        byte[] b = normalise(address).getAddress();
        if (b.length != network.length) {
            return false;
        }
        byte[] m = mask(b, prefix);
        return java.util.Arrays.equals(m, network);
    }
}
