package io.kmsgw.hsm.mechanism;

import io.kmsgw.hsm.api.Curves;
import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import io.kmsgw.hsm.object.AttributeRules;
import io.kmsgw.hsm.object.HsmObject;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.interfaces.ECPrivateKey;
import org.bouncycastle.jce.spec.ECParameterSpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;

/** Key generation, import, wrapping and unwrapping: every way key material enters or leaves the token. */
public final class KeyMaker {
    private final long slotId;
    private final SecureRandom random;

    public KeyMaker(long slotId, SecureRandom random) {
        this.slotId = slotId;
        this.random = random;
    }

    /** C_GenerateKey for CKM_AES_KEY_GEN and CKM_GENERIC_SECRET_KEY_GEN. */
    public HsmObject generateSecret(Mechanism m, Template template, long session) {
        MechanismTable.require(m.type(), CKF_GENERATE);
        long keyType = m.type() == CKM_AES_KEY_GEN ? CKK_AES : m.type() == CKM_SM4_KEY_GEN ? CKK_SM4
                : template.num(CKA_KEY_TYPE, CKK_GENERIC_SECRET);
        if (m.type() == CKM_GENERIC_SECRET_KEY_GEN && keyType != CKK_GENERIC_SECRET && keyType != CKK_SHA256_HMAC) {
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "CKA_KEY_TYPE");
        }
        if (!template.has(CKA_VALUE_LEN)) {
            throw new HsmException(Ckr.TEMPLATE_INCOMPLETE, "CKA_VALUE_LEN");
        }
        if (template.has(CKA_VALUE)) {
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "CKA_VALUE is generated");
        }
        int len = (int) template.num(CKA_VALUE_LEN, 0);
        checkSecretLength(m.type(), keyType, len);
        byte[] value = new byte[len];
        random.nextBytes(value);
        try {
            return secretObject(keyType, value, template, true, session);
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    /**
     * C_CreateObject of a public key from its DER SubjectPublicKeyInfo, carried in CKA_VALUE (this
     * simulator's encoding for RSA and EC public keys). Public keys are not secret; importing one lets
     * verification and RSA encryption run inside the token like every other operation.
     */
    public HsmObject importPublic(Template template, long session) {
        long keyType = template.num(CKA_KEY_TYPE, -1);
        byte[] spki = template.bytes(CKA_VALUE);
        if (spki == null || (keyType != CKK_RSA && keyType != CKK_EC && keyType != CKK_SM2)) {
            throw new HsmException(Ckr.TEMPLATE_INCOMPLETE, "CKA_KEY_TYPE (RSA or EC) and CKA_VALUE (SubjectPublicKeyInfo) are required");
        }
        PublicKey pk;
        try {
            pk = Engines.keyFactory(keyType == CKK_RSA ? "RSA" : "EC").generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "CKA_VALUE is not a SubjectPublicKeyInfo of the key type");
        }
        Template attrs = AttributeRules.newKey(CKO_PUBLIC_KEY, keyType, template.without(CKA_VALUE), false)
                .set(CKA_VENDOR_PUBLIC_KEY_INFO, pk.getEncoded());
        if (pk instanceof RSAPublicKey rp) {
            attrs.set(CKA_MODULUS_BITS, rp.getModulus().bitLength());
        }
        return new HsmObject(slotId, attrs, pk, null, session);
    }

    /** C_CreateObject of a secret key from CKA_VALUE (import). */
    public HsmObject importSecret(Template template, long session) {
        if (template.num(CKA_CLASS, -1) != CKO_SECRET_KEY) {
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "only CKO_SECRET_KEY and CKO_PUBLIC_KEY objects can be created");
        }
        byte[] value = template.bytes(CKA_VALUE);
        if (value == null || !template.has(CKA_KEY_TYPE)) {
            throw new HsmException(Ckr.TEMPLATE_INCOMPLETE, "CKA_VALUE and CKA_KEY_TYPE are required");
        }
        long keyType = template.num(CKA_KEY_TYPE, -1);
        checkSecretLength(CKM_GENERIC_SECRET_KEY_GEN, keyType, value.length);
        Template clean = template.without(CKA_VALUE);
        try {
            return secretObject(keyType, value, clean, false, session);
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    private static void checkSecretLength(long mechanism, long keyType, int len) {
        if (keyType == CKK_AES) {
            if (len != 16 && len != 24 && len != 32) {
                throw new HsmException(Ckr.KEY_SIZE_RANGE, "AES keys are 16, 24 or 32 bytes");
            }
        } else if (keyType == CKK_SM4) {
            if (len != 16) {
                throw new HsmException(Ckr.KEY_SIZE_RANGE, "SM4 keys are 16 bytes");
            }
        } else if (keyType == CKK_GENERIC_SECRET || keyType == CKK_SHA256_HMAC) {
            if (len < 14 || len > 128) {
                throw new HsmException(Ckr.KEY_SIZE_RANGE, "generic secrets are 14..128 bytes");
            }
        } else {
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "CKA_KEY_TYPE");
        }
    }

    private HsmObject secretObject(long keyType, byte[] value, Template template, boolean local, long session) {
        Template attrs = AttributeRules.newKey(CKO_SECRET_KEY, keyType, template, local).set(CKA_VALUE_LEN, value.length);
        return new HsmObject(slotId, attrs, new SecretKeySpec(value, secretAlgorithm(keyType)), null, session);
    }

    private static String secretAlgorithm(long keyType) {
        return keyType == CKK_AES ? "AES" : keyType == CKK_SM4 ? "SM4" : "HmacSHA256";
    }

    /** C_GenerateKeyPair for RSA and EC; returns {public, private}. */
    public HsmObject[] generatePair(Mechanism m, Template pub, Template priv, long session) {
        MechanismTable.require(m.type(), CKF_GENERATE_KEY_PAIR);
        try {
            KeyPair kp;
            long keyType;
            Template pubExtra = Template.of();
            if (m.type() == CKM_RSA_PKCS_KEY_PAIR_GEN) {
                if (!pub.has(CKA_MODULUS_BITS)) {
                    throw new HsmException(Ckr.TEMPLATE_INCOMPLETE, "CKA_MODULUS_BITS");
                }
                int bits = (int) pub.num(CKA_MODULUS_BITS, 0);
                if (bits < 2048 || bits > 4096 || bits % 8 != 0) {
                    throw new HsmException(Ckr.KEY_SIZE_RANGE, "RSA modulus 2048..4096 bits");
                }
                BigInteger e = pub.has(CKA_PUBLIC_EXPONENT) ? new BigInteger(1, pub.bytes(CKA_PUBLIC_EXPONENT)) : RSAKeyGenParameterSpec.F4;
                if (!e.testBit(0) || e.bitLength() < 17) {
                    throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "CKA_PUBLIC_EXPONENT must be odd and at least 65537");
                }
                KeyPairGenerator g = Engines.keyPairGenerator("RSA");
                g.initialize(new RSAKeyGenParameterSpec(bits, e), random);
                kp = g.generateKeyPair();
                keyType = CKK_RSA;
                RSAPublicKey rp = (RSAPublicKey) kp.getPublic();
                pubExtra.set(CKA_MODULUS, rp.getModulus().toByteArray()).set(CKA_PUBLIC_EXPONENT, rp.getPublicExponent().toByteArray());
            } else if (m.type() == CKM_SM2_KEY_PAIR_GEN) {
                KeyPairGenerator g = Engines.keyPairGenerator("EC");
                g.initialize(new ECGenParameterSpec("sm2p256v1"), random);
                kp = g.generateKeyPair();
                keyType = CKK_SM2;
            } else {
                byte[] params = pub.bytes(CKA_EC_PARAMS);
                if (params == null) {
                    throw new HsmException(Ckr.TEMPLATE_INCOMPLETE, "CKA_EC_PARAMS");
                }
                KeyPairGenerator g = Engines.keyPairGenerator("EC");
                g.initialize(new ECGenParameterSpec(Curves.name(params)), random);
                kp = g.generateKeyPair();
                keyType = CKK_EC;
            }
            return pairObjects(keyType, kp.getPublic(), Engines.nativeKey(kp.getPrivate()), pub, priv, pubExtra, true, session);
        } catch (GeneralSecurityException e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "key pair generation failed");
        }
    }

    private HsmObject[] pairObjects(long keyType, PublicKey pk, PrivateKey sk, Template pub, Template priv, Template pubExtra,
                                    boolean local, long session) {
        byte[] spki = pk.getEncoded();
        // CKA_PUBLIC_EXPONENT is a generation parameter in the public template, not a caller-set attribute.
        Template pubCaller = pub.without(CKA_PUBLIC_EXPONENT);
        Template pubAttrs = AttributeRules.newKey(CKO_PUBLIC_KEY, keyType, pubCaller, local)
                .putAll(pubExtra).set(CKA_VENDOR_PUBLIC_KEY_INFO, spki);
        Template privAttrs = AttributeRules.newKey(CKO_PRIVATE_KEY, keyType, priv, local).set(CKA_VENDOR_PUBLIC_KEY_INFO, spki);
        if (keyType == CKK_RSA) {
            privAttrs.set(CKA_MODULUS_BITS, ((RSAPublicKey) pk).getModulus().bitLength());
        } else if (pub.has(CKA_EC_PARAMS)) {
            privAttrs.set(CKA_EC_PARAMS, pub.bytes(CKA_EC_PARAMS));
        }
        return new HsmObject[] {
                new HsmObject(slotId, pubAttrs, pk, null, session),
                new HsmObject(slotId, privAttrs, sk, pk, session)};
    }

    /** C_WrapKey with CKM_AES_KEY_WRAP_KWP (RFC 5649): secret keys as raw bytes, private keys as PKCS#8. */
    public byte[] wrap(Mechanism m, HsmObject wrapping, HsmObject target, EngineCache engines) {
        if (m.type() != CKM_AES_KEY_WRAP_KWP) {
            throw new HsmException(Ckr.MECHANISM_INVALID, "wrapping mechanism");
        }
        if (wrapping.keyType() != CKK_AES) {
            throw new HsmException(Ckr.WRAPPING_KEY_TYPE_INCONSISTENT);
        }
        wrapping.requireUsage(CKA_WRAP);
        if (target.objectClass() == CKO_PUBLIC_KEY) {
            throw new HsmException(Ckr.KEY_NOT_WRAPPABLE, "public keys are not wrapped");
        }
        if (!target.flag(CKA_EXTRACTABLE)) {
            throw new HsmException(Ckr.KEY_UNEXTRACTABLE);
        }
        byte[] encoded = target.key().getEncoded();
        try {
            Cipher c = engines.cipher("AES/KWP/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, wrapping.key());
            return c.doFinal(encoded);
        } catch (GeneralSecurityException e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "wrap failed");
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
    }

    /**
     * C_UnwrapKey. With CKM_AES_KEY_WRAP_KWP under an AES key: secret keys as raw bytes, private keys as PKCS#8 (how the
     * engine keeps its keys under the master key). With CKM_RSA_PKCS_OAEP (SHA-1 or SHA-256), CKM_RSA_PKCS or
     * CKM_SM2_ENCRYPT under a private key with CKA_UNWRAP: secret keys only (how key material is imported). The template
     * must name CKA_CLASS and CKA_KEY_TYPE; a secret of the wrong length for its type is CKR_KEY_SIZE_RANGE.
     */
    public HsmObject unwrap(Mechanism m, HsmObject unwrapping, byte[] wrapped, Template template, EngineCache engines, long session) {
        MechanismTable.require(m.type(), CKF_UNWRAP);
        if (!template.has(CKA_CLASS) || !template.has(CKA_KEY_TYPE)) {
            throw new HsmException(Ckr.TEMPLATE_INCOMPLETE, "CKA_CLASS and CKA_KEY_TYPE are required");
        }
        boolean kwp = m.type() == CKM_AES_KEY_WRAP_KWP;
        long cls = template.num(CKA_CLASS, -1);
        long keyType = template.num(CKA_KEY_TYPE, -1);
        if (!kwp && cls != CKO_SECRET_KEY) {
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "public-key unwrapping makes secret keys only");
        }
        byte[] plain = kwp ? unwrapKwp(unwrapping, wrapped, engines) : decryptWithPrivate(m, unwrapping, wrapped);
        try {
            if (cls == CKO_SECRET_KEY) {
                checkSecretLength(CKM_GENERIC_SECRET_KEY_GEN, keyType, plain.length);
                return secretObject(keyType, plain, template, false, session);
            }
            if (cls == CKO_PRIVATE_KEY && (keyType == CKK_RSA || keyType == CKK_EC || keyType == CKK_SM2)) {
                PrivateKey sk = decodePrivate(keyType, plain);
                PublicKey pk = derivePublic(sk);
                return pairObjects(keyType, pk, Engines.nativeKey(sk), Template.of(), template, Template.of(), false, session)[1];
            }
            throw new HsmException(Ckr.TEMPLATE_INCONSISTENT, "unwrap supports secret, RSA and EC private keys");
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private static byte[] unwrapKwp(HsmObject unwrapping, byte[] wrapped, EngineCache engines) {
        if (unwrapping.keyType() != CKK_AES) {
            throw new HsmException(Ckr.UNWRAPPING_KEY_TYPE_INCONSISTENT);
        }
        unwrapping.requireUsage(CKA_UNWRAP);
        if (wrapped == null || wrapped.length < 16 || wrapped.length % 8 != 0) {
            throw new HsmException(Ckr.WRAPPED_KEY_INVALID);
        }
        try {
            Cipher c = engines.cipher("AES/KWP/NoPadding");
            c.init(Cipher.DECRYPT_MODE, unwrapping.key());
            return c.doFinal(wrapped);
        } catch (GeneralSecurityException e) {
            throw new HsmException(Ckr.WRAPPED_KEY_INVALID);
        }
    }

    /** RSA (OAEP or PKCS#1 v1.5) or SM2 (C1C3C2) decryption of imported key material, under a private key with CKA_UNWRAP. */
    private static byte[] decryptWithPrivate(Mechanism m, HsmObject unwrapping, byte[] wrapped) {
        boolean sm2 = m.type() == CKM_SM2_ENCRYPT;
        if (unwrapping.objectClass() != CKO_PRIVATE_KEY || unwrapping.keyType() != (sm2 ? CKK_SM2 : CKK_RSA)) {
            throw new HsmException(Ckr.UNWRAPPING_KEY_TYPE_INCONSISTENT);
        }
        unwrapping.requireUsage(CKA_UNWRAP);
        if (wrapped == null || wrapped.length == 0) {
            throw new HsmException(Ckr.WRAPPED_KEY_INVALID);
        }
        try {
            if (sm2) {
                if (m.param() != null) {
                    throw new HsmException(Ckr.MECHANISM_PARAM_INVALID);
                }
                org.bouncycastle.crypto.engines.SM2Engine engine = new org.bouncycastle.crypto.engines.SM2Engine(
                        org.bouncycastle.crypto.engines.SM2Engine.Mode.C1C3C2);
                engine.init(false, org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil.generatePrivateKeyParameter(
                        (PrivateKey) unwrapping.key()));
                return engine.processBlock(wrapped, 0, wrapped.length);
            }
            int modulusBytes = (((java.security.interfaces.RSAKey) unwrapping.key()).getModulus().bitLength() + 7) / 8;
            if (wrapped.length != modulusBytes) {
                throw new HsmException(Ckr.WRAPPED_KEY_LEN_RANGE, "the wrapped key is not as long as the modulus");
            }
            Cipher c;
            if (m.type() == CKM_RSA_PKCS_OAEP) {
                if (!(m.param() instanceof Mechanism.OaepParams p)) {
                    throw new HsmException(Ckr.MECHANISM_PARAM_INVALID);
                }
                String md = p.hashMechanism() == CKM_SHA256 ? "SHA-256" : p.hashMechanism() == CKM_SHA_1 ? "SHA-1" : null;
                if (md == null) {
                    throw new HsmException(Ckr.MECHANISM_PARAM_INVALID, "OAEP hash");
                }
                c = Engines.cipher("RSA/ECB/OAEPPadding", unwrapping.key());
                c.init(Cipher.DECRYPT_MODE, unwrapping.key(), new javax.crypto.spec.OAEPParameterSpec(md, "MGF1",
                        new java.security.spec.MGF1ParameterSpec(md), javax.crypto.spec.PSource.PSpecified.DEFAULT));
            } else {
                if (m.param() != null) {
                    throw new HsmException(Ckr.MECHANISM_PARAM_INVALID);
                }
                c = Engines.cipher("RSA/ECB/PKCS1Padding", unwrapping.key());
                c.init(Cipher.DECRYPT_MODE, unwrapping.key());
            }
            return c.doFinal(wrapped);
        } catch (HsmException e) {
            throw e;
        } catch (GeneralSecurityException | org.bouncycastle.crypto.InvalidCipherTextException | RuntimeException e) {
            throw new HsmException(Ckr.WRAPPED_KEY_INVALID);
        }
    }

    private static PrivateKey decodePrivate(long keyType, byte[] pkcs8) {
        try {
            KeyFactory kf = Engines.keyFactory(keyType == CKK_RSA ? "RSA" : "EC");
            PrivateKey k = kf.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            if ((keyType == CKK_RSA) != (k instanceof RSAPrivateCrtKey)) {
                throw new HsmException(Ckr.UNWRAPPING_KEY_TYPE_INCONSISTENT);
            }
            return k;
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof HsmException h) {
                throw h;
            }
            throw new HsmException(Ckr.WRAPPED_KEY_INVALID, "not a PKCS#8 key of the named type");
        }
    }

    /** The public key of a private key (RSA CRT parameters, or Q = d·G for EC). */
    static PublicKey derivePublic(PrivateKey sk) {
        try {
            if (sk instanceof RSAPrivateCrtKey rsa) {
                return Engines.keyFactory("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            }
            ECPrivateKey ec = (ECPrivateKey) sk;
            ECParameterSpec spec = ec.getParameters();
            return Engines.keyFactory("EC").generatePublic(new ECPublicKeySpec(spec.getG().multiply(ec.getD()).normalize(), spec));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new HsmException(Ckr.WRAPPED_KEY_INVALID, "cannot derive the public key");
        }
    }

    /** Rebuilds a key object from persisted encodings (token storage). */
    public HsmObject restore(Template attrs, byte[] encoded, byte[] spki) {
        long cls = attrs.num(CKA_CLASS, -1);
        long keyType = attrs.num(CKA_KEY_TYPE, -1);
        try {
            if (cls == CKO_SECRET_KEY) {
                return new HsmObject(slotId, attrs, new SecretKeySpec(encoded, secretAlgorithm(keyType)), null, 0);
            }
            KeyFactory kf = Engines.keyFactory(keyType == CKK_RSA ? "RSA" : "EC");
            PublicKey pk = kf.generatePublic(new java.security.spec.X509EncodedKeySpec(spki));
            if (cls == CKO_PUBLIC_KEY) {
                return new HsmObject(slotId, attrs, pk, null, 0);
            }
            return new HsmObject(slotId, attrs, kf.generatePrivate(new PKCS8EncodedKeySpec(encoded)), pk, 0);
        } catch (GeneralSecurityException e) {
            throw new HsmException(Ckr.DEVICE_ERROR, "token storage holds an undecodable key");
        }
    }
}
