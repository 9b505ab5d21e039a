package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import java.io.IOException;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The simulator's conventions, which {@link CryptokiSession} uses, expressed in standard PKCS#11 for a real module:
 * public keys as DER SubjectPublicKeyInfo (read and created from modulus and exponent, or curve and point), a data key
 * pair's private half as PKCS#8 (from its components), {@code CKM_AES_KEY_WRAP_KWP} as the module's RFC 5649 mechanism
 * (v3.0's, or v2.40's {@code CKM_AES_KEY_WRAP_PAD}), CTR with a whole 128-bit counter block.
 */
final class Pkcs11Translation {
    /** Raw RSA (m^d mod n), for OAEP decoded outside a module that offers OAEP only with SHA-1. */
    static final long CKM_RSA_X_509 = 0x0003;
    /** PKCS#11 v2.40's name and number for RFC 5649 wrapping (v3.0 calls 0x210B KWP). */
    static final long CKM_AES_KEY_WRAP_PAD = 0x210A;
    private static final long CKA_PRIME_1 = 0x124;
    private static final long CKA_PRIME_2 = 0x125;
    private static final long CKA_EXPONENT_1 = 0x126;
    private static final long CKA_EXPONENT_2 = 0x127;
    private static final long CKA_COEFFICIENT = 0x128;

    /** CK_AES_CTR_PARAMS: how many low bits of the block count, and the initial counter block. */
    record CtrParams(long counterBits, byte[] counterBlock) {
    }

    private final NativeCryptoki hsm;
    private volatile Set<Long> mechanisms = Set.of();

    Pkcs11Translation(NativeCryptoki hsm) {
        this.hsm = hsm;
    }

    /** Learns which mechanisms the token in {@code slot} offers (for the wrap mechanism's number). */
    void useSlot(long slot) {
        Set<Long> m = new HashSet<>();
        for (long mech : hsm.getMechanismList(slot)) {
            m.add(mech);
        }
        mechanisms = Set.copyOf(m);
        // SoftHSM2 before 2.7 takes OAEP with SHA-1 only (its C_DecryptInit answers CKR_ARGUMENTS_BAD for any other hash)
        oaepSha1Only = hsm.getSlotInfo(slot).description().startsWith("SoftHSM") && mechanisms.contains(CKM_RSA_PKCS_OAEP);
    }

    Mechanism mechanism(Mechanism m) {
        if (m.type() == CKM_AES_KEY_WRAP_KWP && !mechanisms.contains(CKM_AES_KEY_WRAP_KWP) && mechanisms.contains(CKM_AES_KEY_WRAP_PAD)) {
            return new Mechanism(CKM_AES_KEY_WRAP_PAD, m.param());
        }
        if (m.type() == CKM_AES_CTR && m.param() instanceof Mechanism.IvParams iv && iv.iv().length == 16) {
            return new Mechanism(CKM_AES_CTR, new CtrParams(128, iv.iv()));
        }
        return m;
    }

    /**
     * Whether OAEP with {@code hashMechanism} is decoded here over raw RSA: only for a hash other than SHA-1 on a module that
     * has raw RSA and whose OAEP takes only SHA-1 — SoftHSM2 2.6 refuses any other OAEP hash with CKR_ARGUMENTS_BAD. The
     * padded block is the plaintext and its padding, nothing of the key; BouncyCastle's OAEP decoder checks the padding.
     */
    boolean decodesOaepHere(long hashMechanism) {
        return hashMechanism != CKM_SHA_1 && oaepSha1Only && mechanisms.contains(CKM_RSA_X_509);
    }

    /** Set by {@link #useSlot}: true for a module known to offer OAEP with SHA-1 only (SoftHSM2 before 2.7). */
    private volatile boolean oaepSha1Only;

    boolean oaepSha1Only() {
        return oaepSha1Only;
    }

    /** OAEP-encodes {@code message} for a modulus of {@code k} bytes: the k-byte block raw RSA then encrypts. */
    static byte[] oaepEncode(byte[] message, int k, long hashMechanism) {
        DecodedBlock capture = new DecodedBlock(new byte[k]);
        org.bouncycastle.crypto.encodings.OAEPEncoding oaep = new org.bouncycastle.crypto.encodings.OAEPEncoding(capture,
                digest(hashMechanism).get(), digest(hashMechanism).get(), null);
        oaep.init(true, new org.bouncycastle.crypto.params.ParametersWithRandom(null, new java.security.SecureRandom()));
        try {
            byte[] em = oaep.processBlock(message, 0, message.length); // the engine hands back the k-1 byte block it was given
            byte[] block = new byte[k];
            System.arraycopy(em, 0, block, k - em.length, em.length);
            return block;
        } catch (org.bouncycastle.crypto.InvalidCipherTextException | org.bouncycastle.crypto.DataLengthException e) {
            throw new HsmException(Ckr.DATA_LEN_RANGE, "OAEP: the message is too long for the key");
        }
    }

