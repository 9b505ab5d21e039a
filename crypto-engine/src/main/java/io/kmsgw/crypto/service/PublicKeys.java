package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KeySpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** What kind of key a public key (SubjectPublicKeyInfo) is, in words that compare with what a key spec takes. */
final class PublicKeys {
    private PublicKeys() {
    }

    /** "an RSA-2048", "an EC secp256r1", …, or "an unrecognised" key. */
    static String describe(byte[] spki) {
        try {
            SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(spki);
            ASN1ObjectIdentifier alg = info.getAlgorithm().getAlgorithm();
            if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                return "an RSA-" + RSAPublicKey.getInstance(info.getPublicKeyData().getOctets()).getModulus().bitLength();
            }
            if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                ASN1ObjectIdentifier curve = ASN1ObjectIdentifier.getInstance(info.getAlgorithm().getParameters());
                // SEC names first (secp256r1, not X9.62's prime256v1), as the key specs name their curves
                String name = org.bouncycastle.asn1.sec.SECNamedCurves.getName(curve);
                if (name == null) {
                    name = org.bouncycastle.asn1.gm.GMNamedCurves.getName(curve);
                }
                if (name == null) {
                    name = ECNamedCurveTable.getName(curve);
                }
                return "an EC " + (name == null ? curve.getId() : name);
            }
            return "an unrecognised (" + alg.getId() + ")";
        } catch (RuntimeException e) {
            return "an unrecognised";
        }
    }

    /** What {@link #describe} says of a key of {@code spec}. */
    static String expected(KeySpec spec) {
        return switch (spec.kind()) {
            case RSA -> "an RSA-" + spec.size();
            case EC, SM2 -> "an EC " + spec.curve();
            default -> "no private";
        };
    }
}
