package io.kmsgw.gateway.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM reading and writing, and private files (mode 0600, replaced atomically). */
public final class Pem {
    private Pem() {
    }

    public static String encode(String type, byte[] der) {
        StringWriter sw = new StringWriter();
        try (PemWriter w = new PemWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    public static String certificate(X509Certificate c) {
        try {
            return encode("CERTIFICATE", c.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o;
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(conv.getCertificate(h));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate list");
        }
        return out;
    }

    private static final String BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
    private static final String END_CERTIFICATE = "-----END CERTIFICATE-----";

    /**
     * The DER SubjectPublicKeyInfo of the first certificate in {@code pem}, found by stepping over the
     * TBSCertificate's fields before it (RFC 5280, section 4.1: optional version, serial, signature
     * algorithm, issuer, validity, subject) without decoding them. What it returns is checked only as far
     * as its outer tag and length: the key factory that uses it validates it. ~2 µs (most of it Base64)
     * against ~6 µs for a full parse, and 294 bytes to keep for an RSA-2048 key instead of ~1.2 KB of PEM.
     *
     * @throws IllegalArgumentException when there is no certificate block or its DER is not laid out so
     */
    public static byte[] subjectPublicKeyInfo(String pem) {
        int begin = pem.indexOf(BEGIN_CERTIFICATE);
        int end = begin < 0 ? -1 : pem.indexOf(END_CERTIFICATE, begin);
        if (end < 0) {
            throw new IllegalArgumentException("not a PEM certificate");
        }
        byte[] der;
        try {
            der = java.util.Base64.getMimeDecoder().decode(
                    pem.substring(begin + BEGIN_CERTIFICATE.length(), end).getBytes(StandardCharsets.ISO_8859_1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PEM certificate");
        }
        long certificate = Der.content(der, 0, der.length, Der.SEQUENCE);
        if (Der.end(certificate) != der.length) {
            throw new IllegalArgumentException("trailing bytes after the certificate");
        }
        long tbs = Der.content(der, Der.start(certificate), Der.end(certificate), Der.SEQUENCE);
        int p = Der.start(tbs);
        int limit = Der.end(tbs);
        if (p < limit && der[p] == Der.VERSION) {
            p = Der.end(Der.content(der, p, limit, Der.VERSION));
        }
        p = Der.end(Der.content(der, p, limit, Der.INTEGER)); // serialNumber
        for (int field = 0; field < 4; field++) { // signature, issuer, validity, subject
            p = Der.end(Der.content(der, p, limit, Der.SEQUENCE));
        }
        return java.util.Arrays.copyOfRange(der, p, Der.end(Der.content(der, p, limit, Der.SEQUENCE)));
    }

    /** The little of DER that {@link #subjectPublicKeyInfo} needs: one TLV's content bounds at a time. */
    private static final class Der {
        static final byte SEQUENCE = 0x30;
        static final byte INTEGER = 0x02;
        static final byte VERSION = (byte) 0xa0; // [0] EXPLICIT, constructed

        /** The content of the TLV at {@code off} with {@code tag}, as start and end packed in a long. */
        static long content(byte[] b, int off, int limit, byte tag) {
            if (off + 2 > limit || b[off] != tag) {
                throw new IllegalArgumentException("unexpected certificate layout");
            }
            int first = b[off + 1] & 0xff;
            int start = off + 2;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int n = first & 0x7f;
                if (n == 0 || n > 4 || start + n > limit) {
                    throw new IllegalArgumentException("unexpected certificate length");
                }
                length = 0;
                for (int i = 0; i < n; i++) {
                    length = length << 8 | (b[start + i] & 0xff);
                }
                start += n;
            }
            if (length > limit - start) {
                throw new IllegalArgumentException("certificate field runs past its container");
            }
            return (long) start << 32 | (start + length);
        }

        static int start(long content) {
            return (int) (content >>> 32);
        }

        static int end(long content) {
            return (int) content;
        }
    }

    public static PrivateKey privateKey(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            if (o instanceof PrivateKeyInfo info) {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            }
            throw new IllegalArgumentException("not a PKCS#8 private key");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM private key");
        }
    }

    /** Writes text atomically; {@code secret} files get mode 0600 before any byte is written. */
    public static void write(Path file, String text, boolean secret) throws IOException {
        writeBytes(file, text.getBytes(StandardCharsets.UTF_8), secret);
    }

    public static void writeBytes(Path file, byte[] data, boolean secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
