package io.kmsgw.crypto.clientkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Client-key files for any password and validity: a password outside the rules is refused with
 * INVALID_PARAMETER and a message that never echoes it; any accepted one yields a {@code clientKey_*.json}
 * whose PKCS#12 opens with that password in the JDK's reader (the Java SDK's) and BouncyCastle's, holding
 * a private key that matches its certificate and the validity asked for.
 */
class ClientKeyFuzzTest {
    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    @FuzzTest
    void passwordsAreRefusedOrOpenTheirFile(FuzzedDataProvider data) throws Exception {
        Instant nb = BASE.plusSeconds(data.consumeInt(0, 366 * 86400));
        Instant na = nb.plus(Duration.ofSeconds(data.consumeLong(1, 5L * 366 * 86400)));
        String password = data.consumeRemainingAsString();
        ClientKeyIssuer.Issued k;
        try {
            ClientKeyIssuer.checkPassword(password);
        } catch (KmsException refused) {
            assertEquals(KmsError.INVALID_PARAMETER, refused.error());
            assertFalse(password.length() >= 3 && refused.getMessage().contains(password), "the message never echoes the password");
            return;
        }
        k = new ClientKeyIssuer().issue(password, nb, na);
        java.util.regex.Matcher json = java.util.regex.Pattern.compile(
                "\\{\"KeyId\":\"(KAAP\\.[0-9a-f-]{36})\",\"PrivateKeyData\":\"([A-Za-z0-9+/=]+)\"}").matcher(k.clientKeyJson());
        assertTrue(json.matches(), "the file is the JSON the SDKs read");
        assertEquals(k.clientKeyId(), json.group(1));
        byte[] p12 = Base64.getDecoder().decode(json.group(2));
        for (KeyStore ks : new KeyStore[] {KeyStore.getInstance("PKCS12"), KeyStore.getInstance("PKCS12", new BouncyCastleProvider())}) {
            ks.load(new ByteArrayInputStream(p12), password.toCharArray());
            String alias = Collections.list(ks.aliases()).get(0);
            PrivateKey key = (PrivateKey) ks.getKey(alias, password.toCharArray());
            X509Certificate cert = (X509Certificate) ks.getCertificate(alias);
            assertEquals(nb.getEpochSecond(), cert.getNotBefore().toInstant().getEpochSecond(), ks.getProvider().getName());
            assertEquals(na.getEpochSecond(), cert.getNotAfter().toInstant().getEpochSecond(), ks.getProvider().getName());
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(p12, 0, 16);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(p12, 0, 16);
            assertTrue(s.verify(sig), "the private key matches the certificate (" + ks.getProvider().getName() + ")");
        }
    }
}
