package io.kmsgw.hsm.slot;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * PBKDF2 with HMAC-SHA256 (RFC 8018 section 5.2), the same bytes as the JDK's
 * {@code PBKDF2WithHmacSHA256} for a password given as UTF-8, at half the work and far less JIT.
 * <p>
 * The JDK's HMAC absorbs the key's inner pad again after every MAC: four SHA-256 compressions per
 * iteration where two suffice. Here the two padded key blocks are absorbed once, and each iteration starts
 * from copies of those two digest states. It also keeps the loop small: with the JDK's version the C2
 * compiler spent ~0.9 s (three compilations of one large method) during a gateway start, which on two
 * cores delayed everything else. The iteration count, and so an attacker's cost per guess, is unchanged.
 */
final class Pbkdf2 {
    private static final int BLOCK = 64;
    private static final int HASH = 32;

    private Pbkdf2() {
    }

    /** {@code length} bytes derived from {@code password} and {@code salt} with {@code iterations} (at least 1). */
    static byte[] hmacSha256(byte[] password, byte[] salt, int iterations, int length) {
        if (iterations < 1 || length < 1) {
            throw new IllegalArgumentException("PBKDF2 needs at least one iteration and one byte of output");
        }
        byte[] key = password.length > BLOCK ? sha256().digest(password) : password;
        byte[] pad = new byte[BLOCK];
        MessageDigest inner = sha256();
        MessageDigest outer = sha256();
        for (int i = 0; i < BLOCK; i++) {
            pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ 0x36);
        }
        inner.update(pad);
        for (int i = 0; i < BLOCK; i++) {
            pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ 0x5c);
        }
        outer.update(pad);
        Arrays.fill(pad, (byte) 0);
        if (key != password) {
            Arrays.fill(key, (byte) 0);
        }

        byte[] out = new byte[length];
        byte[] u = new byte[HASH];
        byte[] t = new byte[HASH];
        try {
            for (int block = 1, off = 0; off < length; block++, off += HASH) {
                MessageDigest m = copy(inner);
                m.update(salt);
                m.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
                m.digest(u, 0, HASH);
                finish(outer, u);
                System.arraycopy(u, 0, t, 0, HASH);
                for (int i = 1; i < iterations; i++) {
                    iterate(inner, outer, u);
                    for (int j = 0; j < HASH; j++) {
                        t[j] ^= u[j];
                    }
                }
                System.arraycopy(t, 0, out, off, Math.min(HASH, length - off));
            }
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(u, (byte) 0);
            Arrays.fill(t, (byte) 0);
        }
        return out;
    }

    /** u = HMAC(key, u), from the two absorbed pads. */
    private static void iterate(MessageDigest inner, MessageDigest outer, byte[] u) throws DigestException {
        MessageDigest m = copy(inner);
        m.update(u);
        m.digest(u, 0, HASH);
        finish(outer, u);
    }

    private static void finish(MessageDigest outer, byte[] u) throws DigestException {
        MessageDigest m = copy(outer);
        m.update(u);
        m.digest(u, 0, HASH);
    }

    private static MessageDigest copy(MessageDigest d) {
        try {
            return (MessageDigest) d.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be copied", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
