package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.backend.BackendSession.KeyKind;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import io.kmsgw.hsm.api.Curves;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/**
 * One {@link BackendSession} over a Cryptoki session: each call is the PKCS#11 sequence for it (generate and
 * wrap under the master key, unwrap to use, init then the single-part call), and every CKR is mapped to the
 * engine's errors in {@link #map}. Used by one thread at a time, as PKCS#11 sessions are.
 *
 * <p>Over 300 lines on purpose: it is the whole {@link BackendSession} surface, each method the few calls of one
 * operation, sharing the mechanism tables and the CKR mapping. Split by family, every part would repeat those.
 */
final class CryptokiSession implements BackendSession {
    private static final Mechanism KWP = Mechanism.of(CKM_AES_KEY_WRAP_KWP);

    private final Cryptoki hsm;
    private final long handle;
    private final long masterKey;

    CryptokiSession(Cryptoki hsm, long handle, long masterKey) {
        this.hsm = hsm;
        this.handle = handle;
        this.masterKey = masterKey;
    }

    /** CKRs that say the session (or the login, or the device) is gone: the session is replaced, not the request retried. */
    static boolean sessionLost(Ckr ckr) {
        return switch (ckr) {
            case SESSION_HANDLE_INVALID, SESSION_CLOSED, USER_NOT_LOGGED_IN, DEVICE_ERROR, DEVICE_REMOVED, DEVICE_MEMORY, TOKEN_NOT_PRESENT,
                 TOKEN_NOT_RECOGNIZED, CRYPTOKI_NOT_INITIALIZED, KEY_HANDLE_INVALID, OBJECT_HANDLE_INVALID,
                 UNWRAPPING_KEY_HANDLE_INVALID, WRAPPING_KEY_HANDLE_INVALID -> true;
            default -> false;
        };
    }

    private volatile boolean broken;

    @Override
    public boolean broken() {
        return broken;
    }

    /**
     * {@link #map}, noting a lost session first. A CKR_GENERAL_ERROR says nothing of the session: SoftHSM2 answers it to a
     * call caught by C_Finalize (another user of the module, or a reset), and the session is gone after it. So the session
     * is probed with a one-byte C_GenerateRandom; when that fails too, it is lost.
     */
    private KmsException fail(HsmException e) {
        if (sessionLost(e.ckr()) || e.ckr() == Ckr.GENERAL_ERROR && !alive()) {
            return lost(e);
        }
        return map(e);
    }

    private KmsException lost(HsmException e) {
        broken = true;
        return new KmsException(KmsError.UNAVAILABLE, "The HSM session was lost (" + e.getMessage() + "); it is being replaced.");
    }

