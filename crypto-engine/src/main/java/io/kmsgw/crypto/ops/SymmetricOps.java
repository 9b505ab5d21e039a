package io.kmsgw.crypto.ops;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results.DataKey;
import io.kmsgw.crypto.api.Results.Decrypted;
import io.kmsgw.crypto.api.Results.Encrypted;
import io.kmsgw.crypto.backend.BackendSession.CipherMode;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyState;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.key.KeyVersion;
import java.util.Arrays;

/**
 * Encrypt, Decrypt and GenerateDataKey with AES keys: AES_GCM (default; 12-byte IV, 128-bit tag,
 * ciphertext ‖ tag), AES_CBC and AES_ECB (PKCS7_PADDING by default, or NO_PADDING), AES_CTR. IVs the
 * request leaves empty are drawn by the HSM. Validation runs on the caller's thread against the
 * in-memory key ring and throws at once; only the HSM work becomes a {@link Job}.
 */
public final class SymmetricOps {
    public static final String AES_GCM = "AES_GCM";
    public static final String PKCS7 = "PKCS7_PADDING";
    public static final String NO_PADDING = "NO_PADDING";
    public static final int GCM_IV_BYTES = 12;
    public static final int BLOCK = 16;
    public static final int TAG_BYTES = 16;
    /** Largest Encrypt plaintext, as the KMS instance API documents (6 KB). */
    public static final int MAX_PLAINTEXT = 6144;
    public static final int MAX_AAD = 8192;
    public static final int MAX_CIPHERTEXT = MAX_PLAINTEXT + 1024 + TAG_BYTES;
    public static final int DEFAULT_DATA_KEY_BYTES = 32;
    public static final int MAX_DATA_KEY_BYTES = 1024;

    private SymmetricOps() {
    }

    /** How one request uses AES or SM4: the mode, the padding it applies, the IV it needs, whether the engine pads. */
    record Plan(String algorithm, CipherMode mode, String padding, int ivBytes, boolean enginePads, boolean sm4) {
        byte[] run(WorkerContext ctx, KeyMetadata m, KeyVersion v, boolean encrypt, byte[] iv, byte[] aad, byte[] data) {
            long h = ctx.handle(v, m.spec());
            return sm4 ? ctx.session().sm4(h, mode, encrypt, iv, aad, data) : ctx.session().cipher(h, mode, encrypt, iv, aad, data);
        }
    }

    /** The state checks every key operation shares, then the usage and family the operation needs. */
    public static void checkUsable(KeyMetadata m, KeyUsage usage, KeySpec.Kind... kinds) {
        if (m.state() == KeyState.Disabled) {
            throw new KmsException(KmsError.KEY_DISABLED, "The request was rejected because the key state is Disabled.");
        }
        if (m.state() == KeyState.PendingDeletion) {
            throw new KmsException(KmsError.KEY_PENDING_DELETION, "The request was rejected because the key state is PendingDeletion.");
        }
        if (m.state() == KeyState.PendingImport) {
            throw new KmsException(KmsError.KEY_PENDING_IMPORT, "The request was rejected because the key state is PendingImport.");
        }
        boolean kindOk = kinds.length == 0 || Arrays.asList(kinds).contains(m.spec().kind());
        if (m.usage() != usage || !kindOk) {
            throw new KmsException(KmsError.UNSUPPORTED_OPERATION, "The key " + m.keyId() + " (" + m.spec().name() + ", "
                    + m.usage().wireName() + ") does not support this operation.");
        }
    }

