package io.kmsgw.crypto.ops;

import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results.PublicKey;
import io.kmsgw.crypto.api.Results.Signed;
import io.kmsgw.crypto.api.Results.Verified;
import io.kmsgw.crypto.backend.BackendSession.SignScheme;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;
import io.kmsgw.crypto.api.KeyMetadata;
import io.kmsgw.crypto.key.KeyRing;
import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.api.KeyUsage;
import io.kmsgw.crypto.key.KeyVersion;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/**
 * Sign, Verify and GetPublicKey with RSA and EC keys of usage SIGN/VERIFY. Algorithms: RSA_PSS_SHA_256
 * (RSA default; salt = 32), RSA_PKCS1_SHA_256, and ECDSA_SHA_256 / _384 / _512 by curve. MessageType
 * RAW (default: the engine hashes Message) or DIGEST (Message, or the legacy Digest field, is the
 * digest). ECDSA signatures are DER on the wire; the HSM works in r ‖ s.
 */
public final class SignOps {
    private SignOps() {
    }

    /** What a request signs with: the scheme (null for SM2DSA), the hash, the wire names, and the digest (SM2: the message). */
    record Plan(SignScheme scheme, String hash, String algorithm, String messageType, byte[] digest) {
        boolean sm2() {
            return scheme == null;
        }

        /** The input is the digest (MessageType DIGEST), not the message. */
        boolean digestGiven() {
            return messageType.equals("DIGEST");
        }
    }

    static Plan plan(KeyMetadata m, String algorithm, String messageType, byte[] message, byte[] legacyDigest) {
        SymmetricOps.checkUsable(m, KeyUsage.SIGN_VERIFY, KeySpec.Kind.RSA, KeySpec.Kind.EC, KeySpec.Kind.SM2);
        String alg = algorithm == null || algorithm.isEmpty() ? defaultAlgorithm(m.spec()) : algorithm;
        if (m.spec().kind() == KeySpec.Kind.SM2) {
            if (!alg.equals("SM2DSA")) {
                throw KmsException.invalid("Algorithm " + alg + " does not fit key spec EC_SM2; supported: SM2DSA.");
            }
            // DIGEST: Message is e = SM3(Z_A || M) (GB/T 32918.2, default user id), as the transfer clients send it
            boolean legacy = legacyDigest != null && legacyDigest.length > 0;
            String type = legacy ? "DIGEST" : messageType == null || messageType.isEmpty() ? "RAW" : messageType;
            if (type.equals("DIGEST")) {
                byte[] e = legacy ? legacyDigest : message;
                if (e == null || e.length != 32) {
                    throw KmsException.invalid("With MessageType DIGEST the digest must be the 32-byte SM3(Z_A || M) of the message.");
                }
                return new Plan(null, "SM3", alg, type, e);
            }
            if (!type.equals("RAW")) {
                throw KmsException.invalid("MessageType " + type + " is invalid; valid: RAW, DIGEST.");
            }
            if (message == null || message.length == 0 || message.length > 4096) {
                throw KmsException.invalid("Message must be 1 to 4096 bytes with MessageType RAW.");
            }
            return new Plan(null, "SM3", alg, type, message);
        }
        SignScheme scheme;
        String hash;
        switch (alg) {
            case "RSA_PSS_SHA_256" -> {
                scheme = SignScheme.RSA_PSS;
                hash = "SHA-256";
            }
            case "RSA_PKCS1_SHA_256" -> {
                scheme = SignScheme.RSA_PKCS1;
                hash = "SHA-256";
            }
            case "ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512" -> {
                scheme = SignScheme.ECDSA;
                hash = "SHA-" + alg.substring(alg.length() - 3);
            }
            default -> throw KmsException.invalid("Algorithm " + alg + " is invalid; supported for " + m.spec().name() + ": "
                    + supported(m.spec()) + ".");
        }
        if (!supported(m.spec()).contains(alg)) {
            throw KmsException.invalid("Algorithm " + alg + " does not fit key spec " + m.spec().name() + "; supported: "
                    + supported(m.spec()) + ".");
        }
        boolean legacy = legacyDigest != null && legacyDigest.length > 0;
        String type = legacy ? "DIGEST" : messageType == null || messageType.isEmpty() ? "RAW" : messageType;
        byte[] digest;
        if (type.equals("RAW")) {
            if (message == null || message.length == 0 || message.length > 4096) {
                throw KmsException.invalid("Message must be 1 to 4096 bytes with MessageType RAW.");
            }
            digest = digest(hash, message);
        } else if (type.equals("DIGEST")) {
            digest = legacy ? legacyDigest : message;
            int want = Integer.parseInt(hash.substring(4)) / 8;
            if (digest == null || digest.length != want) {
                throw KmsException.invalid("With MessageType DIGEST the digest must be the " + want + "-byte " + hash + " of the message.");
            }
        } else {
            throw KmsException.invalid("MessageType " + type + " is invalid; valid: RAW, DIGEST.");
        }
        return new Plan(scheme, hash, alg, type, digest);
    }

    static String defaultAlgorithm(KeySpec spec) {
        return switch (spec) {
            case EC_P384 -> "ECDSA_SHA_384";
            case EC_P521 -> "ECDSA_SHA_512";
            case EC_P256, EC_P256K -> "ECDSA_SHA_256";
            case EC_SM2 -> "SM2DSA";
            default -> "RSA_PSS_SHA_256";
        };
    }

