package io.kmsgw.hsm.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.mechanism.ActiveOperation;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Sessions: the per-slot cap, handle validity, read-only sessions, and the one active operation. */
class SessionTableTest {

    static void assertCkr(Ckr expected, Executable call) {
        assertEquals(expected, assertThrows(HsmException.class, call).ckr());
    }

    @Test
    void theCapIsPerSlot() {
        SessionTable t = new SessionTable(2);
        t.open(0, true);
        t.open(0, false);
        assertCkr(Ckr.SESSION_COUNT, () -> t.open(0, true));
        t.open(1, true);
        t.open(1, true);
        assertEquals(2, t.count(0));
        assertEquals(2, t.count(1));
        assertEquals(2, t.maxPerSlot());
    }

    @Test
    void closingASessionFreesItsPlaceAndItsHandleStaysDead() {
        SessionTable t = new SessionTable(1);
        Session s = t.open(0, true);
        assertSame(s, t.get(s.handle()));
        assertSame(s, t.remove(s.handle()));
        assertCkr(Ckr.SESSION_HANDLE_INVALID, () -> t.get(s.handle()));
        assertCkr(Ckr.SESSION_HANDLE_INVALID, () -> t.remove(s.handle()));
        Session again = t.open(0, true);
        assertNotEquals(s.handle(), again.handle(), "handles are not reused");
    }

    @Test
    void handlesAreUniqueAcrossSlots() {
        SessionTable t = new SessionTable(50);
        Set<Long> handles = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            assertTrue(handles.add(t.open(i % 2, true).handle()));
        }
        assertCkr(Ckr.SESSION_HANDLE_INVALID, () -> t.get(0));
    }

    @Test
    void readOnlySessionsAreTracked() {
        SessionTable t = new SessionTable(4);
        Session rw = t.open(0, true);
        assertFalse(t.anyReadOnly(0));
        Session ro = t.open(0, false);
        assertTrue(t.anyReadOnly(0));
        assertFalse(t.anyReadOnly(1));
        assertTrue(rw.readWrite());
        assertFalse(ro.readWrite());
        t.remove(ro.handle());
        assertFalse(t.anyReadOnly(0));
        assertEquals(1, t.inSlot(0).size());
        assertEquals(0, t.inSlot(1).size());
    }

    @Test
    void oneOperationAtATimeAndOnlyTheOneBegunCanFinish() {
        Session s = new SessionTable(1).open(0, true);
        s.requireIdle();
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> s.finish(ActiveOperation.Kind.ENCRYPT));
        ActiveOperation enc = new ActiveOperation(ActiveOperation.Kind.ENCRYPT, 1, null, null, null);
        s.begin(enc);
        assertCkr(Ckr.OPERATION_ACTIVE, s::requireIdle);
        assertCkr(Ckr.OPERATION_ACTIVE, () -> s.begin(new ActiveOperation(ActiveOperation.Kind.SIGN, 2, null, null, null)));
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> s.finish(ActiveOperation.Kind.DECRYPT));
        assertSame(enc, s.finish(ActiveOperation.Kind.ENCRYPT), "a wrong kind leaves the operation in place");
        s.requireIdle();
        assertCkr(Ckr.OPERATION_NOT_INITIALIZED, () -> s.finish(ActiveOperation.Kind.ENCRYPT));
    }

    @Test
    void eachSessionHasItsOwnEnginesAndRandom() {
        SessionTable t = new SessionTable(2);
        Session a = t.open(0, true);
        Session b = t.open(0, true);
        assertNotEquals(a.engines(), b.engines());
        assertNotEquals(a.random(), b.random());
        assertSame(a.engines(), a.engines());
        assertEquals(0, a.slotId());
    }
}