    static Plan plan(KeyMetadata m, String algorithm, String paddingMode) {
        boolean sm4 = m.spec().kind() == KeySpec.Kind.SM4;
        String prefix = sm4 ? "SM4_" : "AES_";
        String alg = algorithm == null || algorithm.isEmpty() ? prefix + "GCM" : algorithm;
        String pad = paddingMode == null ? "" : paddingMode;
        if (!alg.startsWith(prefix)) {
            throw KmsException.invalid("Algorithm " + alg + " is not supported for key spec " + m.spec().name() + "; supported: "
                    + prefix + "GCM, " + prefix + "CBC, " + prefix + "CTR, " + prefix + "ECB.");
        }
        switch (alg.substring(4)) {
            case "GCM" -> {
                requireNoPadding(alg, pad);
                return new Plan(alg, CipherMode.GCM, "", GCM_IV_BYTES, false, sm4);
            }
            case "CTR" -> {
                requireNoPadding(alg, pad);
                return new Plan(alg, CipherMode.CTR, "", BLOCK, false, sm4);
            }
            case "CBC", "ECB" -> {
                boolean padded;
                if (pad.isEmpty() || pad.equals(PKCS7)) {
                    padded = true;
                } else if (pad.equals(NO_PADDING)) {
                    padded = false;
                } else {
                    throw KmsException.invalid("PaddingMode " + pad + " is invalid for " + alg + "; valid: PKCS7_PADDING, NO_PADDING.");
                }
                boolean cbc = alg.endsWith("_CBC");
                CipherMode mode = cbc ? (padded ? CipherMode.CBC_PAD : CipherMode.CBC) : CipherMode.ECB;
                return new Plan(alg, mode, padded ? PKCS7 : NO_PADDING, cbc ? BLOCK : 0, !cbc && padded, sm4);
            }
            default -> throw KmsException.invalid("Algorithm " + alg + " is not supported for key spec " + m.spec().name()
                    + "; supported: " + prefix + "GCM, " + prefix + "CBC, " + prefix + "CTR, " + prefix + "ECB.");
        }
    }

    private static void requireNoPadding(String alg, String pad) {
        if (!pad.isEmpty() && !pad.equals(NO_PADDING)) {
            throw KmsException.invalid("PaddingMode must be empty for " + alg + ".");
        }
    }

    private static byte[] orEmpty(byte[] b) {
        return b == null ? new byte[0] : b;
    }

    private static void checkAad(Plan p, byte[] aad) {
        if (aad != null && aad.length > 0 && p.mode() != CipherMode.GCM) {
            throw KmsException.invalid("Aad is only allowed with AES_GCM and SM4_GCM.");
        }
        if (aad != null && aad.length > MAX_AAD) {
            throw KmsException.invalid("Aad is longer than " + MAX_AAD + " bytes.");
        }
    }

    private static void checkIv(Plan p, byte[] iv, boolean required) {
        int n = iv == null ? 0 : iv.length;
        if (p.ivBytes() == 0) {
            if (n != 0) {
                throw KmsException.invalid("Iv must be empty for " + p.algorithm() + ".");
            }
        } else if ((n != 0 || required) && n != p.ivBytes()) {
            throw KmsException.invalid("Iv must be " + p.ivBytes() + " bytes for " + p.algorithm() + ".");
        }
    }

    /** PKCS#7 padding to the AES block (ECB; CBC's is done in the HSM). */
    static byte[] pad(byte[] data) {
        int n = BLOCK - data.length % BLOCK;
        byte[] out = Arrays.copyOf(data, data.length + n);
        Arrays.fill(out, data.length, out.length, (byte) n);
        return out;
    }

    /** Removes PKCS#7 padding, checking every pad byte without an early exit; uniform failure. */
    static byte[] unpad(byte[] data) {
        if (data.length == 0 || data.length % BLOCK != 0) {
            throw KmsException.decryptionFailed();
        }
        int n = data[data.length - 1] & 0xff;
        int bad = (n == 0 || n > BLOCK) ? 1 : 0;
        int limit = Math.min(n, BLOCK);
        for (int i = 1; i <= BLOCK; i++) {
            int b = data[data.length - i] & 0xff;
            bad |= (i <= limit ? 1 : 0) & (b != n ? 1 : 0);
        }
        if (bad != 0) {
            throw KmsException.decryptionFailed();
        }
        return Arrays.copyOf(data, data.length - n);
    }

    public static Job encrypt(KeyRing.Entry e, Commands.Encrypt cmd, Completion<io.kmsgw.crypto.api.Results.Padded> done) {
        KeyMetadata m = e.metadata();
        Plan p = plan(m, cmd.algorithm(), cmd.paddingMode());
        byte[] pt = orEmpty(cmd.plaintext());
        if (pt.length == 0 || pt.length > MAX_PLAINTEXT) {
            throw KmsException.invalid("Plaintext must be 1 to " + MAX_PLAINTEXT + " bytes.");
        }
        if (!p.padding().equals(PKCS7) && (p.mode() == CipherMode.CBC || p.mode() == CipherMode.ECB) && pt.length % BLOCK != 0) {
            throw KmsException.invalid("With NO_PADDING the plaintext must be a multiple of 16 bytes.");
        }
        checkIv(p, cmd.iv(), false);
        checkAad(p, cmd.aad());
        KeyVersion v = e.version(m.initialVersionId());
        byte[] aad = orEmpty(cmd.aad());
        return new EngineJob<>(done) {
            @Override
            protected io.kmsgw.crypto.api.Results.Padded compute(WorkerContext ctx) {
                byte[] iv = cmd.iv();
                if (p.ivBytes() > 0 && (iv == null || iv.length == 0)) {
                    iv = new byte[p.ivBytes()];
                    ctx.session().random(iv);
                }
                byte[] in = p.enginePads() ? pad(pt) : pt;
                byte[] ct = p.run(ctx, m, v, true, iv == null ? new byte[0] : iv, aad, in);
                return new io.kmsgw.crypto.api.Results.Padded(
                        new Encrypted(m.keyId(), v.versionId(), ct, iv == null ? new byte[0] : iv, p.algorithm()), p.padding());
            }
        };
    }

