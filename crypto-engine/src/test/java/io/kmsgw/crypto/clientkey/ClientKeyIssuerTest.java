package io.kmsgw.crypto.clientkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsException;
import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collections;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagFactory;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.bc.BcPKCS12MacCalculatorBuilderProvider;
import org.bouncycastle.pkcs.bc.BcPKCS12PBEInputDecryptorProviderBuilder;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.junit.jupiter.api.Test;

class ClientKeyIssuerTest {
    private final ClientKeyIssuer issuer = new ClientKeyIssuer();

    @Test
    void pkcs12OpensWithTheJdkAndUsesTheLegacyLayout() throws Exception {
        Instant nb = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant na = nb.plus(365, ChronoUnit.DAYS);
        ClientKeyIssuer.Issued issued = issuer.issue("Passw0rd_1", nb, na);
        assertTrue(issued.clientKeyId().matches("KAAP\\.[0-9a-f-]{36}"));

        // what the Java SDK does: KeyStore "PKCS12", first alias, getKey
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(issued.pkcs12()), "Passw0rd_1".toCharArray());
        String alias = Collections.list(ks.aliases()).get(0);
        PrivateKey key = (PrivateKey) ks.getKey(alias, "Passw0rd_1".toCharArray());
        X509Certificate cert = (X509Certificate) ks.getCertificate(alias);
        assertEquals(nb, cert.getNotBefore().toInstant());
        assertEquals(na, cert.getNotAfter().toInstant());
        assertTrue(cert.getKeyUsage()[0], "digitalSignature");
        assertEquals(2048, ((java.security.interfaces.RSAPublicKey) cert.getPublicKey()).getModulus().bitLength());
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update(new byte[] {1});
        byte[] sig = s.sign();
        s.initVerify(cert.getPublicKey());
        s.update(new byte[] {1});
        assertTrue(s.verify(sig), "the private key matches the certificate the gateway keeps");
        assertTrue(issued.certificatePem().startsWith("-----BEGIN CERTIFICATE-----"));

        // the layout other SDKs need: RC2-40 cert bag, 3DES key bag, SHA-1 MAC
        PKCS12PfxPdu pfx = new PKCS12PfxPdu(issued.pkcs12());
        assertTrue(pfx.isMacValid(new BcPKCS12MacCalculatorBuilderProvider(d -> new SHA1Digest()), "Passw0rd_1".toCharArray()));
        assertEquals(org.bouncycastle.asn1.oiw.OIWObjectIdentifiers.idSHA1, pfx.getMacAlgorithmID().getAlgorithm());
        boolean sawCertBag = false;
        boolean sawKeyBag = false;
        var decryptor = new BcPKCS12PBEInputDecryptorProviderBuilder().build("Passw0rd_1".toCharArray());
        for (ContentInfo ci : pfx.getContentInfos()) {
            PKCS12SafeBagFactory f;
            if (ci.getContentType().equals(PKCSObjectIdentifiers.encryptedData)) {
                AlgorithmIdentifier alg = org.bouncycastle.asn1.pkcs.EncryptedData.getInstance(ci.getContent())
                        .getEncryptionAlgorithm();
                assertEquals(PKCSObjectIdentifiers.pbeWithSHAAnd40BitRC2_CBC, alg.getAlgorithm());
                f = new PKCS12SafeBagFactory(ci, decryptor);
            } else {
                f = new PKCS12SafeBagFactory(ci);
            }
            for (PKCS12SafeBag bag : f.getSafeBags()) {
                if (bag.getBagValue() instanceof PKCS8EncryptedPrivateKeyInfo epki) {
                    assertEquals(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC, epki.getEncryptionAlgorithm().getAlgorithm());
                    sawKeyBag = true;
                } else if (bag.getType().equals(PKCSObjectIdentifiers.certBag)) {
                    sawCertBag = true;
                }
            }
        }
        assertTrue(sawCertBag && sawKeyBag);

        String json = issued.clientKeyJson();
        assertTrue(json.contains("\"KeyId\":\"" + issued.clientKeyId() + "\""));
        String b64 = json.substring(json.indexOf("PrivateKeyData\":\"") + 17, json.lastIndexOf('"'));
        assertArrayEquals(issued.pkcs12(), Base64.getDecoder().decode(b64));
    }

    @Test
    void wrongPasswordDoesNotOpen() {
        ClientKeyIssuer.Issued issued = issuer.issue("Passw0rd_1", Instant.now(), Instant.now().plusSeconds(86400));
        assertThrows(java.io.IOException.class, () -> KeyStore.getInstance("PKCS12")
                .load(new ByteArrayInputStream(issued.pkcs12()), "Passw0rd_2".toCharArray()));
    }

    @Test
    void passwordRules() {
        for (String bad : new String[] {"short1A", "onlyletters", "12345678", "&&&&&&&&", "has space 1", "x".repeat(64) + "1",
                "pässw0rd1"}) {
            KmsException e = assertThrows(KmsException.class, () -> ClientKeyIssuer.checkPassword(bad), bad);
            assertFalse(e.getMessage().contains(bad), "the message never echoes the password");
        }
        for (String good : new String[] {"abcdefg1", "abcdefg_", "1234567~", "Aa1~Aa1~" + "x".repeat(56)}) {
            ClientKeyIssuer.checkPassword(good);
        }
        for (int i = 0; i < 20; i++) {
            ClientKeyIssuer.checkPassword(issuer.randomPassword());
        }
    }
}
