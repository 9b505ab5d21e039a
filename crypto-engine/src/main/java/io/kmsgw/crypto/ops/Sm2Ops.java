package io.kmsgw.crypto.ops;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results.Decrypted;
import io.kmsgw.crypto.api.Results.Encrypted;
import io.kmsgw.crypto.api.Results.Padded;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.key.KeyVersion;

/** Encrypt/Decrypt with EC_SM2 keys of usage ENCRYPT/DECRYPT: SM2PKE (ciphertext C1 ‖ C3 ‖ C2, uncompressed C1). */
public final class Sm2Ops {
    public static final String SM2PKE = "SM2PKE";
    /** C1 (65) + C3 (32): the ciphertext is this much longer than the plaintext. */
    static final int OVERHEAD = 97;

    private Sm2Ops() {
    }

    private static void check(KeyMetadata m, String algorithm, byte[] aad, byte[] iv, String paddingMode) {
        if (algorithm != null && !algorithm.isEmpty() && !algorithm.equals(SM2PKE)) {
            throw KmsException.invalid("Algorithm " + algorithm + " is not supported for key spec " + m.spec().name() + "; supported: SM2PKE.");
        }
        if ((aad != null && aad.length > 0) || (iv != null && iv.length > 0) || (paddingMode != null && !paddingMode.isEmpty())) {
            throw KmsException.invalid("Aad, Iv and PaddingMode do not apply to SM2PKE.");
        }
    }

    public static Job encrypt(KeyRing.Entry e, Commands.Encrypt cmd, Completion<Padded> done) {
        KeyMetadata m = e.metadata();
        check(m, cmd.algorithm(), cmd.aad(), cmd.iv(), cmd.paddingMode());
        byte[] pt = cmd.plaintext() == null ? new byte[0] : cmd.plaintext();
        if (pt.length == 0 || pt.length > SymmetricOps.MAX_PLAINTEXT) {
            throw KmsException.invalid("Plaintext must be 1 to " + SymmetricOps.MAX_PLAINTEXT + " bytes.");
        }
        KeyVersion v = e.version(m.initialVersionId());
        return new EngineJob<>(done) {
            @Override
            protected Padded compute(WorkerContext ctx) {
                byte[] ct = ctx.session().sm2Crypt(ctx.publicHandle(v, m.spec()), true, pt);
                return new Padded(new Encrypted(m.keyId(), v.versionId(), ct, new byte[0], SM2PKE), "");
            }
        };
    }

    public static Job decrypt(KeyRing.Entry e, Commands.Decrypt cmd, Completion<Decrypted> done) {
        KeyMetadata m = e.metadata();
        check(m, cmd.algorithm(), cmd.aad(), cmd.iv(), cmd.paddingMode());
        byte[] blob = cmd.ciphertextBlob() == null ? new byte[0] : cmd.ciphertextBlob();
        if (blob.length == 0) {
            throw KmsException.invalid("CiphertextBlob is required.");
        }
        KeyVersion v = SymmetricOps.version(e, cmd.keyVersionId());
        return new EngineJob<>(done) {
            @Override
            protected Decrypted compute(WorkerContext ctx) {
                if (blob.length <= OVERHEAD || blob.length > SymmetricOps.MAX_PLAINTEXT + OVERHEAD) {
                    throw KmsException.decryptionFailed();
                }
                return new Decrypted(m.keyId(), v.versionId(), ctx.session().sm2Crypt(ctx.handle(v, m.spec()), false, blob), SM2PKE);
            }
        };
    }
}