    private static java.util.function.Supplier<org.bouncycastle.crypto.Digest> digest(long hashMechanism) {
        java.util.function.Supplier<org.bouncycastle.crypto.Digest> d = hashMechanism == CKM_SHA256
                ? org.bouncycastle.crypto.digests.SHA256Digest::new : hashMechanism == CKM_SHA384
                ? org.bouncycastle.crypto.digests.SHA384Digest::new : hashMechanism == CKM_SHA512
                ? org.bouncycastle.crypto.digests.SHA512Digest::new : hashMechanism == CKM_SHA224
                ? org.bouncycastle.crypto.digests.SHA224Digest::new : null;
        if (d == null) {
            throw new HsmException(Ckr.MECHANISM_PARAM_INVALID, "no OAEP hash 0x" + Long.toHexString(hashMechanism));
        }
        return d;
    }

    /** OAEP-decodes {@code em}, the raw RSA result for a ciphertext of {@code k} bytes; a bad padding is ENCRYPTED_DATA_INVALID. */
    static byte[] oaepDecode(byte[] em, int k, long hashMechanism) {
        byte[] block = new byte[k];
        System.arraycopy(em, Math.max(0, em.length - k), block, k - Math.min(k, em.length), Math.min(k, em.length));
        java.util.function.Supplier<org.bouncycastle.crypto.Digest> digest = digest(hashMechanism);
        org.bouncycastle.crypto.encodings.OAEPEncoding oaep = new org.bouncycastle.crypto.encodings.OAEPEncoding(new DecodedBlock(block),
                digest.get(), digest.get(), null);
        oaep.init(false, null);
        try {
            return oaep.processBlock(new byte[k], 0, k);
        } catch (org.bouncycastle.crypto.InvalidCipherTextException e) {
            throw new HsmException(Ckr.ENCRYPTED_DATA_INVALID, "OAEP padding");
        } finally {
            java.util.Arrays.fill(block, (byte) 0);
            java.util.Arrays.fill(em, (byte) 0);
        }
    }

    /**
     * An "RSA engine" for OAEPEncoding that does no RSA: decrypting, its result is the block the module already computed,
     * so OAEPEncoding only decodes; encrypting, it hands back the encoded block, which the module then encrypts.
     */
    private static final class DecodedBlock implements org.bouncycastle.crypto.AsymmetricBlockCipher {
        private final byte[] block;
        private boolean forEncryption;

        DecodedBlock(byte[] block) {
            this.block = block;
        }

        @Override
        public void init(boolean forEncryption, org.bouncycastle.crypto.CipherParameters param) {
            this.forEncryption = forEncryption;
        }

        @Override
        public int getInputBlockSize() {
            return forEncryption ? block.length - 1 : block.length;
        }

        /** As an RSA engine decrypting: one byte less than the modulus (the encoded block's leading zero). */
        @Override
        public int getOutputBlockSize() {
            return block.length - 1;
        }

        /**
         * Decrypting: the block as an integer's bytes, without its leading zero byte (a non-zero one makes the decoder refuse
         * it). Encrypting: the encoded block it was given.
         */
        @Override
        public byte[] processBlock(byte[] in, int inOff, int len) {
            if (forEncryption) {
                return java.util.Arrays.copyOfRange(in, inOff, inOff + len);
            }
            return block[0] == 0 ? java.util.Arrays.copyOfRange(block, 1, block.length) : block.clone();
        }
    }

    /** CKG_MGF1_* for a hash mechanism: MGF1 with the same hash, as kmsgw uses it. */
    static long mgf1(long hashMechanism) {
        if (hashMechanism == CKM_SHA_1) {
            return 1;
        }
        if (hashMechanism == CKM_SHA256) {
            return 2;
        }
        if (hashMechanism == CKM_SHA384) {
            return 3;
        }
        if (hashMechanism == CKM_SHA512) {
            return 4;
        }
        if (hashMechanism == CKM_SHA224) {
            return 5;
        }
        throw new HsmException(Ckr.MECHANISM_PARAM_INVALID, "no MGF1 for hash mechanism 0x" + Long.toHexString(hashMechanism));
    }

    /** An RSA pair's public template gains the usual exponent, which some modules require. */
    Template publicTemplate(Mechanism m, Template t) {
        if (m.type() == CKM_RSA_PKCS_KEY_PAIR_GEN && !t.has(CKA_PUBLIC_EXPONENT)) {
            return Template.of().putAll(t).set(CKA_PUBLIC_EXPONENT, new byte[] {1, 0, 1});
        }
        return t;
    }