    /** Whether the session still answers a cheap call (after an error that does not say). */
    private boolean alive() {
        try {
            hsm.generateRandom(handle, new byte[1]);
            return true;
        } catch (HsmException probe) {
            return !sessionLost(probe.ckr()) && probe.ckr() != Ckr.GENERAL_ERROR;
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CryptokiSession.class);
    /** When each unexpected CKR was last logged: at most one line a minute per code, however many requests meet it. */
    private static final java.util.concurrent.ConcurrentHashMap<Ckr, Long> LOGGED = new java.util.concurrent.ConcurrentHashMap<>();

    private static void logUnexpected(HsmException e) {
        long now = System.nanoTime();
        Long last = LOGGED.get(e.ckr());
        if ((last == null || now - last > 60_000_000_000L) && (last == null ? LOGGED.putIfAbsent(e.ckr(), now) == null
                : LOGGED.replace(e.ckr(), last, now))) {
            LOG.warn("the HSM answered {} (the request gets 500 InternalFailure; at most one line a minute per code)", e.getMessage());
        }
    }

    static KmsException map(HsmException e) {
        return switch (e.ckr()) {
            case ENCRYPTED_DATA_INVALID, ENCRYPTED_DATA_LEN_RANGE -> KmsException.decryptionFailed();
            case DATA_LEN_RANGE -> KmsException.invalid("The data length does not fit the algorithm.");
            case DEVICE_ERROR, SESSION_COUNT -> new KmsException(KmsError.UNAVAILABLE, "The HSM is temporarily unavailable.");
            case WRAPPED_KEY_INVALID -> new KmsException(KmsError.KEY_MATERIAL_DAMAGED, "The key material does not unwrap in the HSM.");
            case MECHANISM_INVALID -> new KmsException(KmsError.UNSUPPORTED_OPERATION, "The HSM does not offer this algorithm.");
            default -> {
                logUnexpected(e);
                yield new KmsException(KmsError.INTERNAL, "HSM call failed: " + e.getMessage());
            }
        };
    }

    private static final Map<String, ASN1ObjectIdentifier> CURVES = Map.of(
            "secp256r1", Curves.P256, "secp256k1", Curves.SECP256K1, "secp384r1", Curves.P384, "secp521r1", Curves.P521);

    /** DER DigestInfo prefixes for PKCS#1 v1.5 signatures over a digest. */
    private static final Map<String, byte[]> DIGEST_INFO = Map.of(
            "SHA-256", HexFormat.of().parseHex("3031300d060960864801650304020105000420"),
            "SHA-384", HexFormat.of().parseHex("3041300d060960864801650304020205000430"),
            "SHA-512", HexFormat.of().parseHex("3051300d060960864801650304020305000440"));

    private static long hashMechanism(String hash) {
        return switch (hash) {
            case "SHA-1" -> CKM_SHA_1;
            case "SHA-256" -> CKM_SHA256;
            case "SHA-384" -> CKM_SHA384;
            case "SHA-512" -> CKM_SHA512;
            default -> throw KmsException.invalid("Unsupported hash " + hash + ".");
        };
    }

    /** The public-key template of a pair: modulus bits (RSA) or named curve (EC); SM2 has one curve. */
    private static Template publicTemplate(KeyKind kind, int size, String curve) {
        Template pub = Template.of().set(CKA_TOKEN, false);
        if (kind == KeyKind.RSA) {
            pub.set(CKA_MODULUS_BITS, (long) size);
        } else if (kind == KeyKind.EC) {
            ASN1ObjectIdentifier oid = CURVES.get(curve);
            if (oid == null) {
                throw KmsException.invalid("Unsupported curve " + curve + ".");
            }
            pub.set(CKA_EC_PARAMS, Curves.params(oid));
        }
        return pub;
    }

    private static Mechanism pairMechanism(KeyKind kind) {
        return Mechanism.of(switch (kind) {
            case RSA -> CKM_RSA_PKCS_KEY_PAIR_GEN;
            case SM2 -> CKM_SM2_KEY_PAIR_GEN;
            default -> CKM_EC_KEY_PAIR_GEN;
        });
    }


    @Override
    public Generated generate(KeyKind kind, int size, String curve) {
        long[] made = {0, 0};
        try {
            switch (kind) {
                case AES, SM4, HMAC -> {
                    made[0] = hsm.generateKey(handle, Mechanism.of(kind == KeyKind.AES ? CKM_AES_KEY_GEN : kind == KeyKind.SM4
                            ? CKM_SM4_KEY_GEN : CKM_GENERIC_SECRET_KEY_GEN),
                            Template.of().set(CKA_VALUE_LEN, (long) (size / 8)).set(CKA_TOKEN, false).set(CKA_SENSITIVE, true)
                                    .set(CKA_EXTRACTABLE, true));
                    return new Generated(hsm.wrapKey(handle, KWP, masterKey, made[0]), null);
                }
                default -> {
                    long[] kp = hsm.generateKeyPair(handle, pairMechanism(kind), publicTemplate(kind, size, curve),
                            Template.of().set(CKA_TOKEN, false).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, true));
                    made[0] = kp[0];
                    made[1] = kp[1];
                    byte[] spki = hsm.getAttributeValue(handle, kp[0], CKA_VENDOR_PUBLIC_KEY_INFO).bytes(CKA_VENDOR_PUBLIC_KEY_INFO);
                    return new Generated(hsm.wrapKey(handle, KWP, masterKey, kp[1]), spki);
                }
            }
        } catch (HsmException e) {
            throw fail(e);
        } finally {
            destroySessionObjects(made);
        }
    }

