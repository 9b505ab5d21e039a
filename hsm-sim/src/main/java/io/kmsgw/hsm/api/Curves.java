package io.kmsgw.hsm.api;

import java.io.IOException;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/** Named curves the token supports, keyed by the DER-encoded OID used in CKA_EC_PARAMS. */
public final class Curves {
    public static final ASN1ObjectIdentifier P256 = new ASN1ObjectIdentifier("1.2.840.10045.3.1.7");
    public static final ASN1ObjectIdentifier P384 = new ASN1ObjectIdentifier("1.3.132.0.34");
    public static final ASN1ObjectIdentifier P521 = new ASN1ObjectIdentifier("1.3.132.0.35");
    public static final ASN1ObjectIdentifier SECP256K1 = new ASN1ObjectIdentifier("1.3.132.0.10");

    private static final Map<ASN1ObjectIdentifier, String> NAMES = Map.of(
            P256, "secp256r1", P384, "secp384r1", P521, "secp521r1", SECP256K1, "secp256k1");

    private Curves() {
    }

    /** The DER encoding of a curve OID, for CKA_EC_PARAMS. */
    public static byte[] params(ASN1ObjectIdentifier oid) {
        try {
            return oid.getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The curve name for CKA_EC_PARAMS, or CKR_CURVE_NOT_SUPPORTED / CKR_ATTRIBUTE_VALUE_INVALID. */
    public static String name(byte[] ecParams) {
        ASN1ObjectIdentifier oid;
        try {
            oid = ASN1ObjectIdentifier.getInstance(ecParams);
        } catch (RuntimeException e) {
            throw new HsmException(Ckr.ATTRIBUTE_VALUE_INVALID, "CKA_EC_PARAMS is not a named curve OID");
        }
        String name = NAMES.get(oid);
        if (name == null) {
            throw new HsmException(Ckr.CURVE_NOT_SUPPORTED, oid.getId());
        }
        return name;
    }
}