    static String supported(KeySpec spec) {
        return spec.kind() == KeySpec.Kind.RSA ? "RSA_PSS_SHA_256, RSA_PKCS1_SHA_256" : defaultAlgorithm(spec);
    }

    private static byte[] digest(String hash, byte[] message) {
        try {
            return MessageDigest.getInstance(hash).digest(message);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Curve orders for the DER ↔ r‖s conversion (ECDSA curves; SM2 signatures are DER end to end), looked up once (a named-curve lookup per call cost ~tens of µs). */
    private static final java.util.Map<KeySpec, BigInteger> ORDERS = new java.util.EnumMap<>(KeySpec.class);

    static {
        for (KeySpec s : KeySpec.values()) {
            if (s.curve() != null && s.kind() == KeySpec.Kind.EC) {
                ORDERS.put(s, ECNamedCurveTable.getByName(s.curve()).getN());
            }
        }
    }

    private static BigInteger order(KeySpec spec) {
        return ORDERS.get(spec);
    }

    public static Job sign(KeyRing.Entry e, Commands.Sign cmd, Completion<Signed> done) {
        KeyMetadata m = e.metadata();
        Plan p = plan(m, cmd.algorithm(), cmd.messageType(), cmd.message(), cmd.digest());
        KeyVersion v = SymmetricOps.version(e, cmd.keyVersionId());
        return new EngineJob<>(done) {
            @Override
            protected Signed compute(WorkerContext ctx) {
                if (p.sm2()) {
                    return new Signed(m.keyId(), v.versionId(), ctx.session().sm2Sign(ctx.handle(v, m.spec()), p.digest(), p.digestGiven()), p.algorithm(),
                            p.messageType());
                }
                byte[] sig = ctx.session().sign(ctx.handle(v, m.spec()), p.scheme(), p.hash(), p.digest());
                if (p.scheme() == SignScheme.ECDSA) {
                    BigInteger n = order(m.spec());
                    try {
                        BigInteger[] rs = PlainDSAEncoding.INSTANCE.decode(n, sig);
                        sig = StandardDSAEncoding.INSTANCE.encode(n, rs[0], rs[1]);
                    } catch (IOException ex) {
                        throw new IllegalStateException("HSM returned a malformed ECDSA signature", ex);
                    }
                }
                return new Signed(m.keyId(), v.versionId(), sig, p.algorithm(), p.messageType());
            }
        };
    }

    public static Job verify(KeyRing.Entry e, Commands.Sign cmd, byte[] signature, Completion<Verified> done) {
        KeyMetadata m = e.metadata();
        Plan p = plan(m, cmd.algorithm(), cmd.messageType(), cmd.message(), cmd.digest());
        if (signature == null || signature.length == 0 || signature.length > 1024) {
            throw KmsException.invalid("Signature must be 1 to 1024 bytes.");
        }
        KeyVersion v = SymmetricOps.version(e, cmd.keyVersionId());
        return new EngineJob<>(done) {
            @Override
            protected Verified compute(WorkerContext ctx) {
                if (p.sm2()) {
                    return new Verified(m.keyId(), v.versionId(), ctx.session().sm2Verify(ctx.publicHandle(v, m.spec()), p.digest(), p.digestGiven(), signature),
                            p.algorithm(), p.messageType());
                }
                byte[] sig = signature;
                if (p.scheme() == SignScheme.ECDSA) {
                    BigInteger n = order(m.spec());
                    try {
                        BigInteger[] rs = StandardDSAEncoding.INSTANCE.decode(n, signature);
                        sig = PlainDSAEncoding.INSTANCE.encode(n, rs[0], rs[1]);
                    } catch (IOException | RuntimeException ex) {
                        // the caller's bytes are not a DER signature (BouncyCastle throws ClassCastException and others
                        // for some malformed encodings): it does not verify, and that is all it is
                        return new Verified(m.keyId(), v.versionId(), false, p.algorithm(), p.messageType());
                    }
                }
                boolean ok = ctx.session().verify(ctx.publicHandle(v, m.spec()), p.scheme(), p.hash(), p.digest(), sig);
                return new Verified(m.keyId(), v.versionId(), ok, p.algorithm(), p.messageType());
            }
        };
    }

    /** GetPublicKey: the named (else the initial) version's SubjectPublicKeyInfo as PEM (public data: no HSM call). */
    public static PublicKey publicKey(KeyRing.Entry e, String keyVersionId) {
        KeyMetadata m = e.metadata();
        if (m.spec().kind() != KeySpec.Kind.RSA && m.spec().kind() != KeySpec.Kind.EC && m.spec().kind() != KeySpec.Kind.SM2) {
            throw new KmsException(io.kmsgw.crypto.api.KmsError.UNSUPPORTED_OPERATION, "The key " + m.keyId() + " ("
                    + m.spec().name() + ") has no public key.");
        }
        SymmetricOps.checkUsable(m, m.usage());
        KeyVersion v = SymmetricOps.version(e, keyVersionId);
        String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(v.publicKey());
        return new PublicKey(m.keyId(), v.versionId(), "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n");
    }
}
