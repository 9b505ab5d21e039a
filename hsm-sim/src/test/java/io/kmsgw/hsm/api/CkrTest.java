package io.kmsgw.hsm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Return codes carry PKCS#11's own numbers, so a real module's codes map onto the same values. */
class CkrTest {

    @ParameterizedTest
    @CsvSource({"OK, 0x0", "GENERAL_ERROR, 0x5", "ARGUMENTS_BAD, 0x7", "ATTRIBUTE_SENSITIVE, 0x11", "DATA_LEN_RANGE, 0x21",
            "DEVICE_ERROR, 0x30", "ENCRYPTED_DATA_INVALID, 0x40", "KEY_HANDLE_INVALID, 0x60", "KEY_UNEXTRACTABLE, 0x6A",
            "MECHANISM_INVALID, 0x70", "OBJECT_HANDLE_INVALID, 0x82", "OPERATION_ACTIVE, 0x90", "PIN_INCORRECT, 0xA0", "PIN_LOCKED, 0xA4",
            "SESSION_COUNT, 0xB1", "SESSION_HANDLE_INVALID, 0xB3", "SESSION_READ_ONLY, 0xB5", "SESSION_READ_ONLY_EXISTS, 0xB7",
            "SIGNATURE_INVALID, 0xC0", "TEMPLATE_INCONSISTENT, 0xD1", "USER_ALREADY_LOGGED_IN, 0x100", "USER_NOT_LOGGED_IN, 0x101",
            "USER_ANOTHER_ALREADY_LOGGED_IN, 0x104", "WRAPPED_KEY_INVALID, 0x110", "CURVE_NOT_SUPPORTED, 0x140",
            "CRYPTOKI_NOT_INITIALIZED, 0x190"})
    void codesAreTheStandardsAndMapBack(Ckr ckr, String hex) {
        long code = Long.decode(hex);
        assertEquals(code, ckr.code());
        assertEquals(ckr, Ckr.of(code));
    }

    @Test
    void everyCodeIsDistinctAndRoundTrips() {
        Set<Long> seen = new HashSet<>();
        for (Ckr c : Ckr.values()) {
            assertTrue(seen.add(c.code()), c + " shares its code");
            assertEquals(c, Ckr.of(c.code()));
        }
    }

    @Test
    void aCodeThisLibraryDoesNotNameIsAGeneralError() {
        assertEquals(Ckr.GENERAL_ERROR, Ckr.of(0x80000000L), "a vendor-defined code");
        assertEquals(Ckr.GENERAL_ERROR, Ckr.of(0x1B0), "CKR_MUTEX_BAD");
    }

    @Test
    void anExceptionNamesItsCodeAndKeepsItsDetail() {
        HsmException e = new HsmException(Ckr.PIN_INCORRECT, "for slot 0");
        assertEquals(Ckr.PIN_INCORRECT, e.ckr());
        assertTrue(e.getMessage().contains("PIN_INCORRECT"), e.getMessage());
        assertTrue(e.getMessage().contains("for slot 0"), e.getMessage());
        assertEquals(Ckr.DEVICE_ERROR, new HsmException(Ckr.DEVICE_ERROR).ckr());
    }
}
