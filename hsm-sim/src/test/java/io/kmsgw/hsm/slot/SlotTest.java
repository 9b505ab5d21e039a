package io.kmsgw.hsm.slot;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** A token's PIN state machine: init, who may log in when, lockout, PIN changes, and the storage key they guard. */
class SlotTest {
    private static final char[] SO = "so-pin-1111".toCharArray();
    private static final char[] USER = "user-pin-2222".toCharArray();

    @TempDir
    Path dir;
    private final SecureRandom random = new SecureRandom();
    private Slot slot;

    @BeforeEach
    void fresh() {
        slot = new Slot(0, new TokenStorage(dir, 1000, random), random);
    }

    static void assertCkr(Ckr expected, Executable call) {
        assertEquals(expected, assertThrows(HsmException.class, call).ckr());
    }

    private Slot reopened() {
        return new Slot(0, new TokenStorage(dir, 1000, random), random);
    }

    private void initWithUser() {
        slot.initToken(SO, "lbl");
        slot.login(CKU_SO, SO);
        slot.initPin(USER);
        slot.logout();
    }

    @Test
    void anUninitialisedTokenRecognisesNobody() {
        assertFalse(slot.initialized());
        assertCkr(Ckr.TOKEN_NOT_RECOGNIZED, () -> slot.login(CKU_SO, SO));
        assertCkr(Ckr.USER_NOT_LOGGED_IN, slot::storageKey);
        assertEquals("", slot.label());
    }

    @Test
    void pinsAreFourToSixtyFourCharacters() {
        assertCkr(Ckr.PIN_LEN_RANGE, () -> slot.initToken("abc".toCharArray(), "x"));
        assertCkr(Ckr.PIN_LEN_RANGE, () -> slot.initToken(new char[65], "x"));
        assertCkr(Ckr.PIN_LEN_RANGE, () -> slot.initToken(null, "x"));
        slot.initToken(SO, "x");
        slot.login(CKU_SO, SO);
        assertCkr(Ckr.PIN_LEN_RANGE, () -> slot.initPin("123".toCharArray()));
    }

    @Test
    void theUserCannotLogInBeforeTheSoSetsTheirPin() {
        slot.initToken(SO, "lbl");
        assertTrue(slot.initialized());
        assertFalse(slot.userPinInitialized());
        assertCkr(Ckr.USER_PIN_NOT_INITIALIZED, () -> slot.login(CKU_USER, USER));
        assertCkr(Ckr.USER_NOT_LOGGED_IN, () -> slot.initPin(USER));
        slot.login(CKU_SO, SO);
        slot.initPin(USER);
        assertTrue(slot.userPinInitialized());
    }

    @Test
    void oneUserAtATimeAndOnlyKnownUserTypes() {
        initWithUser();
        assertCkr(Ckr.USER_TYPE_INVALID, () -> slot.login(7, USER));
        assertTrue(slot.login(CKU_USER, USER), "a user login opens the token objects");
        assertTrue(slot.userLoggedIn());
        assertCkr(Ckr.USER_ALREADY_LOGGED_IN, () -> slot.login(CKU_USER, USER));
        assertCkr(Ckr.USER_ANOTHER_ALREADY_LOGGED_IN, () -> slot.login(CKU_SO, SO));
        slot.logout();
        assertCkr(Ckr.USER_NOT_LOGGED_IN, slot::logout);
        assertFalse(slot.login(CKU_SO, SO), "an SO login does not");
        assertEquals(CKU_SO, slot.loggedIn());
        assertFalse(slot.userLoggedIn());
        assertCkr(Ckr.ARGUMENTS_BAD, () -> reopened().login(CKU_USER, null));
    }

    @Test
    void aWrongPinIsIncorrectAndTenInARowLockIt() {
        initWithUser();
        for (int i = 0; i < 10; i++) {
            assertCkr(Ckr.PIN_INCORRECT, () -> slot.login(CKU_USER, "wrong-pin".toCharArray()));
        }
        assertCkr(Ckr.PIN_LOCKED, () -> slot.login(CKU_USER, USER));
        slot.login(CKU_SO, SO);
        slot.initPin(USER);
        slot.logout();
        assertTrue(slot.login(CKU_USER, USER), "the SO resetting the PIN unlocks the user");
    }

    @Test
    void aCorrectPinResetsTheFailureCount() {
        initWithUser();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 9; i++) {
                assertCkr(Ckr.PIN_INCORRECT, () -> slot.login(CKU_USER, "nope-nope".toCharArray()));
            }
            slot.login(CKU_USER, USER);
            slot.logout();
        }
    }

    @Test
    void theSoAndTheUserOpenTheSameStorageKeyAndItSurvivesAReopen() {
        initWithUser();
        slot.login(CKU_SO, SO);
        byte[] underSo = slot.storageKey().getEncoded();
        slot.logout();
        slot.login(CKU_USER, USER);
        assertArrayEquals(underSo, slot.storageKey().getEncoded());
        Slot again = reopened();
        assertEquals("lbl", again.label());
        assertTrue(again.userPinInitialized());
        again.login(CKU_USER, USER);
        assertArrayEquals(underSo, again.storageKey().getEncoded());
    }

    @Test
    void changingAPinKeepsTheStorageKeyAndRetiresTheOldPin() {
        initWithUser();
        slot.login(CKU_USER, USER);
        byte[] key = slot.storageKey().getEncoded();
        assertCkr(Ckr.PIN_INCORRECT, () -> slot.setPin("not-the-pin".toCharArray(), "new-user-pin".toCharArray()));
        slot.setPin(USER, "new-user-pin".toCharArray());
        slot.logout();
        assertCkr(Ckr.PIN_INCORRECT, () -> slot.login(CKU_USER, USER));
        slot.login(CKU_USER, "new-user-pin".toCharArray());
        assertArrayEquals(key, slot.storageKey().getEncoded());
        slot.logout();

        slot.login(CKU_SO, SO);
        slot.setPin(SO, "new-so-pin".toCharArray());
        slot.logout();
        Slot again = reopened();
        assertCkr(Ckr.PIN_INCORRECT, () -> again.login(CKU_SO, SO));
        again.login(CKU_SO, "new-so-pin".toCharArray());
        assertArrayEquals(key, again.storageKey().getEncoded());
        assertCkr(Ckr.USER_NOT_LOGGED_IN, () -> reopened().setPin(SO, USER));
    }

    @Test
    void reinitialisingNeedsTheSoPinAndStartsOver() {
        initWithUser();
        slot.login(CKU_USER, USER);
        byte[] old = slot.storageKey().getEncoded();
        assertCkr(Ckr.PIN_INCORRECT, () -> slot.initToken("wrong-so-pin".toCharArray(), "new"));
        slot.initToken(SO, "new");
        assertEquals("new", slot.label());
        assertFalse(slot.userPinInitialized(), "the user PIN went with the old token");
        assertCkr(Ckr.USER_NOT_LOGGED_IN, slot::storageKey);
        slot.login(CKU_SO, SO);
        assertFalse(java.util.Arrays.equals(old, slot.storageKey().getEncoded()), "a new storage key");
    }
}
