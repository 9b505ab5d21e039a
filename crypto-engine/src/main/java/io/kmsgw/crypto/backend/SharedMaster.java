package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * One master key for every gateway of a shared instance, never in plaintext outside an HSM.
 *
 * <p>Each gateway is given the same unseal secret (a file or an environment variable). From it HKDF
 * derives two keys, imported into the gateway's HSM as session objects: a key-encryption key and a
 * sealing key. The first gateway generates the master key inside its HSM, wraps it under the
 * key-encryption key (AES-KWP) and keeps the wrapped form in the shared store; whoever loses a race
 * to keep one throws its own away and uses the winner's. Every gateway, the first included, unwraps
 * the kept form into a token object that is sensitive and never extractable, labelled with a digest
 * of the wrapped form so that a token left over from another instance is never mistaken for it. Keys
 * wrapped by one gateway therefore unwrap on every other. A wrong unseal secret fails the unwrap's
 * integrity check and the gateway refuses to start.
 */
public final class SharedMaster {
    /** Where the wrapped master key is kept: the shared store. */
    public interface Vault {
        /** The wrapped master key, or null when none is kept yet. */
        byte[] load();

        /** Keeps {@code wrapped} unless one is kept already; returns the one kept. */
        byte[] keepIfAbsent(byte[] wrapped);
    }

    private static final Mechanism KWP = Mechanism.of(CKM_AES_KEY_WRAP_KWP);
    private final Vault vault;
    private final byte[] kek;
    private final byte[] seal;

    /** @param unsealSecret at least 16 characters; the caller clears its copy */
    public SharedMaster(char[] unsealSecret, Vault vault) {
        if (unsealSecret.length < 16) {
            throw new KmsException(KmsError.INVALID_PARAMETER, "the unseal secret is shorter than 16 characters");
        }
        this.vault = vault;
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(CharBuffer.wrap(unsealSecret));
        byte[] ikm = new byte[utf8.remaining()];
        utf8.get(ikm);
        if (utf8.hasArray()) {
            Arrays.fill(utf8.array(), (byte) 0);
        }
        try {
            kek = derive(ikm, "kmsgw master-key wrapping v1");
            seal = derive(ikm, "kmsgw bootstrap sealing v1");
        } finally {
            Arrays.fill(ikm, (byte) 0);
        }
    }

    private static byte[] derive(byte[] ikm, String info) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, "kmsgw-unseal".getBytes(StandardCharsets.US_ASCII), info.getBytes(StandardCharsets.US_ASCII)));
        byte[] out = new byte[32];
        hkdf.generateBytes(out, 0, out.length);
        return out;
    }

    /** Makes the instance master key a token object of this HSM (creating and keeping it when none is kept) and returns its handle. */
    long join(Cryptoki hsm, long session) {
        long kekHandle = importKey(hsm, session, kek, Template.of().set(CKA_WRAP, true).set(CKA_UNWRAP, true));
        try {
            byte[] wrapped = vault.load();
            if (wrapped == null) {
                long fresh = hsm.generateKey(session, Mechanism.of(CKM_AES_KEY_GEN), Template.of().set(CKA_VALUE_LEN, 32L)
                        .set(CKA_TOKEN, false).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, true).set(CKA_WRAP, true).set(CKA_UNWRAP, true));
                try {
                    wrapped = vault.keepIfAbsent(hsm.wrapKey(session, KWP, kekHandle, fresh));
                } finally {
                    hsm.destroyObject(session, fresh);
                }
            }
            String label = CryptokiBackend.MASTER_LABEL + "-shared-" + HexFormat.of().formatHex(sha256(wrapped), 0, 8);
            long[] found = hsm.findObjects(session, Template.of().set(CKA_LABEL, label).set(CKA_TOKEN, true));
            // The unseal secret is proved on every start, also when this token already holds the master key: a gateway given
            // another instance's secret would otherwise start, then fail on the first shared file it opens.
            long unwrapped = unwrap(hsm, session, kekHandle, wrapped, found.length == 0, label);
            if (found.length > 0) {
                hsm.destroyObject(session, unwrapped);
                return found[0];
            }
            return unwrapped;
        } finally {
            Arrays.fill(kek, (byte) 0);
            hsm.destroyObject(session, kekHandle);
        }
    }

    /** Unwraps the kept master key: a token object labelled {@code label}, or (to prove the unseal secret) a session object. */
    private static long unwrap(Cryptoki hsm, long session, long kekHandle, byte[] wrapped, boolean token, String label) {
        try {
            return hsm.unwrapKey(session, KWP, kekHandle, wrapped, Template.of().set(CKA_CLASS, CKO_SECRET_KEY)
                    .set(CKA_KEY_TYPE, CKK_AES).set(CKA_TOKEN, token).set(CKA_LABEL, label).set(CKA_SENSITIVE, true)
                    .set(CKA_EXTRACTABLE, false).set(CKA_WRAP, true).set(CKA_UNWRAP, true).set(CKA_MODIFIABLE, false));
        } catch (HsmException e) {
            throw new KmsException(KmsError.UNAVAILABLE, "the unseal secret does not open this instance's master key ("
                    + e.ckr() + "); every gateway of an instance needs the same unseal secret");
        }
    }

    /** Imports the sealing key as a session object of {@code session} and returns its handle. */
    long sealKey(Cryptoki hsm, long session) {
        try {
            return importKey(hsm, session, seal, Template.of().set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true));
        } finally {
            Arrays.fill(seal, (byte) 0);
        }
    }

    private static long importKey(Cryptoki hsm, long session, byte[] value, Template usage) {
        return hsm.createObject(session, usage.set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES).set(CKA_VALUE, value.clone())
                .set(CKA_TOKEN, false).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
