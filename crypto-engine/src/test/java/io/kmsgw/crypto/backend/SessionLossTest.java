package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.CryptokiProvider;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call that fails with CKR_GENERAL_ERROR while its session dies under it. SoftHSM2 answers so to a C_SignInit caught by
 * another thread's C_Finalize (seen once in seven CI runs of Pkcs11GatewayTest, as a 500); that race cannot be produced on
 * demand, so the simulated token is wrapped and the one call made to fail as SoftHSM2 fails it.
 */
class SessionLossTest {
    @TempDir
    Path dir;

    private Cryptoki sim;
    private long session;
    private long hmacKey;
    /** When set, the next C_SignInit runs this first and then fails with CKR_GENERAL_ERROR. */
    private final AtomicReference<Runnable> fault = new AtomicReference<>();
    private CryptokiSession cs;

    @BeforeEach
    void open() {
        sim = CryptokiProvider.open(CryptokiProvider.SIMULATOR, new CryptokiProvider.Options(dir, 1, 8, 1000));
        char[] so = "so-pin-0001".toCharArray();
        char[] user = "user-pin-0001".toCharArray();
        sim.initToken(0, so, "t");
        long s = sim.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        sim.login(s, CKU_SO, so);
        sim.initPin(s, user);
        sim.logout(s);
        sim.closeSession(s);
        session = sim.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        sim.login(session, CKU_USER, user);
        hmacKey = sim.generateKey(session, Mechanism.of(CKM_GENERIC_SECRET_KEY_GEN), Template.of().set(CKA_TOKEN, false)
                .set(CKA_CLASS, CKO_SECRET_KEY).set(CKA_KEY_TYPE, CKK_GENERIC_SECRET).set(CKA_VALUE_LEN, 32L).set(CKA_SIGN, true));
        Cryptoki faulty = (Cryptoki) Proxy.newProxyInstance(Cryptoki.class.getClassLoader(), new Class<?>[] {Cryptoki.class},
                (proxy, method, args) -> {
                    Runnable f = method.getName().equals("signInit") ? fault.getAndSet(null) : null;
                    if (f != null) {
                        f.run();
                        throw new HsmException(Ckr.GENERAL_ERROR, "C_SignInit");
                    }
                    try {
                        return method.invoke(sim, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        cs = new CryptokiSession(faulty, session, 0);
    }

    @AfterEach
    void close() {
        sim.close();
    }

    @Test
    void aGeneralErrorFromASessionThatDiedUnderItIsALostSession() {
        byte[] before = cs.mac(hmacKey, 256, new byte[8]);
        fault.set(() -> sim.closeSession(session)); // what C_Finalize does to every session, mid-call
        KmsException e = assertThrows(KmsException.class, () -> cs.mac(hmacKey, 256, new byte[8]));
        assertEquals(KmsError.UNAVAILABLE, e.error(), e.getMessage());
        assertTrue(cs.broken(), "the session is replaced, not used again");
        assertEquals(32, before.length);
    }

    @Test
    void aGeneralErrorFromALiveSessionStaysAnInternalFailure() {
        byte[] before = cs.mac(hmacKey, 256, new byte[8]);
        fault.set(() -> { });
        KmsException e = assertThrows(KmsException.class, () -> cs.mac(hmacKey, 256, new byte[8]));
        assertEquals(KmsError.INTERNAL, e.error(), e.getMessage());
        assertFalse(cs.broken(), "a session that still answers is kept");
        assertArrayEquals(before, cs.mac(hmacKey, 256, new byte[8]), "and it goes on working");
    }
}
