package io.kmsgw.hsm.api;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Named curves by CKA_EC_PARAMS, and opening a library by name through the provider registry. */
class CurvesAndProviderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"1.2.840.10045.3.1.7, secp256r1", "1.3.132.0.34, secp384r1", "1.3.132.0.35, secp521r1", "1.3.132.0.10, secp256k1"})
    void supportedCurvesRoundTripThroughTheirParams(String oid, String name) {
        assertEquals(name, Curves.name(Curves.params(new ASN1ObjectIdentifier(oid))));
    }

    @Test
    void anotherCurveIsNotSupportedAndGarbageIsInvalid() {
        assertEquals(Ckr.CURVE_NOT_SUPPORTED, assertThrows(HsmException.class,
                () -> Curves.name(Curves.params(new ASN1ObjectIdentifier("1.3.132.0.33")))).ckr(), "secp224r1");
        assertEquals(Ckr.ATTRIBUTE_VALUE_INVALID, assertThrows(HsmException.class, () -> Curves.name(new byte[] {1, 2, 3})).ckr());
        assertEquals(Ckr.ATTRIBUTE_VALUE_INVALID, assertThrows(HsmException.class, () -> Curves.name(new byte[0])).ckr());
    }

    @Test
    void theSimulatorIsFoundByName() {
        Cryptoki hsm = CryptokiProvider.open(CryptokiProvider.SIMULATOR, new CryptokiProvider.Options(dir, 2, 4, 1000));
        try {
            assertEquals(2, hsm.getSlotList(false).length);
            hsm.initToken(1, "so-pin-0000".toCharArray(), "by-name");
            assertTrue(hsm.getSlotInfo(1).tokenInitialized());
            long s = hsm.openSession(1, CKF_SERIAL_SESSION | CKF_RW_SESSION);
            hsm.closeSession(s);
        } finally {
            hsm.close();
        }
    }

    @Test
    void anUnknownLibraryNameSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CryptokiProvider.open("no-such-hsm", new CryptokiProvider.Options(dir, 1, 1, 1000)));
        assertTrue(e.getMessage().contains("no-such-hsm"), e.getMessage());
    }

    @Test
    void optionsOutOfRangeAreRefusedByTheLibrary() {
        assertEquals(Ckr.ARGUMENTS_BAD, assertThrows(HsmException.class,
                () -> CryptokiProvider.open(CryptokiProvider.SIMULATOR, new CryptokiProvider.Options(dir, 0, 1, 1000))).ckr());
        assertEquals(Ckr.ARGUMENTS_BAD, assertThrows(HsmException.class,
                () -> CryptokiProvider.open(CryptokiProvider.SIMULATOR, new CryptokiProvider.Options(dir, 1, 1, 999))).ckr(),
                "fewer than 1000 PBKDF2 iterations");
    }
}
