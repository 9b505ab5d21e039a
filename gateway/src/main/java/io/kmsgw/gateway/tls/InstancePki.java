package io.kmsgw.gateway.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The instance PKI. First start: a root CA (P-384), an intermediate CA (P-256) and an ECDSA P-256
 * server leaf issued by the intermediate. Clients get {@code PrivateKmsCA_<id>.pem} = root then
 * intermediate (the Java SDK trusts only the second certificate, hence the leaf's issuer). The root
 * key is discarded after signing; the intermediate key (0600) stays to re-issue the leaf when the
 * configured names change or it nears expiry. The server presents leaf + intermediate.
 */
public final class InstancePki {
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(397);
    private static final Duration LEAF_RENEW_BEFORE = Duration.ofDays(30);

    /** Key and chain the TLS server uses, and the CA bundle clients trust. */
    public record Material(PrivateKey leafKey, X509Certificate leaf, X509Certificate intermediate, X509Certificate root, Path caFile) {
    }

    private InstancePki() {
    }

    public static Path caFile(Path dataDir, String instanceId) {
        return dataDir.resolve("PrivateKmsCA_" + instanceId + ".pem");
    }

    /** Loads the instance PKI, creating it on first start and re-issuing the leaf when needed. */
    public static Material loadOrCreate(Path dataDir, String instanceId, List<String> extraNames) throws IOException {
        Path ca = caFile(dataDir, instanceId);
        Path tls = dataDir.resolve("tls");
        Path interKey = tls.resolve("intermediate-key.pem");
        Path leafKeyFile = tls.resolve("server-key.pem");
        Path chainFile = tls.resolve("server-chain.pem");
        SecureRandom random = new SecureRandom();
        try {
            if (!Files.exists(ca) || !Files.exists(interKey)) {
                KeyPair rootKp = ec("secp384r1", random);
                X500Name rootName = new X500Name("CN=kmsgw Root CA " + instanceId + ",O=kmsgw");
                Instant now = Instant.now();
                X509Certificate root = caCert(rootName, rootName, rootKp.getPublic(), rootKp.getPrivate(), rootKp.getPublic(), now,
                        -1, random, "SHA384withECDSA");
                KeyPair interKp = ec("secp256r1", random);
                X500Name interName = new X500Name("CN=kmsgw Intermediate CA " + instanceId + ",O=kmsgw");
                X509Certificate inter = caCert(interName, rootName, interKp.getPublic(), rootKp.getPrivate(), rootKp.getPublic(), now,
                        0, random, "SHA384withECDSA");
                Pem.write(interKey, Pem.encode("PRIVATE KEY", interKp.getPrivate().getEncoded()), true);
                Pem.write(ca, Pem.certificate(root) + Pem.certificate(inter), false);
                Files.deleteIfExists(chainFile);
            }
            List<X509Certificate> bundle = Pem.certificates(Files.readString(ca, StandardCharsets.US_ASCII));
            if (bundle.size() != 2) {
                throw new IOException(ca + " must hold the root and the intermediate certificate");
            }
            X509Certificate root = bundle.get(0);
            X509Certificate inter = bundle.get(1);
            Set<String> names = names(extraNames);
            X509Certificate leaf = null;
            PrivateKey leafKey = null;
            if (Files.exists(chainFile) && Files.exists(leafKeyFile)) {
                List<X509Certificate> chain = Pem.certificates(Files.readString(chainFile, StandardCharsets.US_ASCII));
                leaf = chain.isEmpty() ? null : chain.get(0);
                leafKey = Pem.privateKey(Files.readString(leafKeyFile, StandardCharsets.US_ASCII));
            }
            if (leaf == null || !covers(leaf, names) || leaf.getNotAfter().toInstant().isBefore(Instant.now().plus(LEAF_RENEW_BEFORE))) {
                PrivateKey interPriv = Pem.privateKey(Files.readString(interKey, StandardCharsets.US_ASCII));
                KeyPair leafKp = ec("secp256r1", random);
                leaf = leafCert(instanceId, names, leafKp.getPublic(), inter, interPriv, random);
                leafKey = leafKp.getPrivate();
                Pem.write(leafKeyFile, Pem.encode("PRIVATE KEY", leafKey.getEncoded()), true);
                Pem.write(chainFile, Pem.certificate(leaf) + Pem.certificate(inter), false);
            }
            return new Material(leafKey, leaf, inter, root, ca.toAbsolutePath());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("instance PKI setup failed: " + e.getMessage(), e);
        }
    }

    private static Set<String> names(List<String> extra) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        names.addAll(extra);
        return names;
    }

    private static boolean covers(X509Certificate leaf, Set<String> names) throws GeneralSecurityException {
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        if (sans == null) {
            return false;
        }
        Set<String> have = new LinkedHashSet<>();
        for (List<?> san : sans) {
            Object v = san.get(1);
            if (v instanceof String s) {
                have.add(s.toLowerCase(java.util.Locale.ROOT));
            }
        }
        for (String n : names) {
            String want = n.toLowerCase(java.util.Locale.ROOT);
            if (isIp(n)) {
                try {
                    want = InetAddress.getByName(n).getHostAddress();
                } catch (IOException e) {
                    return false;
                }
                boolean found = false;
                for (String h : have) {
                    try {
                        if (isIp(h) && InetAddress.getByName(h).getHostAddress().equals(want)) {
                            found = true;
                        }
                    } catch (IOException e) {
                        // not an address
                    }
                }
                if (!found) {
                    return false;
                }
            } else if (!have.contains(want)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIp(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.indexOf(':') >= 0 && s.matches("[0-9a-fA-F:.]+"));
    }

    private static KeyPair ec(String curve, SecureRandom random) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve), random);
        return g.generateKeyPair();
    }

    private static X509Certificate caCert(X500Name subject, X500Name issuer, PublicKey pub, PrivateKey signer, PublicKey signerPub,
                                          Instant now, int pathLen, SecureRandom random, String alg)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(random), Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(CA_VALIDITY)), subject, pub);
        b.addExtension(Extension.basicConstraints, true, pathLen < 0 ? new BasicConstraints(true) : new BasicConstraints(pathLen));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pub));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(signerPub));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
    }

    private static X509Certificate leafCert(String instanceId, Set<String> names, PublicKey pub, X509Certificate issuer,
                                            PrivateKey issuerKey, SecureRandom random)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(random), Date.from(now.minusSeconds(3600)),
                Date.from(now.plus(LEAF_VALIDITY)), new X500Name("CN=" + instanceId + ",O=kmsgw"), pub);
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
            sans.add(new GeneralName(isIp(n) ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pub));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }
}