    /** A public key given as {@code CKA_VALUE} = SubjectPublicKeyInfo becomes modulus and exponent, or curve and point. */
    Template createObject(long session, Template t) {
        if (!t.has(CKA_CLASS) || t.num(CKA_CLASS, 0) != CKO_PUBLIC_KEY || !t.has(CKA_VALUE)) {
            return t;
        }
        Template out = t.without(CKA_VALUE);
        try {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(t.bytes(CKA_VALUE));
            ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
            if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                RSAPublicKey rsa = RSAPublicKey.getInstance(spki.parsePublicKey());
                return out.set(CKA_MODULUS, unsigned(rsa.getModulus())).set(CKA_PUBLIC_EXPONENT, unsigned(rsa.getPublicExponent()));
            }
            if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                return out.set(CKA_EC_PARAMS, spki.getAlgorithm().getParameters().toASN1Primitive().getEncoded())
                        .set(CKA_EC_POINT, new DEROctetString(spki.getPublicKeyData().getBytes()).getEncoded());
            }
            throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "a public key of algorithm " + alg + " has no PKCS#11 form here");
        } catch (IOException | IllegalArgumentException e) {
            throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "not a SubjectPublicKeyInfo");
        }
    }

    /** C_GetAttributeValue, with the vendor SPKI attribute and a private key's CKA_VALUE (PKCS#8) computed from components. */
    Template getAttributeValue(long session, long object, long... types) {
        Template out = Template.of();
        java.util.List<Long> plain = new java.util.ArrayList<>();
        for (long type : types) {
            if (type == CKA_VENDOR_PUBLIC_KEY_INFO) {
                out.set(type, publicKeyInfo(session, object));
            } else if (type == CKA_VALUE && classOf(session, object) == CKO_PRIVATE_KEY) {
                out.set(type, pkcs8(session, object));
            } else {
                plain.add(type);
            }
        }
        if (!plain.isEmpty()) {
            out.putAll(hsm.rawAttributes(session, object, plain.stream().mapToLong(Long::longValue).toArray()));
        }
        return out;
    }

    private long classOf(long session, long object) {
        return hsm.rawAttributes(session, object, CKA_CLASS).num(CKA_CLASS, -1);
    }

    private byte[] publicKeyInfo(long session, long object) {
        long keyType = hsm.rawAttributes(session, object, CKA_KEY_TYPE).num(CKA_KEY_TYPE, -1);
        try {
            if (keyType == CKK_RSA) {
                Template t = hsm.rawAttributes(session, object, CKA_MODULUS, CKA_PUBLIC_EXPONENT);
                return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        new RSAPublicKey(big(t.bytes(CKA_MODULUS)), big(t.bytes(CKA_PUBLIC_EXPONENT)))).getEncoded();
            }
            if (keyType == CKK_EC) {
                Template t = hsm.rawAttributes(session, object, CKA_EC_PARAMS, CKA_EC_POINT);
                byte[] point = ASN1OctetString.getInstance(t.bytes(CKA_EC_POINT)).getOctets();
                return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                        ASN1Primitive.fromByteArray(t.bytes(CKA_EC_PARAMS))), point).getEncoded();
            }
        } catch (IOException e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "the module's public key does not encode: " + e.getMessage());
        }
        throw new HsmException(Ckr.KEY_TYPE_INCONSISTENT, "no SubjectPublicKeyInfo for key type 0x" + Long.toHexString(keyType));
    }

    private byte[] pkcs8(long session, long object) {
        long keyType = hsm.rawAttributes(session, object, CKA_KEY_TYPE).num(CKA_KEY_TYPE, -1);
        try {
            if (keyType == CKK_RSA) {
                Template t = hsm.rawAttributes(session, object, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1,
                        CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT);
                return new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        new RSAPrivateKey(big(t.bytes(CKA_MODULUS)), big(t.bytes(CKA_PUBLIC_EXPONENT)), big(t.bytes(CKA_PRIVATE_EXPONENT)),
                                big(t.bytes(CKA_PRIME_1)), big(t.bytes(CKA_PRIME_2)), big(t.bytes(CKA_EXPONENT_1)),
                                big(t.bytes(CKA_EXPONENT_2)), big(t.bytes(CKA_COEFFICIENT)))).getEncoded();
            }
            if (keyType == CKK_EC) {
                Template t = hsm.rawAttributes(session, object, CKA_EC_PARAMS, CKA_VALUE);
                ASN1Primitive params = ASN1Primitive.fromByteArray(t.bytes(CKA_EC_PARAMS));
                X9ECParameters curve = ECNamedCurveTable.getByOID(ASN1ObjectIdentifier.getInstance(params));
                return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, params),
                        new org.bouncycastle.asn1.sec.ECPrivateKey(curve.getN().bitLength(), big(t.bytes(CKA_VALUE)))).getEncoded();
            }
        } catch (IOException e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "the module's private key does not encode: " + e.getMessage());
        }
        throw new HsmException(Ckr.KEY_TYPE_INCONSISTENT, "no PKCS#8 for key type 0x" + Long.toHexString(keyType));
    }

    private static BigInteger big(byte[] unsigned) {
        return new BigInteger(1, unsigned);
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b.length > 1 && b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
