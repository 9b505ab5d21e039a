package io.kmsgw.crypto.ops;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results.DataKey;
import io.kmsgw.crypto.api.Results.Decrypted;
import io.kmsgw.crypto.api.Results.Encrypted;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.key.KeyVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * AdvanceEncrypt, AdvanceDecrypt and AdvanceGenerateDataKey: AES-GCM under the key's primary (latest)
 * version, with a self-describing ciphertext {@code 0x24 0x00 0x02 ‖ 36-byte KeyVersionId ‖ 12-byte IV ‖
 * ciphertext ‖ tag}, so AdvanceDecrypt needs only the blob (and AAD) and old blobs survive rotation.
 */
public final class AdvanceOps {
    static final byte[] MAGIC = {0x24, 0x00, 0x02};
    static final int VERSION_ID_BYTES = 36;
    static final int HEADER = MAGIC.length + VERSION_ID_BYTES + SymmetricOps.GCM_IV_BYTES;

    private AdvanceOps() {
    }

    static byte[] blob(String versionId, byte[] iv, byte[] ciphertextAndTag) {
        byte[] id = versionId.getBytes(StandardCharsets.US_ASCII);
        if (id.length != VERSION_ID_BYTES) {
            throw new IllegalStateException("key version ids are 36 ASCII characters");
        }
        return ByteBuffer.allocate(HEADER + ciphertextAndTag.length).put(MAGIC).put(id).put(iv).put(ciphertextAndTag).array();
    }

