package io.kmsgw.crypto.ops;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.backend.BackendSession.KeyKind;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.key.KeyVersion;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Semaphore;

/**
 * GenerateDataKeyPair(WithoutPlaintext) and their Advance variants: an RSA or EC key pair generated in
 * the HSM for the caller, the private key (PKCS#8, PEM or DER) encrypted with AES-GCM under a symmetric
 * KMS key. Key pair generation is slow (RSA-4096: seconds), so a semaphore caps how many run at once;
 * beyond it the request is refused at once with "Concurrency Limit Exceeded.".
 */
public final class DataKeyPairOps {
    private final Semaphore permits;

    public DataKeyPairOps(int maxConcurrent) {
        this.permits = new Semaphore(maxConcurrent);
    }

    private record PairSpec(KeyKind kind, int size, String curve) {
    }

    private static PairSpec pairSpec(String name) {
        return switch (name == null ? "" : name) {
            case "RSA_2048" -> new PairSpec(KeyKind.RSA, 2048, null);
            case "RSA_3072" -> new PairSpec(KeyKind.RSA, 3072, null);
            case "RSA_4096" -> new PairSpec(KeyKind.RSA, 4096, null);
            case "EC_P256" -> new PairSpec(KeyKind.EC, 256, "secp256r1");
            case "EC_P256K" -> new PairSpec(KeyKind.EC, 256, "secp256k1");
            default -> throw KmsException.invalid("KeyPairSpec " + name + " is invalid; valid: RSA_2048, RSA_3072, RSA_4096, EC_P256, "
                    + "EC_P256K.");
        };
    }

    private static boolean pem(String format) {
        if (format == null || format.isEmpty() || format.equals("PEM")) {
            return true;
        }
        if (format.equals("DER")) {
            return false;
        }
        throw KmsException.invalid("KeyFormat " + format + " is invalid; valid: PEM, DER.");
    }

    static byte[] pem(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    public Job generate(KeyRing ring, Commands.DataKeyPair cmd, Completion<Results.DataKeyPair> done) {
        KeyRing.Entry e = ring.resolve(cmd.keyId());
        KeyMetadata m = e.metadata();
        SymmetricOps.checkUsable(m, KeyUsage.ENCRYPT_DECRYPT, KeySpec.Kind.AES);
        if (cmd.algorithm() != null && !cmd.algorithm().isEmpty() && !cmd.algorithm().equals(SymmetricOps.AES_GCM)) {
            throw KmsException.invalid("Algorithm " + cmd.algorithm() + " is invalid; supported: AES_GCM.");
        }
        PairSpec spec = pairSpec(cmd.keyPairSpec());
        boolean asPem = pem(cmd.keyFormat());
        byte[] aad = cmd.aad() == null ? new byte[0] : cmd.aad();
        if (aad.length > SymmetricOps.MAX_AAD) {
            throw KmsException.invalid("Aad is longer than " + SymmetricOps.MAX_AAD + " bytes.");
        }
        KeyVersion v = e.version(cmd.advance() ? m.primaryVersionId() : m.initialVersionId());
        if (!permits.tryAcquire()) {
            throw new KmsException(KmsError.THROTTLED, "Concurrency Limit Exceeded.");
        }
        Completion<Results.DataKeyPair> release = (r, err) -> {
            permits.release();
            done.complete(r, err);
        };
        return new EngineJob<>(release) {
            @Override
            protected Results.DataKeyPair compute(WorkerContext ctx) {
                BackendSession s = ctx.session();
                BackendSession.DataKeyPair pair = s.generateDataKeyPair(spec.kind(), spec.size(), spec.curve());
                byte[] priv = asPem ? pem("PRIVATE KEY", pair.privateKey()) : pair.privateKey();
                byte[] pub = asPem ? pem("PUBLIC KEY", pair.publicKey()) : pair.publicKey();
                byte[] iv = new byte[SymmetricOps.GCM_IV_BYTES];
                s.random(iv);
                byte[] ct = s.encryptGcm(ctx.handle(v, m.spec()), iv, aad, priv);
                byte[] blob = cmd.advance() ? AdvanceOps.blob(v.versionId(), iv, ct) : ct;
                if (asPem) {
                    // the DER the PEM was made from is ours to wipe; in DER the array itself is the answer
                    java.util.Arrays.fill(pair.privateKey(), (byte) 0);
                }
                return new Results.DataKeyPair(m.keyId(), v.versionId(), cmd.keyPairSpec(), priv, blob, pub, iv, SymmetricOps.AES_GCM);
            }
        };
    }
}
