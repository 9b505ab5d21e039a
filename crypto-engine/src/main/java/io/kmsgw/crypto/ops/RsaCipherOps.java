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

/**
 * Encrypt/Decrypt with RSA keys of usage ENCRYPT/DECRYPT: RSAES_OAEP_SHA_256 (default) and
 * RSAES_OAEP_SHA_1, MGF1 with the same hash. Plaintext at most k − 2·hLen − 2 bytes; a ciphertext that
 * does not decrypt gets the same uniform failure as every other.
 */
public final class RsaCipherOps {
    public static final String OAEP_SHA_256 = "RSAES_OAEP_SHA_256";
    public static final String OAEP_SHA_1 = "RSAES_OAEP_SHA_1";

    private RsaCipherOps() {
    }

    private static String hash(KeyMetadata m, String algorithm) {
        String alg = algorithm == null || algorithm.isEmpty() ? OAEP_SHA_256 : algorithm;
        return switch (alg) {
            case OAEP_SHA_256 -> "SHA-256";
            case OAEP_SHA_1 -> "SHA-1";
            default -> throw KmsException.invalid("Algorithm " + alg + " is not supported for key spec " + m.spec().name()
                    + "; supported: RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1.");
        };
    }

    private static String name(String hash) {
        return hash.equals("SHA-1") ? OAEP_SHA_1 : OAEP_SHA_256;
    }

    private static void noSymmetricParameters(byte[] aad, byte[] iv, String paddingMode) {
        if ((aad != null && aad.length > 0) || (iv != null && iv.length > 0) || (paddingMode != null && !paddingMode.isEmpty())) {
            throw KmsException.invalid("Aad, Iv and PaddingMode do not apply to RSA encryption.");
        }
    }

    public static Job encrypt(KeyRing.Entry e, Commands.Encrypt cmd, Completion<Padded> done) {
        KeyMetadata m = e.metadata();
        String hash = hash(m, cmd.algorithm());
        noSymmetricParameters(cmd.aad(), cmd.iv(), cmd.paddingMode());
        int max = m.spec().size() / 8 - 2 * (hash.equals("SHA-1") ? 20 : 32) - 2;
        byte[] pt = cmd.plaintext() == null ? new byte[0] : cmd.plaintext();
        if (pt.length == 0 || pt.length > max) {
            throw KmsException.invalid("Plaintext must be 1 to " + max + " bytes for " + m.spec().name() + " with " + name(hash) + ".");
        }
        KeyVersion v = e.version(m.initialVersionId());
        return new EngineJob<>(done) {
            @Override
            protected Padded compute(WorkerContext ctx) {
                byte[] ct = ctx.session().rsaOaep(ctx.publicHandle(v, m.spec()), true, hash, pt);
                return new Padded(new Encrypted(m.keyId(), v.versionId(), ct, new byte[0], name(hash)), "");
            }
        };
    }

    public static Job decrypt(KeyRing.Entry e, Commands.Decrypt cmd, Completion<Decrypted> done) {
        KeyMetadata m = e.metadata();
        String hash = hash(m, cmd.algorithm());
        noSymmetricParameters(cmd.aad(), cmd.iv(), cmd.paddingMode());
        byte[] blob = cmd.ciphertextBlob() == null ? new byte[0] : cmd.ciphertextBlob();
        if (blob.length == 0) {
            throw KmsException.invalid("CiphertextBlob is required.");
        }
        KeyVersion v = SymmetricOps.version(e, cmd.keyVersionId());
        int k = m.spec().size() / 8;
        return new EngineJob<>(done) {
            @Override
            protected Decrypted compute(WorkerContext ctx) {
                if (blob.length != k) {
                    throw KmsException.decryptionFailed();
                }
                byte[] pt = ctx.session().rsaOaep(ctx.handle(v, m.spec()), false, hash, blob);
                return new Decrypted(m.keyId(), v.versionId(), pt, name(hash));
            }
        };
    }
}
