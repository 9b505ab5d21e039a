package io.kmsgw.crypto.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** How the HSM's return codes reach the engine: one domain error each, with a message a client may see. */
class ErrorMappingTest {

    @ParameterizedTest
    @CsvSource({"ENCRYPTED_DATA_INVALID, DECRYPTION_FAILED", "ENCRYPTED_DATA_LEN_RANGE, DECRYPTION_FAILED",
            "DATA_LEN_RANGE, INVALID_PARAMETER", "DEVICE_ERROR, UNAVAILABLE", "SESSION_COUNT, UNAVAILABLE", "PIN_INCORRECT, INTERNAL", "WRAPPED_KEY_INVALID, KEY_MATERIAL_DAMAGED",
            "KEY_HANDLE_INVALID, INTERNAL", "MECHANISM_INVALID, UNSUPPORTED_OPERATION"})
    void eachCodeMapsToOneDomainError(Ckr ckr, KmsError error) {
        assertEquals(error, CryptokiSession.map(new HsmException(ckr, "detail")).error());
    }

    @Test
    void aFailedDecryptionSaysNothingOfWhy() {
        KmsException a = CryptokiSession.map(new HsmException(Ckr.ENCRYPTED_DATA_INVALID, "tag mismatch at byte 7"));
        KmsException b = CryptokiSession.map(new HsmException(Ckr.ENCRYPTED_DATA_LEN_RANGE, "short"));
        assertEquals(KmsException.decryptionFailed().getMessage(), a.getMessage());
        assertEquals(a.getMessage(), b.getMessage(), "one uniform decrypt failure");
        assertFalse(a.getMessage().contains("byte 7"));
    }

    @ParameterizedTest
    @EnumSource(Ckr.class)
    void everyCodeMapsToSomething(Ckr ckr) {
        KmsException e = CryptokiSession.map(new HsmException(ckr));
        assertTrue(e.error() != null);
        assertEquals(0, e.getStackTrace().length, "domain errors carry no stack: they are expected outcomes on the hot path");
        assertNull(e.getCause());
    }
}
