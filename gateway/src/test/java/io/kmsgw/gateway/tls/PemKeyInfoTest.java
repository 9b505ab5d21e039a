package io.kmsgw.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v1CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Pem#subjectPublicKeyInfo} against the JDK's full certificate parse: the same key bytes for the
 * certificates the gateway meets (its own client keys, the instance PKI's EC certificates, a v1
 * certificate without the version field, a certificate inside a chain), and a one-line refusal for
 * everything else.
 */
class PemKeyInfoTest {
    @TempDir
    Path dir;

    private static byte[] jdkKey(String pem) {
        return Pem.certificates(pem).get(0).getPublicKey().getEncoded();
    }

    @Test
    void aClientKeyCertificateGivesTheKeyTheJdkReads() {
        ClientKeyIssuer.Issued issued = new ClientKeyIssuer().issue("Passw0rd_x", Instant.now(), Instant.now().plus(365, ChronoUnit.DAYS));
        assertArrayEquals(jdkKey(issued.certificatePem()), Pem.subjectPublicKeyInfo(issued.certificatePem()));
    }

    @Test
    void ecCertificatesAndTheFirstOfAChain() throws Exception {
        InstancePki.Material pki = InstancePki.loadOrCreate(dir, "kst-pem", List.of());
        for (X509Certificate c : List.of(pki.leaf(), pki.intermediate(), pki.root())) {
            assertArrayEquals(c.getPublicKey().getEncoded(), Pem.subjectPublicKeyInfo(Pem.certificate(c)));
        }
        String chain = "some text before\n" + Pem.certificate(pki.leaf()) + Pem.certificate(pki.intermediate());
        assertArrayEquals(pki.leaf().getPublicKey().getEncoded(), Pem.subjectPublicKeyInfo(chain));
    }

    @Test
    void aVersion1CertificateHasNoVersionField() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=v1");
        X509Certificate v1 = new JcaX509CertificateConverter().getCertificate(new JcaX509v1CertificateBuilder(name, BigInteger.TEN,
                new Date(), new Date(System.currentTimeMillis() + 86_400_000L), name, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
        assertEquals(1, v1.getVersion());
        assertArrayEquals(kp.getPublic().getEncoded(), Pem.subjectPublicKeyInfo(Pem.certificate(v1)));
    }

    @Test
    void anythingElseIsRefusedWithIllegalArgument() {
        String pem = new ClientKeyIssuer().issue("Passw0rd_x", Instant.now(), Instant.now().plus(365, ChronoUnit.DAYS)).certificatePem();
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        List<String> bad = List.of(
                "",
                "-----BEGIN CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n",
                Pem.encode("PUBLIC KEY", der),
                Pem.encode("CERTIFICATE", new byte[] {0x30, 0x00}),
                Pem.encode("CERTIFICATE", java.util.Arrays.copyOf(der, der.length - 1)),
                Pem.encode("CERTIFICATE", java.util.Arrays.copyOf(der, der.length + 1)),
                Pem.encode("CERTIFICATE", new byte[] {0x30, (byte) 0x85, 1, 0, 0, 0, 0}),
                Pem.encode("CERTIFICATE", new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}),
                Pem.encode("CERTIFICATE", new byte[] {0x30, (byte) 0x80, 0, 0}));
        for (String b : bad) {
            assertThrows(IllegalArgumentException.class, () -> Pem.subjectPublicKeyInfo(b), b);
        }
    }
}
