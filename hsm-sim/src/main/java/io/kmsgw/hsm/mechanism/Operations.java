package io.kmsgw.hsm.mechanism;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.mechanism.ActiveOperation.Kind;
import io.kmsgw.hsm.object.HsmObject;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/**
 * Encrypt/decrypt/sign/verify: the *Init ladder (mechanism → operation flag → key type → key usage →
 * parameters) and the single-part call. The JCA engine is initialised at *Init so parameter errors
 * surface there, as PKCS#11 requires.
 */
public final class Operations {
    private Operations() {
    }

    public static ActiveOperation init(Kind kind, Mechanism m, HsmObject key, EngineCache engines) {
        long flag = switch (kind) {
            case ENCRYPT -> CKF_ENCRYPT;
            case DECRYPT -> CKF_DECRYPT;
            case SIGN -> CKF_SIGN;
            case VERIFY -> CKF_VERIFY;
        };
        MechanismTable.require(m.type(), flag);
        long usage = switch (kind) {
            case ENCRYPT -> CKA_ENCRYPT;
            case DECRYPT -> CKA_DECRYPT;
            case SIGN -> CKA_SIGN;
            case VERIFY -> CKA_VERIFY;
        };
        checkKeyType(m.type(), kind, key);
        key.requireUsage(usage);
        try {
            Object engine = switch (kind) {
                case ENCRYPT, DECRYPT -> initCipher(kind, m, key, engines);
                case SIGN, VERIFY -> initSigner(kind, m, key, engines);
            };
            return new ActiveOperation(kind, m.type(), m.param(), key, engine);
        } catch (InvalidAlgorithmParameterException | ClassCastException e) {
            throw new HsmException(Ckr.MECHANISM_PARAM_INVALID);
        } catch (InvalidKeyException e) {
            throw new HsmException(Ckr.KEY_TYPE_INCONSISTENT);
        } catch (GeneralSecurityException e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "engine init failed");
        }
    }

    private static void checkKeyType(long mech, Kind kind, HsmObject key) {
        long t = key.keyType();
        long cls = key.objectClass();
        boolean ok;
        if (mech == CKM_AES_GCM || mech == CKM_AES_CBC || mech == CKM_AES_CBC_PAD || mech == CKM_AES_ECB || mech == CKM_AES_CTR) {
            ok = t == CKK_AES;
        } else if (isSm4(mech)) {
            ok = t == CKK_SM4;
        } else if (mech == CKM_SM2_ENCRYPT) {
            ok = t == CKK_SM2 && cls == (kind == Kind.ENCRYPT ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY);
        } else if (mech == CKM_SM3_SM2 || mech == CKM_SM2) {
            ok = t == CKK_SM2 && cls == (kind == Kind.SIGN ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY);
        } else if (isHmac(mech)) {
            ok = t == CKK_GENERIC_SECRET || t == CKK_SHA256_HMAC;
        } else if (mech == CKM_RSA_PKCS_OAEP) {
            ok = t == CKK_RSA && cls == (kind == Kind.ENCRYPT ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY);
        } else if (mech == CKM_SHA256_RSA_PKCS || mech == CKM_SHA256_RSA_PKCS_PSS || mech == CKM_RSA_PKCS || mech == CKM_RSA_PKCS_PSS) {
            ok = t == CKK_RSA && cls == (kind == Kind.SIGN ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY);
        } else if (mech == CKM_ECDSA || mech == CKM_ECDSA_SHA256) {
            ok = t == CKK_EC && cls == (kind == Kind.SIGN ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY);
        } else {
            ok = false;
        }
        if (!ok) {
            throw new HsmException(Ckr.KEY_TYPE_INCONSISTENT);
        }
    }

    private static Object initCipher(Kind kind, Mechanism m, HsmObject key, EngineCache engines) throws GeneralSecurityException {
        int mode = kind == Kind.ENCRYPT ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE;
        Key k = key.key();
        long type = m.type();
        if (type == CKM_SM2_ENCRYPT) {
            if (m.param() != null) {
                throw new InvalidAlgorithmParameterException();
            }
            SM2Engine sm2 = new SM2Engine(SM2Engine.Mode.C1C3C2);
            if (kind == Kind.ENCRYPT) {
                sm2.init(true, new ParametersWithRandom(ECUtil.generatePublicKeyParameter((java.security.PublicKey) k),
                        new java.security.SecureRandom()));
            } else {
                sm2.init(false, ECUtil.generatePrivateKeyParameter((java.security.PrivateKey) k));
            }
            return sm2;
        }
        String algo = "AES";
        if (isSm4(type)) {
            algo = "SM4";
            type = type == CKM_SM4_GCM ? CKM_AES_GCM : type == CKM_SM4_ECB ? CKM_AES_ECB : type == CKM_SM4_CBC ? CKM_AES_CBC
                    : type == CKM_SM4_CBC_PAD ? CKM_AES_CBC_PAD : CKM_AES_CTR;
        }
        if (type == CKM_AES_GCM) {
            if (!(m.param() instanceof Mechanism.GcmParams p) || p.iv() == null || p.iv().length == 0 || p.iv().length > 128
                    || p.tagBits() < 96 || p.tagBits() > 128 || p.tagBits() % 8 != 0) {
                throw new InvalidAlgorithmParameterException();
            }
            Cipher c = engines.cipher(algo + "/GCM/NoPadding");
            c.init(mode, k, new GCMParameterSpec(p.tagBits(), p.iv()));
            if (p.aad() != null && p.aad().length > 0) {
                c.updateAAD(p.aad());
            }
            return c;
        }
        if (type == CKM_AES_ECB) {
            if (m.param() != null) {
                throw new InvalidAlgorithmParameterException();
            }
            Cipher c = engines.cipher(algo + "/ECB/NoPadding");
            c.init(mode, k);
            return c;
        }
        if (type == CKM_AES_CBC || type == CKM_AES_CBC_PAD || type == CKM_AES_CTR) {
            if (!(m.param() instanceof Mechanism.IvParams p) || p.iv() == null || p.iv().length != 16) {
                throw new InvalidAlgorithmParameterException();
            }
            String t = type == CKM_AES_CBC ? "/CBC/NoPadding" : type == CKM_AES_CBC_PAD ? "/CBC/PKCS5Padding" : "/CTR/NoPadding";
            Cipher c = engines.cipher(algo + t);
            c.init(mode, k, new IvParameterSpec(p.iv()));
            return c;
        }
        // CKM_RSA_PKCS_OAEP
        if (!(m.param() instanceof Mechanism.OaepParams p)) {
            throw new InvalidAlgorithmParameterException();
        }
        String md = digestName(p.hashMechanism());
        Cipher c = engines.cipher("RSA/ECB/OAEPPadding", k);
        c.init(mode, k, new OAEPParameterSpec(md, "MGF1", new MGF1ParameterSpec(md), PSource.PSpecified.DEFAULT));
        return c;
    }

    private static Object initSigner(Kind kind, Mechanism m, HsmObject key, EngineCache engines) throws GeneralSecurityException {
        long type = m.type();
        if (isHmac(type)) {
            Mac mac = engines.mac(type == CKM_SHA224_HMAC ? "HmacSHA224" : type == CKM_SHA256_HMAC ? "HmacSHA256"
                    : type == CKM_SHA384_HMAC ? "HmacSHA384" : "HmacSHA512");
            mac.init(key.key());
            return mac;
        }
        if (type == CKM_SM2) {
            if (m.param() != null) {
                throw new InvalidAlgorithmParameterException();
            }
            return kind == Kind.SIGN ? Sm2DigestSigner.forSigning((java.security.PrivateKey) key.key())
                    : Sm2DigestSigner.forVerifying((java.security.PublicKey) key.key());
        }
        Signature s;
        if (type == CKM_SHA256_RSA_PKCS) {
            s = engines.signature("SHA256withRSA");
        } else if (type == CKM_RSA_PKCS) {
            if (m.param() != null) {
                throw new InvalidAlgorithmParameterException();
            }
            // input is a DER DigestInfo; the JDK applies PKCS#1 v1.5 type 1 padding to it
            s = engines.signature("NONEwithRSA", key.key());
        } else if (type == CKM_RSA_PKCS_PSS) {
            if (!(m.param() instanceof Mechanism.PssParams p) || p.saltLength() < 0 || p.saltLength() > 64) {
                throw new InvalidAlgorithmParameterException();
            }
            String md = p.hashMechanism() == CKM_SHA256 ? "SHA-256" : p.hashMechanism() == CKM_SHA384 ? "SHA-384"
                    : p.hashMechanism() == CKM_SHA512 ? "SHA-512" : null;
            if (md == null) {
                throw new InvalidAlgorithmParameterException();
            }
            if (kind == Kind.SIGN) {
                // input is the message digest (PKCS#11 CKM_RSA_PKCS_PSS): EMSA-PSS here, the RSA private operation by the JDK
                return new PssDigestSigner((java.security.interfaces.RSAPrivateKey) key.key(), md, p.saltLength(),
                        engines.cipher("RSA/ECB/NoPadding", key.key()));
            }
            // BouncyCastle's raw PSS verifies a digest as such
            s = engines.signature("NONEwithRSASSA-PSS");
            s.setParameter(new PSSParameterSpec(md, "MGF1", new MGF1ParameterSpec(md), p.saltLength(), 1));
        } else if (type == CKM_SHA256_RSA_PKCS_PSS) {
            if (!(m.param() instanceof Mechanism.PssParams p) || p.hashMechanism() != CKM_SHA256 || p.saltLength() < 0 || p.saltLength() > 64) {
                throw new InvalidAlgorithmParameterException();
            }
            s = engines.signature("RSASSA-PSS");
            s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, p.saltLength(), 1));
        } else if (type == CKM_SM3_SM2) {
            if (m.param() != null) {
                throw new InvalidAlgorithmParameterException();
            }
            s = engines.signature("SM3withSM2");
        } else if (type == CKM_ECDSA_SHA256) {
            s = engines.signature("SHA256withPLAIN-ECDSA");
        } else {
            s = engines.signature("NONEwithECDSA", key.key());
        }
        if (kind == Kind.SIGN) {
            s.initSign((java.security.PrivateKey) key.key());
        } else {
            s.initVerify((java.security.PublicKey) key.key());
        }
        return s;
    }

    private static boolean isSm4(long mech) {
        return mech == CKM_SM4_ECB || mech == CKM_SM4_CBC || mech == CKM_SM4_CBC_PAD || mech == CKM_SM4_CTR || mech == CKM_SM4_GCM;
    }

    private static boolean isHmac(long mech) {
        return mech == CKM_SHA224_HMAC || mech == CKM_SHA256_HMAC || mech == CKM_SHA384_HMAC || mech == CKM_SHA512_HMAC;
    }

    private static String digestName(long hashMechanism) throws InvalidAlgorithmParameterException {
        if (hashMechanism == CKM_SHA256) {
            return "SHA-256";
        }
        if (hashMechanism == CKM_SHA_1) {
            return "SHA-1";
        }
        throw new InvalidAlgorithmParameterException();
    }

    /** C_Encrypt / C_Decrypt on an initialised operation. */
    public static byte[] crypt(ActiveOperation op, byte[] data) {
        if (op.engine() instanceof SM2Engine sm2) {
            try {
                return sm2.processBlock(data, 0, data.length);
            } catch (InvalidCipherTextException | RuntimeException e) {
                throw new HsmException(op.kind() == Kind.ENCRYPT ? Ckr.DATA_LEN_RANGE : Ckr.ENCRYPTED_DATA_INVALID);
            }
        }
        Cipher c = (Cipher) op.engine();
        try {
            return c.doFinal(data);
        } catch (BadPaddingException e) {
            throw new HsmException(Ckr.ENCRYPTED_DATA_INVALID);
        } catch (IllegalBlockSizeException e) {
            throw new HsmException(op.kind() == Kind.ENCRYPT ? Ckr.DATA_LEN_RANGE : Ckr.ENCRYPTED_DATA_LEN_RANGE);
        } catch (RuntimeException e) {
            throw new HsmException(op.kind() == Kind.ENCRYPT ? Ckr.DATA_LEN_RANGE : Ckr.ENCRYPTED_DATA_INVALID);
        }
    }

    /** C_Sign: HMAC, RSA or ECDSA (ECDSA signatures are r‖s, as PKCS#11 defines). */
    public static byte[] sign(ActiveOperation op, byte[] data) {
        try {
            if (op.engine() instanceof Mac mac) {
                return mac.doFinal(data);
            }
            if (op.engine() instanceof PssDigestSigner pss) {
                return pss.sign(data);
            }
            if (op.engine() instanceof Sm2DigestSigner sm2) {
                return sm2.sign(data);
            }
            Signature s = (Signature) op.engine();
            if (op.mechanism() == CKM_ECDSA) {
                checkDigestLength(data);
                s.update(data);
                BigInteger n = ((ECKey) op.key().key()).getParams().getOrder();
                BigInteger[] rs = StandardDSAEncoding.INSTANCE.decode(n, s.sign());
                return PlainDSAEncoding.INSTANCE.encode(n, rs[0], rs[1]);
            }
            s.update(data);
            return s.sign();
        } catch (IllegalArgumentException e) {
            throw new HsmException(Ckr.DATA_LEN_RANGE, "the input does not fit the mechanism");
        } catch (GeneralSecurityException | java.io.IOException | org.bouncycastle.crypto.CryptoException e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "sign failed");
        }
    }

    /** C_Verify: returns normally or throws CKR_SIGNATURE_INVALID / CKR_SIGNATURE_LEN_RANGE. */
    public static void verify(ActiveOperation op, byte[] data, byte[] signature) {
        boolean ok;
        try {
            if (op.engine() instanceof Mac mac) {
                ok = java.security.MessageDigest.isEqual(mac.doFinal(data), signature);
            } else if (op.engine() instanceof Sm2DigestSigner sm2) {
                ok = sm2.verify(data, signature);
            } else {
                Signature s = (Signature) op.engine();
                byte[] sig = signature;
                if (op.mechanism() == CKM_ECDSA) {
                    checkDigestLength(data);
                    BigInteger n = ((ECKey) op.key().key()).getParams().getOrder();
                    BigInteger[] rs = PlainDSAEncoding.INSTANCE.decode(n, signature);
                    sig = StandardDSAEncoding.INSTANCE.encode(n, rs[0], rs[1]);
                }
                s.update(data);
                ok = s.verify(sig);
            }
        } catch (IllegalArgumentException e) {
            throw new HsmException(Ckr.SIGNATURE_LEN_RANGE);
        } catch (GeneralSecurityException | java.io.IOException | ClassCastException | IllegalStateException e) {
            ok = false; // a malformed signature encoding (BouncyCastle's ASN.1 parser throws several kinds) does not verify
        }
        if (!ok) {
            throw new HsmException(Ckr.SIGNATURE_INVALID);
        }
    }

    private static void checkDigestLength(byte[] digest) {
        if (digest.length < 20 || digest.length > 64) {
            throw new HsmException(Ckr.DATA_LEN_RANGE, "CKM_ECDSA takes a digest");
        }
    }
}