    /** True when {@code blob} carries the self-describing header. */
    public static boolean isSelfDescribing(byte[] blob) {
        return blob != null && blob.length >= HEADER + SymmetricOps.TAG_BYTES && Arrays.equals(blob, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** The key version a self-describing blob names, or null. */
    public static String versionIdOf(byte[] blob) {
        return isSelfDescribing(blob) ? new String(blob, MAGIC.length, VERSION_ID_BYTES, StandardCharsets.US_ASCII) : null;
    }

    private static KeyVersion primary(KeyRing.Entry e) {
        KeyMetadata m = e.metadata();
        SymmetricOps.checkUsable(m, KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
        return e.version(m.primaryVersionId());
    }

    public static Job encrypt(KeyRing ring, Commands.Encrypt cmd, Completion<Encrypted> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        KeyVersion v = primary(e);
        KeyMetadata m = e.metadata();
        if (cmd.paddingMode() != null && !cmd.paddingMode().isEmpty()) {
            throw KmsException.invalid("PaddingMode must be empty for AES_GCM.");
        }
        if (cmd.algorithm() != null && !cmd.algorithm().isEmpty() && !cmd.algorithm().equals(SymmetricOps.AES_GCM)) {
            throw KmsException.invalid("Algorithm " + cmd.algorithm() + " is not supported by AdvanceEncrypt; supported: AES_GCM.");
        }
        byte[] pt = cmd.plaintext() == null ? new byte[0] : cmd.plaintext();
        if (pt.length == 0 || pt.length > SymmetricOps.MAX_PLAINTEXT) {
            throw KmsException.invalid("Plaintext must be 1 to " + SymmetricOps.MAX_PLAINTEXT + " bytes.");
        }
        if (cmd.iv() != null && cmd.iv().length != 0 && cmd.iv().length != SymmetricOps.GCM_IV_BYTES) {
            throw KmsException.invalid("Iv must be 12 bytes for AES_GCM.");
        }
        byte[] aad = cmd.aad() == null ? new byte[0] : cmd.aad();
        if (aad.length > SymmetricOps.MAX_AAD) {
            throw KmsException.invalid("Aad is longer than " + SymmetricOps.MAX_AAD + " bytes.");
        }
        return new EngineJob<>(done) {
            @Override
            protected Encrypted compute(WorkerContext ctx) {
                byte[] iv = cmd.iv();
                if (iv == null || iv.length == 0) {
                    iv = new byte[SymmetricOps.GCM_IV_BYTES];
                    ctx.session().random(iv);
                }
                byte[] ct = ctx.session().encryptGcm(ctx.handle(v, m.spec()), iv, aad, pt);
                return new Encrypted(m.keyId(), v.versionId(), blob(v.versionId(), iv, ct), iv, SymmetricOps.AES_GCM);
            }
        };
    }

    /**
     * AdvanceDecrypt: a self-describing blob names its version (a KeyId, when given, must be that
     * version's key, else the uniform failure); any other blob is decrypted like Decrypt.
     */
    public static Job decrypt(KeyRing ring, Commands.Decrypt cmd, Completion<Decrypted> done) {
        byte[] blob = cmd.ciphertextBlob() == null ? new byte[0] : cmd.ciphertextBlob();
        if (blob.length == 0) {
            throw KmsException.invalid("CiphertextBlob is required.");
        }
        if (blob.length > SymmetricOps.MAX_CIPHERTEXT + HEADER) {
            throw KmsException.invalid("CiphertextBlob is longer than " + (SymmetricOps.MAX_CIPHERTEXT + HEADER) + " bytes.");
        }
        if (!isSelfDescribing(blob)) {
            if (cmd.keyId() == null || cmd.keyId().isEmpty()) {
                throw KmsException.decryptionFailed();
            }
            KeyRing.Entry e = ring.resolve(cmd.keyId());
            SymmetricOps.checkUsable(e.metadata(), KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
            return SymmetricOps.decrypt(e, cmd, done);
        }
        KeyRing.Entry e = ring.byVersion(versionIdOf(blob));
        if (e == null || (cmd.keyId() != null && !cmd.keyId().isEmpty() && !ring.resolve(cmd.keyId()).metadata().keyId()
                .equals(e.metadata().keyId()))) {
            throw KmsException.decryptionFailed();
        }
        KeyMetadata m = e.metadata();
        SymmetricOps.checkUsable(m, KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
        KeyVersion v = e.version(versionIdOf(blob));
        byte[] iv = Arrays.copyOfRange(blob, MAGIC.length + VERSION_ID_BYTES, HEADER);
        byte[] ct = Arrays.copyOfRange(blob, HEADER, blob.length);
        byte[] aad = cmd.aad() == null ? new byte[0] : cmd.aad();
        return new EngineJob<>(done) {
            @Override
            protected Decrypted compute(WorkerContext ctx) {
                return new Decrypted(m.keyId(), v.versionId(), ctx.session().decryptGcm(ctx.handle(v, m.spec()), iv, aad, ct),
                        SymmetricOps.AES_GCM);
            }
        };
    }

    public static Job generateDataKey(KeyRing ring, Commands.DataKey cmd, Completion<DataKey> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        KeyVersion v = primary(e);
        KeyMetadata m = e.metadata();
        int n = cmd.numberOfBytes() == 0 ? SymmetricOps.DEFAULT_DATA_KEY_BYTES : cmd.numberOfBytes();
        if (n < 1 || n > SymmetricOps.MAX_DATA_KEY_BYTES) {
            throw KmsException.invalid("NumberOfBytes must be 1 to " + SymmetricOps.MAX_DATA_KEY_BYTES + ".");
        }
        byte[] aad = cmd.aad() == null ? new byte[0] : cmd.aad();
        return new EngineJob<>(done) {
            @Override
            protected DataKey compute(WorkerContext ctx) {
                byte[] dataKey = new byte[n];
                ctx.session().random(dataKey);
                byte[] iv = new byte[SymmetricOps.GCM_IV_BYTES];
                ctx.session().random(iv);
                byte[] ct = ctx.session().encryptGcm(ctx.handle(v, m.spec()), iv, aad, dataKey);
                return new DataKey(m.keyId(), v.versionId(), dataKey, blob(v.versionId(), iv, ct), iv, SymmetricOps.AES_GCM);
            }
        };
    }
}