    public static Job decrypt(KeyRing.Entry e, Commands.Decrypt cmd, Completion<Decrypted> done) {
        KeyMetadata m = e.metadata();
        Plan p = plan(m, cmd.algorithm(), cmd.paddingMode());
        checkIv(p, cmd.iv(), true);
        byte[] blob = orEmpty(cmd.ciphertextBlob());
        if (blob.length == 0) {
            throw KmsException.invalid("CiphertextBlob is required.");
        }
        if (blob.length > MAX_CIPHERTEXT) {
            throw KmsException.invalid("CiphertextBlob is longer than " + MAX_CIPHERTEXT + " bytes.");
        }
        checkAad(p, cmd.aad());
        KeyVersion v = version(e, cmd.keyVersionId());
        byte[] aad = orEmpty(cmd.aad());
        byte[] iv = cmd.iv() == null ? new byte[0] : cmd.iv();
        return new EngineJob<>(done) {
            @Override
            protected Decrypted compute(WorkerContext ctx) {
                boolean blockMode = p.mode() == CipherMode.CBC || p.mode() == CipherMode.CBC_PAD || p.mode() == CipherMode.ECB;
                if ((p.mode() == CipherMode.GCM && blob.length < TAG_BYTES) || (blockMode && blob.length % BLOCK != 0)) {
                    throw KmsException.decryptionFailed();
                }
                byte[] out = p.run(ctx, m, v, false, iv, aad, blob);
                return new Decrypted(m.keyId(), v.versionId(), p.enginePads() ? unpad(out) : out, p.algorithm());
            }
        };
    }

    /** The version a request names (x-kms-migrationkeyversionid), else the key's initial version. */
    static KeyVersion version(KeyRing.Entry e, String requested) {
        KeyMetadata m = e.metadata();
        String versionId = requested == null || requested.isEmpty() ? m.initialVersionId() : requested;
        KeyVersion v = e.version(versionId);
        if (v == null) {
            throw KmsException.invalid("The key version " + versionId + " is not a version of key " + m.keyId() + ".");
        }
        return v;
    }

    public static Job generateDataKey(KeyRing ring, Commands.DataKey cmd, Completion<DataKey> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        KeyMetadata m = e.metadata();
        checkUsable(m, KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
        if (cmd.algorithm() != null && !cmd.algorithm().isEmpty() && !AES_GCM.equals(cmd.algorithm())) {
            throw KmsException.invalid("Algorithm " + cmd.algorithm() + " is not supported for GenerateDataKey; supported: AES_GCM.");
        }
        int n = cmd.numberOfBytes() == 0 ? DEFAULT_DATA_KEY_BYTES : cmd.numberOfBytes();
        if (n < 1 || n > MAX_DATA_KEY_BYTES) {
            throw KmsException.invalid("NumberOfBytes must be 1 to " + MAX_DATA_KEY_BYTES + ".");
        }
        if (cmd.aad() != null && cmd.aad().length > MAX_AAD) {
            throw KmsException.invalid("Aad is longer than " + MAX_AAD + " bytes.");
        }
        KeyVersion v = e.version(m.initialVersionId());
        byte[] aad = orEmpty(cmd.aad());
        return new EngineJob<>(done) {
            @Override
            protected DataKey compute(WorkerContext ctx) {
                byte[] dataKey = new byte[n];
                ctx.session().random(dataKey);
                byte[] iv = new byte[GCM_IV_BYTES];
                ctx.session().random(iv);
                byte[] ct = ctx.session().encryptGcm(ctx.handle(v, m.spec()), iv, aad, dataKey);
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
