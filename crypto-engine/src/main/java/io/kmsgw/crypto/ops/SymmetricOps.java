package io.kmsgw.crypto.ops;

import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results.DataKey;
import io.kmsgw.crypto.api.Results.Decrypted;
import io.kmsgw.crypto.api.Results.Encrypted;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.key.KeyMetadata;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.key.KeyState;
import io.kmsgw.crypto.key.KeyUsage;
import io.kmsgw.crypto.key.KeyVersion;

/**
 * Encrypt, Decrypt and GenerateDataKey with symmetric keys (AES-GCM, 12-byte IV, 128-bit tag).
 * Validation runs on the caller's thread against the in-memory key ring and throws at once; only the
 * HSM work becomes a {@link Job}.
 */
public final class SymmetricOps {
    public static final String AES_GCM = "AES_GCM";
    public static final int GCM_IV_BYTES = 12;
    public static final int TAG_BYTES = 16;
    /** Largest Encrypt plaintext, as the KMS instance API documents (6 KB). */
    public static final int MAX_PLAINTEXT = 6144;
    public static final int MAX_AAD = 8192;
    public static final int MAX_CIPHERTEXT = MAX_PLAINTEXT + 1024 + TAG_BYTES;
    public static final int DEFAULT_DATA_KEY_BYTES = 32;
    public static final int MAX_DATA_KEY_BYTES = 1024;

    private SymmetricOps() {
    }

    /** Encrypt parameters as they arrive from the wire (empty arrays/strings mean "not given"). */
    public record EncryptCommand(String keyId, byte[] plaintext, String algorithm, byte[] aad, byte[] iv, String paddingMode) {
    }

    public record DecryptCommand(String keyId, byte[] ciphertextBlob, String algorithm, byte[] aad, byte[] iv, String paddingMode,
                                 String keyVersionId) {
    }

    public record DataKeyCommand(String keyId, String algorithm, int numberOfBytes, byte[] aad) {
    }

    /** The state/usage checks every key operation shares. */
    public static void checkUsable(KeyMetadata m, KeyUsage usage) {
        if (m.state() == KeyState.Disabled) {
            throw new KmsException(KmsError.KEY_DISABLED, "The request was rejected because the key state is Disabled.");
        }
        if (m.state() == KeyState.PendingDeletion) {
            throw new KmsException(KmsError.KEY_PENDING_DELETION, "The request was rejected because the key state is PendingDeletion.");
        }
        if (m.usage() != usage || !m.spec().symmetric()) {
            throw new KmsException(KmsError.UNSUPPORTED_OPERATION, "The key " + m.keyId() + " (" + m.spec().name()
                    + ") does not support this operation.");
        }
    }

    private static void checkAlgorithm(KeyMetadata m, String algorithm, String paddingMode) {
        if (algorithm != null && !algorithm.isEmpty() && !AES_GCM.equals(algorithm)) {
            throw KmsException.invalid("Algorithm " + algorithm + " is not supported for key spec " + m.spec().name()
                    + "; supported: AES_GCM.");
        }
        if (paddingMode != null && !paddingMode.isEmpty()) {
            throw KmsException.invalid("PaddingMode must be empty for AES_GCM.");
        }
    }

    private static byte[] orEmpty(byte[] b) {
        return b == null ? new byte[0] : b;
    }

    private static void checkAad(byte[] aad) {
        if (aad != null && aad.length > MAX_AAD) {
            throw KmsException.invalid("Aad is longer than " + MAX_AAD + " bytes.");
        }
    }

