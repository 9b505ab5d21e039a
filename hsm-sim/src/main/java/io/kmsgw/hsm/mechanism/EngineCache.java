package io.kmsgw.hsm.mechanism;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;

/**
 * Per-session JCA engines. A session is used by one thread at a time, so engines are reused without
 * locking and never shared across sessions; creating a Cipher per call costs more than the AES-GCM of a
 * small payload.
 */
public final class EngineCache {
    private final Map<String, Cipher> ciphers = new HashMap<>();
    private final Map<String, Signature> signatures = new HashMap<>();
    private final Map<String, Mac> macs = new HashMap<>();

    public Cipher cipher(String transformation) throws GeneralSecurityException {
        return cipher(transformation, null);
    }

    public Signature signature(String algorithm) throws GeneralSecurityException {
        return signature(algorithm, null);
    }

    /** {@link Engines#signature(String, java.security.Key)}, one engine per algorithm and provider. */
    public Signature signature(String algorithm, java.security.Key key) throws GeneralSecurityException {
        String name = Engines.isNative(key) ? algorithm + "@native" : algorithm;
        Signature s = signatures.get(name);
        if (s == null) {
            s = Engines.signature(algorithm, key);
            signatures.put(name, s);
        }
        return s;
    }

    /** {@link Engines#cipher(String, java.security.Key)}, one engine per transformation and provider. */
    public Cipher cipher(String transformation, java.security.Key key) throws GeneralSecurityException {
        String name = Engines.isNative(key) ? transformation + "@native" : transformation;
        Cipher c = ciphers.get(name);
        if (c == null) {
            c = Engines.cipher(transformation, key);
            ciphers.put(name, c);
        }
        return c;
    }

    public Mac mac(String algorithm) throws GeneralSecurityException {
        Mac m = macs.get(algorithm);
        if (m == null) {
            m = Engines.mac(algorithm);
            macs.put(algorithm, m);
        }
        return m;
    }
}