    @Override
    public Imported importSecret(KeyKind wrappingKind, byte[] wrappingPrivate, Unwrap how, KeyKind kind, int bytes, byte[] encrypted,
                                 byte[] checkInput) {
        long[] made = {0, 0};
        try {
            made[0] = loadUnwrapping(wrappingKind, wrappingPrivate);
            Template secret = Template.of().set(CKA_TOKEN, false).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, true)
                    .set(CKA_CLASS, CKO_SECRET_KEY);
            switch (kind) {
                case AES -> secret.set(CKA_KEY_TYPE, CKK_AES).set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true);
                case SM4 -> secret.set(CKA_KEY_TYPE, CKK_SM4).set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true);
                default -> throw KmsException.invalid("Only AES and SM4 key material is imported.");
            }
            Mechanism m = switch (how) {
                case RSA_OAEP_SHA256 -> new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA256));
                case RSA_OAEP_SHA1 -> new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(CKM_SHA_1));
                case RSA_PKCS1 -> Mechanism.of(CKM_RSA_PKCS);
                case SM2 -> Mechanism.of(CKM_SM2_ENCRYPT);
            };
            try {
                made[1] = hsm.unwrapKey(handle, m, made[0], encrypted, secret);
            } catch (HsmException e) {
                throw switch (e.ckr()) {
                    case KEY_SIZE_RANGE, TEMPLATE_INCONSISTENT, ATTRIBUTE_VALUE_INVALID -> wrongLength(bytes, -1);
                    default -> importRefused(e, "it does not unwrap under the wrapping key of this ImportToken with its algorithm");
                };
            }
            // The length check: CKA_VALUE_LEN where the module sets it on unwrapped keys (SoftHSM2 leaves it 0), and always the
            // length of the key wrapped under the master key (RFC 5649: the key rounded up to 8 bytes, plus 8), which tells
            // AES-128, -192 and -256 apart; a length between those is no AES key, and the check value below fails on it.
            long length = hsm.getAttributeValue(handle, made[1], CKA_VALUE_LEN).num(CKA_VALUE_LEN, 0);
            byte[] wrapped = hsm.wrapKey(handle, KWP, masterKey, made[1]);
            if ((length > 0 && length != bytes) || wrapped.length != (bytes + 7) / 8 * 8 + 8) {
                throw wrongLength(bytes, length);
            }
            byte[] check;
            try {
                check = kind == KeyKind.SM4 ? sm4(made[1], CipherMode.ECB, true, null, null, checkInput)
                        : cipher(made[1], CipherMode.ECB, true, null, null, checkInput);
            } catch (KmsException e) {
                if (broken || e.error() == KmsError.UNAVAILABLE) {
                    throw e;
                }
                throw wrongLength(bytes, -1);
            }
            return new Imported(wrapped, check, null);
        } catch (HsmException e) {
            throw fail(e);
        } finally {
            destroySessionObjects(made);
        }
    }

    @Override
    public Imported importPrivate(byte[] wrappingPrivate, Unwrap how, KeyKind kind, byte[] encrypted) {
        if (how != Unwrap.RSA_OAEP_SHA256 && how != Unwrap.RSA_OAEP_SHA1) {
            throw KmsException.invalid("A private key is imported in an RSA-OAEP envelope.");
        }
        long[] made = {0, 0, 0};
        try {
            made[0] = loadUnwrapping(KeyKind.RSA, wrappingPrivate);
            int block = modulusBytes(hsm.getAttributeValue(handle, made[0], CKA_VENDOR_PUBLIC_KEY_INFO).bytes(CKA_VENDOR_PUBLIC_KEY_INFO));
            if (encrypted.length <= block + 16) {
                throw KmsException.invalid("EncryptedKeyMaterial is too short for an envelope: " + block + " bytes of RSA-OAEP (the AES "
                        + "key), then the private key wrapped under it.");
            }
            try {
                made[1] = hsm.unwrapKey(handle, new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(how == Unwrap.RSA_OAEP_SHA256
                        ? CKM_SHA256 : CKM_SHA_1)), made[0], Arrays.copyOf(encrypted, block), Template.of().set(CKA_TOKEN, false)
                        .set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false).set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES)
                        .set(CKA_UNWRAP, true));
            } catch (HsmException e) {
                throw importRefused(e, "the envelope's AES key does not unwrap under the wrapping key of this ImportToken with its "
                        + "algorithm");
            }
            Template priv = Template.of().set(CKA_TOKEN, false).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, true)
                    .set(CKA_CLASS, CKO_PRIVATE_KEY).set(CKA_SIGN, true);
            switch (kind) {
                case RSA -> priv.set(CKA_KEY_TYPE, CKK_RSA).set(CKA_DECRYPT, true);
                case EC -> priv.set(CKA_KEY_TYPE, CKK_EC);
                case SM2 -> priv.set(CKA_KEY_TYPE, CKK_SM2).set(CKA_DECRYPT, true);
                default -> throw KmsException.invalid("Only RSA, EC and SM2 private keys are imported in an envelope.");
            }
            try {
                made[2] = hsm.unwrapKey(handle, KWP, made[1], Arrays.copyOfRange(encrypted, block, encrypted.length), priv);
            } catch (HsmException e) {
                throw importRefused(e, "the envelope's private key does not unwrap under its AES key as a PKCS#8 " + kind + " key");
            }
            byte[] spki = hsm.getAttributeValue(handle, made[2], CKA_VENDOR_PUBLIC_KEY_INFO).bytes(CKA_VENDOR_PUBLIC_KEY_INFO);
            return new Imported(hsm.wrapKey(handle, KWP, masterKey, made[2]), null, spki);
        } catch (HsmException e) {
            throw fail(e);
        } finally {
            destroySessionObjects(made);
        }
    }

    /** The modulus length in bytes of an RSA SubjectPublicKeyInfo. */
    private static int modulusBytes(byte[] spki) {
        org.bouncycastle.asn1.pkcs.RSAPublicKey rsa = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(
                org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getOctets());
        return (rsa.getModulus().bitLength() + 7) / 8;
    }

    /** The private half of an import's wrapping pair (wrapped under the master key) as a session object that may unwrap. */
    private long loadUnwrapping(KeyKind kind, byte[] wrappingPrivate) {
        return hsm.unwrapKey(handle, KWP, masterKey, wrappingPrivate, Template.of().set(CKA_TOKEN, false).set(CKA_SENSITIVE, true)
                .set(CKA_EXTRACTABLE, false).set(CKA_CLASS, CKO_PRIVATE_KEY).set(CKA_KEY_TYPE, kind == KeyKind.SM2 ? CKK_SM2 : CKK_RSA)
                .set(CKA_UNWRAP, true));
    }

    /**
     * A refused step of an import as INVALID_PARAMETER, unless the session or the device is what failed. SoftHSM2 answers a
     * ciphertext that does not decrypt with CKR_GENERAL_ERROR; the other inputs of these calls are ours and sound.
     */
    private KmsException importRefused(HsmException e, String what) {
        return switch (e.ckr()) {
            case WRAPPED_KEY_INVALID, WRAPPED_KEY_LEN_RANGE, ENCRYPTED_DATA_INVALID, ENCRYPTED_DATA_LEN_RANGE, DATA_LEN_RANGE,
                 KEY_SIZE_RANGE, TEMPLATE_INCONSISTENT, ATTRIBUTE_VALUE_INVALID, UNWRAPPING_KEY_TYPE_INCONSISTENT ->
                    KmsException.invalid("EncryptedKeyMaterial: " + what + ".");
            case GENERAL_ERROR -> alive() ? KmsException.invalid("EncryptedKeyMaterial: " + what + ".") : lost(e);
            default -> fail(e);
        };
    }

    private static KmsException wrongLength(int bytes, long length) {
        return KmsException.invalid("EncryptedKeyMaterial holds " + (length <= 0 ? "a key of another length" : length + " bytes")
                + "; this key spec takes " + bytes + " bytes of key material.");
    }

    @Override
    public DataKeyPair generateDataKeyPair(KeyKind kind, int size, String curve) {
        long[] kp = {0, 0};
        try {
            kp = hsm.generateKeyPair(handle, pairMechanism(kind), publicTemplate(kind, size, curve),
                    Template.of().set(CKA_TOKEN, false).set(CKA_SENSITIVE, false).set(CKA_EXTRACTABLE, true));
            byte[] spki = hsm.getAttributeValue(handle, kp[0], CKA_VENDOR_PUBLIC_KEY_INFO).bytes(CKA_VENDOR_PUBLIC_KEY_INFO);
            byte[] pkcs8 = hsm.getAttributeValue(handle, kp[1], CKA_VALUE).bytes(CKA_VALUE);
            return new DataKeyPair(pkcs8, spki);
        } catch (HsmException e) {
            throw fail(e);
        } finally {
            destroySessionObjects(kp);
        }
    }

    /** Destroys the plaintext session objects a generation left behind; a failure here must not hide the result. */
    private void destroySessionObjects(long[] handles) {
        for (long h : handles) {
            if (h != 0) {
                unload(h);
            }
        }
    }

    @Override
    public long load(KeyKind kind, byte[] wrapped) {
        Template t = Template.of().set(CKA_TOKEN, false).set(CKA_SENSITIVE, true).set(CKA_EXTRACTABLE, false);
        switch (kind) {
            case AES -> t.set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_AES).set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true);
            case SM4 -> t.set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_SM4).set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true);
            case SM2 -> t.set(CKA_CLASS, CKO_PRIVATE_KEY).set(CKA_KEY_TYPE, CKK_SM2).set(CKA_SIGN, true).set(CKA_DECRYPT, true);
            case HMAC -> t.set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_GENERIC_SECRET).set(CKA_SIGN, true).set(CKA_VERIFY, true);
            case RSA -> t.set(CKA_CLASS, CKO_PRIVATE_KEY).set(CKA_KEY_TYPE, CKK_RSA).set(CKA_SIGN, true).set(CKA_DECRYPT, true);
            case EC -> t.set(CKA_CLASS, CKO_PRIVATE_KEY).set(CKA_KEY_TYPE, CKK_EC).set(CKA_SIGN, true);
            default -> throw new IllegalArgumentException(kind.name());
        }
        try {
            return hsm.unwrapKey(handle, KWP, masterKey, wrapped, t);
        } catch (HsmException e) {
            throw fail(e);
        }
    }

    @Override
    public long loadPublic(KeyKind kind, byte[] spki) {
        try {
            return hsm.createObject(handle, Template.of().set(CKA_CLASS, CKO_PUBLIC_KEY)
                    .set(CKA_KEY_TYPE, kind == KeyKind.RSA ? CKK_RSA : kind == KeyKind.SM2 ? CKK_SM2 : CKK_EC).set(CKA_VALUE, spki)
                    .set(CKA_TOKEN, false).set(CKA_VERIFY, true).set(CKA_ENCRYPT, kind == KeyKind.RSA || kind == KeyKind.SM2));
        } catch (HsmException e) {
            throw fail(e);
        }
    }

    @Override
    public void unload(long key) {
        try {
            hsm.destroyObject(handle, key);
        } catch (HsmException ignored) {
            // already gone with its session
        }
    }

    @Override
    public byte[] cipher(long key, CipherMode mode, boolean encrypt, byte[] iv, byte[] aad, byte[] data) {
        return crypt(block(mode, iv, aad, CKM_AES_GCM, CKM_AES_CBC, CKM_AES_CBC_PAD, CKM_AES_CTR, CKM_AES_ECB), key, encrypt, data);
    }

    @Override
    public byte[] sm4(long key, CipherMode mode, boolean encrypt, byte[] iv, byte[] aad, byte[] data) {
        return crypt(block(mode, iv, aad, CKM_SM4_GCM, CKM_SM4_CBC, CKM_SM4_CBC_PAD, CKM_SM4_CTR, CKM_SM4_ECB), key, encrypt, data);
    }

    @Override
    public byte[] sm2Crypt(long key, boolean encrypt, byte[] data) {
        return crypt(Mechanism.of(CKM_SM2_ENCRYPT), key, encrypt, data);
    }

    /** The block-cipher mechanism for a mode, given the family's mechanism types (AES or SM4). */
    private static Mechanism block(CipherMode mode, byte[] iv, byte[] aad, long gcm, long cbc, long cbcPad, long ctr, long ecb) {
        return switch (mode) {
            case GCM -> new Mechanism(gcm, new Mechanism.GcmParams(iv, aad, 128));
            case CBC -> new Mechanism(cbc, new Mechanism.IvParams(iv));
            case CBC_PAD -> new Mechanism(cbcPad, new Mechanism.IvParams(iv));
            case CTR -> new Mechanism(ctr, new Mechanism.IvParams(iv));
            case ECB -> Mechanism.of(ecb);
        };
    }

    private byte[] crypt(Mechanism m, long key, boolean encrypt, byte[] data) {
        try {
            if (encrypt) {
                hsm.encryptInit(handle, m, key);
                return hsm.encrypt(handle, data);
            }
            hsm.decryptInit(handle, m, key);
            return hsm.decrypt(handle, data);
        } catch (HsmException e) {
            throw fail(e);
        }
    }

    @Override
    public byte[] sm2Sign(long key, byte[] message, boolean digest) {
        try {
            hsm.signInit(handle, Mechanism.of(digest ? CKM_SM2 : CKM_SM3_SM2), key);
            return hsm.sign(handle, message);
        } catch (HsmException e) {
            throw fail(e);
        }
    }

    @Override
    public boolean sm2Verify(long key, byte[] message, boolean digest, byte[] signature) {
        return verified(Mechanism.of(digest ? CKM_SM2 : CKM_SM3_SM2), key, message, signature);
    }

    /** C_VerifyInit + C_Verify: false for a signature that does not verify (or has the wrong length), an error otherwise. */
    private boolean verified(Mechanism m, long key, byte[] input, byte[] signature) {
        try {
            hsm.verifyInit(handle, m, key);
            hsm.verify(handle, input, signature);
            return true;
        } catch (HsmException e) {
            if (e.ckr() == Ckr.SIGNATURE_INVALID || e.ckr() == Ckr.SIGNATURE_LEN_RANGE) {
                return false;
            }
            throw fail(e);
        }
    }

    @Override
    public byte[] rsaOaep(long key, boolean encrypt, String hash, byte[] data) {
        return crypt(new Mechanism(CKM_RSA_PKCS_OAEP, new Mechanism.OaepParams(hashMechanism(hash))), key, encrypt, data);
    }

    private Mechanism signMechanism(SignScheme scheme, String hash, byte[] digest) {
        return switch (scheme) {
            case RSA_PSS -> new Mechanism(CKM_RSA_PKCS_PSS, new Mechanism.PssParams(hashMechanism(hash), digest.length));
            case RSA_PKCS1 -> Mechanism.of(CKM_RSA_PKCS);
            case ECDSA -> Mechanism.of(CKM_ECDSA);
        };
    }

    private byte[] signInput(SignScheme scheme, String hash, byte[] digest) {
        if (scheme != SignScheme.RSA_PKCS1) {
            return digest;
        }
        byte[] prefix = DIGEST_INFO.get(hash);
        if (prefix == null) {
            throw KmsException.invalid("Unsupported hash " + hash + ".");
        }
        byte[] in = Arrays.copyOf(prefix, prefix.length + digest.length);
        System.arraycopy(digest, 0, in, prefix.length, digest.length);
        return in;
    }

    @Override
    public byte[] sign(long key, SignScheme scheme, String hash, byte[] digest) {
        try {
            hsm.signInit(handle, signMechanism(scheme, hash, digest), key);
            return hsm.sign(handle, signInput(scheme, hash, digest));
        } catch (HsmException e) {
            throw fail(e);
        }
    }

    @Override
    public boolean verify(long key, SignScheme scheme, String hash, byte[] digest, byte[] signature) {
        return verified(signMechanism(scheme, hash, digest), key, signInput(scheme, hash, digest), signature);
    }

    @Override
    public byte[] mac(long key, int bits, byte[] data) {
        long mech = switch (bits) {
            case 224 -> CKM_SHA224_HMAC;
            case 256 -> CKM_SHA256_HMAC;
            case 384 -> CKM_SHA384_HMAC;
            case 512 -> CKM_SHA512_HMAC;
            default -> throw KmsException.invalid("Unsupported HMAC size " + bits + ".");
        };
        try {
            hsm.signInit(handle, Mechanism.of(mech), key);
            return hsm.sign(handle, data);
        } catch (HsmException e) {
            throw fail(e);
        }
    }

    @Override
    public void random(byte[] out) {
        try {
            hsm.generateRandom(handle, out);
        } catch (HsmException e) {
            throw fail(e);
        }
    }

    @Override
    public void close() {
        try {
            hsm.closeSession(handle);
        } catch (HsmException ignored) {
            // library already finalised
        }
    }
}