    public static Job encrypt(KeyRing ring, EncryptCommand cmd, Completion<Encrypted> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        KeyMetadata m = e.metadata();
        checkUsable(m, KeyUsage.ENCRYPT_DECRYPT);
        checkAlgorithm(m, cmd.algorithm(), cmd.paddingMode());
        byte[] pt = orEmpty(cmd.plaintext());
        if (pt.length == 0 || pt.length > MAX_PLAINTEXT) {
            throw KmsException.invalid("Plaintext must be 1 to " + MAX_PLAINTEXT + " bytes.");
        }
        byte[] iv = cmd.iv();
        if (iv != null && iv.length != 0 && iv.length != GCM_IV_BYTES) {
            throw KmsException.invalid("Iv must be " + GCM_IV_BYTES + " bytes for AES_GCM.");
        }
        checkAad(cmd.aad());
        KeyVersion v = e.version(m.initialVersionId());
        byte[] aad = orEmpty(cmd.aad());
        return new EngineJob<>(done) {
            @Override
            protected Encrypted compute(WorkerContext ctx) {
                byte[] nonce = iv;
                if (nonce == null || nonce.length == 0) {
                    nonce = new byte[GCM_IV_BYTES];
                    ctx.session().random(nonce);
                }
                byte[] ct = ctx.session().encryptGcm(ctx.handle(v), nonce, aad, pt);
                return new Encrypted(m.keyId(), v.versionId(), ct, nonce, AES_GCM);
            }
        };
    }

    public static Job decrypt(KeyRing ring, DecryptCommand cmd, Completion<Decrypted> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        KeyMetadata m = e.metadata();
        checkUsable(m, KeyUsage.ENCRYPT_DECRYPT);
        checkAlgorithm(m, cmd.algorithm(), cmd.paddingMode());
        byte[] iv = cmd.iv();
        if (iv == null || iv.length != GCM_IV_BYTES) {
            throw KmsException.invalid("Iv must be " + GCM_IV_BYTES + " bytes for AES_GCM.");
        }
        byte[] blob = orEmpty(cmd.ciphertextBlob());
        if (blob.length == 0) {
            throw KmsException.invalid("CiphertextBlob is required.");
        }
        if (blob.length > MAX_CIPHERTEXT) {
            throw KmsException.invalid("CiphertextBlob is longer than " + MAX_CIPHERTEXT + " bytes.");
        }
        checkAad(cmd.aad());
        String versionId = cmd.keyVersionId() == null || cmd.keyVersionId().isEmpty() ? m.initialVersionId() : cmd.keyVersionId();
        KeyVersion v = e.version(versionId);
        if (v == null) {
            throw KmsException.invalid("The key version " + versionId + " is not a version of key " + m.keyId() + ".");
        }
        byte[] aad = orEmpty(cmd.aad());
        return new EngineJob<>(done) {
            @Override
            protected Decrypted compute(WorkerContext ctx) {
                if (blob.length < TAG_BYTES) {
                    throw KmsException.decryptionFailed();
                }
                byte[] pt = ctx.session().decryptGcm(ctx.handle(v), iv, aad, blob);
                return new Decrypted(m.keyId(), v.versionId(), pt, AES_GCM);
            }
        };
    }

    public static Job generateDataKey(KeyRing ring, DataKeyCommand cmd, Completion<DataKey> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        KeyMetadata m = e.metadata();
        checkUsable(m, KeyUsage.ENCRYPT_DECRYPT);
        checkAlgorithm(m, cmd.algorithm(), null);
        int n = cmd.numberOfBytes() == 0 ? DEFAULT_DATA_KEY_BYTES : cmd.numberOfBytes();
        if (n < 1 || n > MAX_DATA_KEY_BYTES) {
            throw KmsException.invalid("NumberOfBytes must be 1 to " + MAX_DATA_KEY_BYTES + ".");
        }
        checkAad(cmd.aad());
        KeyVersion v = e.version(m.initialVersionId());
        byte[] aad = orEmpty(cmd.aad());
        return new EngineJob<>(done) {
            @Override
            protected DataKey compute(WorkerContext ctx) {
                byte[] dataKey = new byte[n];
                ctx.session().random(dataKey);
                byte[] iv = new byte[GCM_IV_BYTES];
                ctx.session().random(iv);
                byte[] ct = ctx.session().encryptGcm(ctx.handle(v), iv, aad, dataKey);
                return new DataKey(m.keyId(), v.versionId(), dataKey, ct, iv, AES_GCM);
            }
        };
    }

    /** GenerateRandom: 1..64 bytes from the HSM. */
    public static Job generateRandom(int length, Completion<byte[]> done) {
        if (length < 1 || length > 64) {
            throw KmsException.invalid("Length must be 1 to 64.");
        }
        return new EngineJob<>(done) {
            @Override
            protected byte[] compute(WorkerContext ctx) {
                byte[] out = new byte[length];
                ctx.session().random(out);
                return out;
            }
        };
    }
}
