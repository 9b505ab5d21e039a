package io.kmsgw.hsm;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.Template;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library across sessions: login is per token (every session of the slot shares it), operations are per
 * session (threads with their own sessions never interfere), and closing sessions takes their objects along.
 */
class SimHsmSessionsTest {
    private static final char[] SO = "so-pin-1234".toCharArray();
    private static final char[] USER = "user-pin-5678".toCharArray();

    @TempDir
    Path dir;
    private Cryptoki hsm;

    static void assertCkr(Ckr expected, Executable call) {
        assertCkr(expected, call, "");
    }

    static void assertCkr(Ckr expected, Executable call, String why) {
        assertEquals(expected, assertThrows(HsmException.class, call, why).ckr(), why);
    }

    @BeforeEach
    void token() {
        hsm = SimHsm.initialize(new SimHsm.Options(dir, 1, 16, 1000));
        hsm.initToken(0, SO, "t");
        long so = hsm.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
        hsm.login(so, CKU_SO, SO);
        hsm.initPin(so, USER);
        hsm.logout(so);
        hsm.closeSession(so);
    }

    @AfterEach
    void close() {
        try {
            hsm.close();
        } catch (HsmException ignored) {
            // closed by the test
        }
    }

    private long rw() {
        return hsm.openSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION);
    }

    private long aes(long session, boolean token) {
        return hsm.generateKey(session, Mechanism.of(CKM_AES_KEY_GEN), Template.of().set(CKA_VALUE_LEN, 32L).set(CKA_TOKEN, token)
                .set(CKA_ENCRYPT, true).set(CKA_DECRYPT, true));
    }

    @Test
    void loginIsPerTokenSoEverySessionOfTheSlotSeesIt() {
        long a = rw();
        long b = rw();
        hsm.login(a, CKU_USER, USER);
        long key = aes(b, true);
        assertCkr(Ckr.USER_ALREADY_LOGGED_IN, () -> hsm.login(b, CKU_USER, USER));
        hsm.logout(b);
        assertCkr(Ckr.KEY_HANDLE_INVALID, () -> hsm.encryptInit(a, new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(new byte[12], null,
                128)), key));
        assertEquals(0, hsm.findObjects(a, Template.of()).length, "private objects hide from every session at logout");
    }

    @Test
    void threadsWithTheirOwnSessionsShareAKeyWithoutInterfering() throws Exception {
        long setup = rw();
        hsm.login(setup, CKU_USER, USER);
        long key = aes(setup, true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            results.add(pool.submit(() -> {
                long s = rw();
                int done = 0;
                for (int i = 0; i < 200; i++) {
                    byte[] iv = new byte[12];
                    iv[0] = (byte) id;
                    iv[1] = (byte) i;
                    Mechanism gcm = new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(iv, null, 128));
                    byte[] plain = {(byte) id, (byte) i};
                    hsm.encryptInit(s, gcm, key);
                    byte[] ct = hsm.encrypt(s, plain);
                    hsm.decryptInit(s, gcm, key);
                    assertArrayEquals(plain, hsm.decrypt(s, ct));
                    done++;
                }
                hsm.closeSession(s);
                return done;
            }));
        }
        for (Future<Integer> f : results) {
            assertEquals(200, f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
    }

    @Test
    void anOperationLivesInItsSessionOnly() {
        long a = rw();
        long b = rw();
        hsm.login(a, CKU_USER, USER);
        long key = aes(a, false);
        Mechanism gcm = new Mechanism(CKM_AES_GCM, new Mechanism.GcmParams(new byte[12], null, 128));
        hsm.encryptInit(a, gcm, key);
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> hsm.encrypt(b, new byte[1]));
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> hsm.decrypt(a, new byte[1]), "an encrypt is not a decrypt");
        assertEquals(17, hsm.encrypt(a, new byte[1]).length);
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> hsm.encrypt(a, new byte[1]), "a single-part call ends the operation");
    }

    @Test
    void closingAllSessionsDropsTheirObjectsButNotTheTokens() {
        long a = rw();
        hsm.login(a, CKU_USER, USER);
        long sessionKey = aes(a, false);
        long tokenKey = aes(a, true);
        long b = rw();
        hsm.closeAllSessions(0);
        assertCkr(Ckr.SESSION_HANDLE_INVALID, () -> hsm.findObjects(a, Template.of()));
        assertCkr(Ckr.SESSION_HANDLE_INVALID, () -> hsm.findObjects(b, Template.of()));
        long c = rw();
        assertFalse(hsm.getSlotInfo(0).userPinInitialized() && hsm.findObjects(c, Template.of()).length > 0,
                "after the last session closes the token is logged out: nothing private is visible");
        hsm.login(c, CKU_USER, USER);
        long[] found = hsm.findObjects(c, Template.of());
        assertEquals(1, found.length);
        assertTrue(hsm.getAttributeValue(c, found[0], CKA_TOKEN).bool(CKA_TOKEN, false), "the token key, under a new handle");
        assertCkr(Ckr.OBJECT_HANDLE_INVALID, () -> hsm.getAttributeValue(c, tokenKey, CKA_LABEL),
                "handles end with the login that loaded them");
        assertCkr(Ckr.OBJECT_HANDLE_INVALID, () -> hsm.getAttributeValue(c, sessionKey, CKA_LABEL));
    }

    @Test
    void destroyingATokenObjectIsDurableAndNeedsAReadWriteSession() {
        long a = rw();
        hsm.login(a, CKU_USER, USER);
        long keep = aes(a, true);
        long gone = aes(a, true);
        long ro = hsm.openSession(0, CKF_SERIAL_SESSION);
        assertCkr(Ckr.SESSION_READ_ONLY, () -> hsm.destroyObject(ro, gone));
        assertCkr(Ckr.SESSION_READ_ONLY, () -> hsm.setAttributeValue(ro, gone, Template.of().set(CKA_LABEL, "x")));
        hsm.destroyObject(a, gone);
        assertCkr(Ckr.OBJECT_HANDLE_INVALID, () -> hsm.destroyObject(a, gone));
        hsm.close();

        hsm = SimHsm.initialize(new SimHsm.Options(dir, 1, 16, 1000));
        long s = rw();
        hsm.login(s, CKU_USER, USER);
        assertEquals(1, hsm.findObjects(s, Template.of()).length, "the destroyed object stays destroyed after a restart");
        assertTrue(keep > 0);
    }

    @Test
    void attributesReadAsTheyWereSetAndUnknownTypesAreInvalid() {
        long a = rw();
        hsm.login(a, CKU_USER, USER);
        long key = aes(a, true);
        hsm.setAttributeValue(a, key, Template.of().set(CKA_LABEL, "renamed").set(CKA_ID, new byte[] {4, 2}));
        Template t = hsm.getAttributeValue(a, key, CKA_LABEL, CKA_ID, CKA_TOKEN, CKA_VALUE_LEN);
        assertEquals("renamed", t.string(CKA_LABEL));
        assertArrayEquals(new byte[] {4, 2}, t.bytes(CKA_ID));
        assertTrue(t.bool(CKA_TOKEN, false));
        assertEquals(32L, t.num(CKA_VALUE_LEN, 0));
        assertCkr(Ckr.ATTRIBUTE_TYPE_INVALID, () -> hsm.getAttributeValue(a, key, CKA_MODULUS));
        assertCkr(Ckr.ATTRIBUTE_SENSITIVE, () -> hsm.getAttributeValue(a, key, CKA_PRIVATE_EXPONENT));
    }

    @Test
    void theMechanismListIsTheTokensAndEveryEntryHasInfo() {
        long[] list = hsm.getMechanismList(0);
        assertTrue(list.length >= 20);
        for (long m : list) {
            assertTrue(hsm.getMechanismInfo(0, m).flags() != 0);
        }
        assertCkr(Ckr.MECHANISM_INVALID, () -> hsm.getMechanismInfo(0, 0x7fffffffL));
        assertCkr(Ckr.SLOT_ID_INVALID, () -> hsm.getMechanismList(5));
    }

    @Test
    void randomFillsWhatItIsGiven() {
        long a = rw();
        byte[] r1 = new byte[32];
        byte[] r2 = new byte[32];
        hsm.generateRandom(a, r1);
        hsm.generateRandom(a, r2);
        assertFalse(java.util.Arrays.equals(r1, r2));
        assertFalse(java.util.Arrays.equals(r1, new byte[32]));
        hsm.closeSession(a);
        assertCkr(Ckr.SESSION_HANDLE_INVALID, () -> hsm.generateRandom(a, r1));
    }
}
