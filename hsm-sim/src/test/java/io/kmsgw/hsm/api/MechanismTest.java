package io.kmsgw.hsm.api;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Mechanisms with their parameters, and what a mechanism's info says it supports. */
class MechanismTest {

    @Test
    void aMechanismWithoutParametersHasNone() {
        Mechanism m = Mechanism.of(CKM_AES_ECB);
        assertEquals(CKM_AES_ECB, m.type());
        assertNull(m.param());
    }

    @Test
    void parametersAreCarriedAsGiven() {
        Mechanism.GcmParams gcm = new Mechanism.GcmParams(new byte[12], new byte[] {1}, 128);
        Mechanism m = new Mechanism(CKM_AES_GCM, gcm);
        assertEquals(128, ((Mechanism.GcmParams) m.param()).tagBits());
        assertEquals(CKM_SHA256, new Mechanism.OaepParams(CKM_SHA256).hashMechanism());
        assertEquals(32, new Mechanism.PssParams(CKM_SHA256, 32).saltLength());
        assertEquals(16, new Mechanism.IvParams(new byte[16]).iv().length);
    }

    @Test
    void infoSupportsExactlyItsFlags() {
        MechanismInfo info = new MechanismInfo(16, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT);
        assertTrue(info.supports(CKF_ENCRYPT));
        assertTrue(info.supports(CKF_DECRYPT));
        assertFalse(info.supports(CKF_SIGN));
        assertFalse(info.supports(CKF_WRAP));
        assertEquals(16, info.minKeySize());
        assertEquals(32, info.maxKeySize());
    }
}
