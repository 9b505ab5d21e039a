package io.kmsgw.crypto.clientkey;

import io.kmsgw.crypto.api.KmsException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.engines.DESedeEngine;
import org.bouncycastle.crypto.engines.RC2Engine;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.bc.BcPKCS12MacCalculatorBuilder;
import org.bouncycastle.pkcs.bc.BcPKCS12PBEOutputEncryptorBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Issues application client keys: an RSA-2048 key pair and a self-signed certificate valid
 * NotBefore..NotAfter, delivered once as a password-protected PKCS#12 in the legacy layout every
 * KMS Instance SDK reads (certificate bag pbeWithSHAAnd40BitRC2-CBC, key bag
 * pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC). The caller keeps only the certificate.
 */
public final class ClientKeyIssuer {
    private static final String SYMBOLS = "~!@#$%^&*?_-";
    private final SecureRandom random = new SecureRandom();

    /** What the caller may keep ({@code certificatePem}) and what it hands out once ({@code pkcs12}). */
    public record Issued(String clientKeyId, byte[] pkcs12, String certificatePem, Instant notBefore, Instant notAfter) {
        /** The {@code clientKey_<id>.json} document the SDKs read. */
        public String clientKeyJson() {
            return "{\"KeyId\":\"" + clientKeyId + "\",\"PrivateKeyData\":\"" + Base64.getEncoder().encodeToString(pkcs12) + "\"}";
        }
    }

    /**
     * Checks the client key password rules: 8–64 characters, at least two classes among digits,
     * letters and {@code ~!@#$%^&*?_-}, nothing else. The message never echoes the password.
     */
    public static void checkPassword(String password) {
        if (password == null || password.length() < 8 || password.length() > 64) {
            throw KmsException.invalid("Password must be 8 to 64 characters.");
        }
        boolean digit = false;
        boolean letter = false;
        boolean symbol = false;
        for (int i = 0; i < password.length(); i++) {
            char c = password.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                letter = true;
            } else if (SYMBOLS.indexOf(c) >= 0) {
                symbol = true;
            } else {
                throw KmsException.invalid("Password may contain only digits, letters and " + SYMBOLS + ".");
            }
        }
        if ((digit ? 1 : 0) + (letter ? 1 : 0) + (symbol ? 1 : 0) < 2) {
            throw KmsException.invalid("Password must contain at least two of: digits, letters, " + SYMBOLS + ".");
        }
    }

    /** A random password that satisfies {@link #checkPassword} (24 characters, all three classes). */
    public String randomPassword() {
        String digits = "0123456789";
        String letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
        String all = digits + letters + "_-";
        StringBuilder sb = new StringBuilder();
        sb.append(digits.charAt(random.nextInt(digits.length())));
        sb.append(letters.charAt(random.nextInt(letters.length())));
        sb.append('_');
        while (sb.length() < 24) {
            sb.append(all.charAt(random.nextInt(all.length())));
        }
        return sb.toString();
    }

    public Issued issue(String password, Instant notBefore, Instant notAfter) {
        checkPassword(password);
        if (!notAfter.isAfter(notBefore)) {
            throw KmsException.invalid("NotAfter must be later than NotBefore.");
        }
        String id = "KAAP." + UUID.randomUUID();
        char[] pw = password.toCharArray();
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, random);
            KeyPair kp = g.generateKeyPair();
            X500Name subject = new X500Name("CN=" + id);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(notBefore), Date.from(notAfter), subject, kp.getPublic());
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);

            var localKeyId = ext.createSubjectKeyIdentifier(kp.getPublic());
            PKCS12SafeBagBuilder certBag = new JcaPKCS12SafeBagBuilder(cert);
            certBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(id));
            certBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, localKeyId);
            PKCS12SafeBagBuilder keyBag = new JcaPKCS12SafeBagBuilder(kp.getPrivate(),
                    new BcPKCS12PBEOutputEncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC,
                            CBCBlockCipher.newInstance(new DESedeEngine())).setIterationCount(2048).build(pw));
            keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(id));
            keyBag.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, localKeyId);

            PKCS12PfxPduBuilder pfx = new PKCS12PfxPduBuilder();
            pfx.addEncryptedData(new BcPKCS12PBEOutputEncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd40BitRC2_CBC,
                    CBCBlockCipher.newInstance(new RC2Engine())).setIterationCount(2048).build(pw), new PKCS12SafeBag[] {certBag.build()});
            pfx.addData(keyBag.build());
            PKCS12PfxPdu pdu = pfx.build(new BcPKCS12MacCalculatorBuilder().setIterationCount(2048), pw);
            return new Issued(id, pdu.getEncoded(ASN1Encoding.DER), pem("CERTIFICATE", cert.getEncoded()), notBefore, notAfter);
        } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException
                 | org.bouncycastle.pkcs.PKCSException e) {
            throw new KmsException(io.kmsgw.crypto.api.KmsError.INTERNAL, "client key issuing failed");
        } finally {
            java.util.Arrays.fill(pw, '\0');
        }
    }

    static String pem(String type, byte[] der) throws IOException {
        java.io.StringWriter sw = new java.io.StringWriter();
        try (PemWriter w = new PemWriter(sw)) {
            w.writeObject(new PemObject(type, der));
        }
        return sw.toString();
    }

    /** Encodes text for a password file (UTF-8, no trailing newline, as the SDK samples read it). */
    public static byte[] passwordFileBytes(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }
}
