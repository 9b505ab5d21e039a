package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KmsException;
import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * SM2 ciphertexts in the two forms tenants send: C1 ‖ C3 ‖ C2 raw (C1 uncompressed, {@code 04 ‖ x ‖ y}), as the HSM takes
 * them, or the DER SEQUENCE of GM/T 0009 ({@code x, y, C3, C2}) that OpenSSL's {@code pkeyutl -encrypt} writes. Only
 * ciphertext is reshaped here; nothing is decrypted.
 */
final class Sm2Ciphertexts {
    private static final int COORDINATE = 32;
    private static final int HASH = 32;

    private Sm2Ciphertexts() {
    }

    /** The raw C1 ‖ C3 ‖ C2 form of {@code ct}; INVALID_PARAMETER when it is neither form. */
    static byte[] toC1C3C2(byte[] ct) {
        if (ct.length > 1 + 2 * COORDINATE + HASH && ct[0] == 0x04) {
            return ct;
        }
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(ct));
            if (seq.size() != 4) {
                throw invalid();
            }
            BigInteger x = ASN1Integer.getInstance(seq.getObjectAt(0)).getPositiveValue();
            BigInteger y = ASN1Integer.getInstance(seq.getObjectAt(1)).getPositiveValue();
            byte[] c3 = ASN1OctetString.getInstance(seq.getObjectAt(2)).getOctets();
            byte[] c2 = ASN1OctetString.getInstance(seq.getObjectAt(3)).getOctets();
            if (c3.length != HASH || c2.length == 0 || x.bitLength() > 8 * COORDINATE || y.bitLength() > 8 * COORDINATE) {
                throw invalid();
            }
            byte[] out = new byte[1 + 2 * COORDINATE + HASH + c2.length];
            out[0] = 0x04;
            put(x, out, 1);
            put(y, out, 1 + COORDINATE);
            System.arraycopy(c3, 0, out, 1 + 2 * COORDINATE, HASH);
            System.arraycopy(c2, 0, out, 1 + 2 * COORDINATE + HASH, c2.length);
            return out;
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof KmsException k) {
                throw k;
            }
            throw invalid();
        }
    }

    private static void put(BigInteger v, byte[] out, int at) {
        byte[] b = v.toByteArray();
        int skip = b.length > COORDINATE ? b.length - COORDINATE : 0;
        System.arraycopy(b, skip, out, at + COORDINATE - (b.length - skip), b.length - skip);
    }

    private static KmsException invalid() {
        return KmsException.invalid("EncryptedKeyMaterial is not an SM2 ciphertext: send C1C3C2 (04 ‖ x ‖ y ‖ C3 ‖ C2) or its DER "
                + "SEQUENCE (as openssl pkeyutl writes it).");
    }
}
