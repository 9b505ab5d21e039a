package io.kmsgw.hsm.object;

import static io.kmsgw.hsm.api.Pkcs11.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Template;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The handle manager: handles, visibility by slot and login, finding, removal, and attribute changes. */
class ObjectTableTest {
    private final ObjectTable table = new ObjectTable();

    private static HsmObject object(long slot, boolean token, boolean isPrivate, String label, long session) {
        Template t = AttributeRules.newKey(CKO_SECRET_KEY, CKK_AES, Template.of().set(CKA_TOKEN, token).set(CKA_PRIVATE, isPrivate)
                .set(CKA_LABEL, label), true);
        return new HsmObject(slot, t, new SecretKeySpec(new byte[16], "AES"), null, session);
    }

    private void assertInvalid(long handle, long slot, boolean loggedIn) {
        HsmException e = assertThrows(HsmException.class, () -> table.get(handle, slot, loggedIn, Ckr.KEY_HANDLE_INVALID));
        assertEquals(Ckr.KEY_HANDLE_INVALID, e.ckr(), "the caller's code for an invalid handle");
    }

    @Test
    void handlesAreUniqueAndNeverReused() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            HsmObject o = object(0, false, true, "k" + i, 1);
            long h = table.add(o);
            assertEquals(h, o.handle());
            assertTrue(seen.add(h));
            if (i % 2 == 0) {
                table.remove(o);
            }
        }
        long after = table.add(object(0, false, true, "later", 1));
        assertFalse(seen.contains(after), "a removed object's handle does not come back");
    }

    @Test
    void concurrentAddsGetDistinctHandles() throws Exception {
        Set<Long> handles = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                for (int i = 0; i < 500; i++) {
                    handles.add(table.add(object(0, false, true, "c", 1)));
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(2000, handles.size());
    }

    @Test
    void privateObjectsAreInvisibleUntilTheUserLogsIn() {
        long priv = table.add(object(0, true, true, "p", 0));
        long pub = table.add(object(0, true, false, "q", 0));
        assertInvalid(priv, 0, false);
        assertEquals(pub, table.get(pub, 0, false, Ckr.OBJECT_HANDLE_INVALID).handle(), "public objects are always visible");
        assertEquals(priv, table.get(priv, 0, true, Ckr.OBJECT_HANDLE_INVALID).handle());
        assertEquals(List.of(pub), table.find(0, false, Template.of()).stream().map(HsmObject::handle).toList());
        assertEquals(List.of(priv, pub), table.find(0, true, Template.of()).stream().map(HsmObject::handle).toList());
    }

    @Test
    void anObjectOfAnotherSlotIsAnInvalidHandle() {
        long h = table.add(object(1, true, false, "other", 0));
        assertInvalid(h, 0, true);
        assertEquals(List.of(), table.find(0, true, Template.of()));
        assertEquals(1, table.find(1, true, Template.of()).size());
    }

    @Test
    void unknownAndRemovedHandlesAreInvalid() {
        assertInvalid(42, 0, true);
        HsmObject o = object(0, false, true, "gone", 1);
        long h = table.add(o);
        table.remove(o);
        assertInvalid(h, 0, true);
    }

    @Test
    void findMatchesEveryAttributeOfTheTemplateInHandleOrder() {
        long a = table.add(object(0, true, true, "a", 0));
        long b = table.add(object(0, false, true, "b", 7));
        long a2 = table.add(object(0, false, true, "a", 7));
        assertEquals(List.of(a, a2), table.find(0, true, Template.of().set(CKA_LABEL, "a")).stream().map(HsmObject::handle).toList());
        assertEquals(List.of(a), table.find(0, true, Template.of().set(CKA_LABEL, "a").set(CKA_TOKEN, true)).stream()
                .map(HsmObject::handle).toList());
        assertEquals(List.of(), table.find(0, true, Template.of().set(CKA_LABEL, "c")));
        assertEquals(List.of(b), table.find(0, true, Template.of().set(CKA_LABEL, "b").set(CKA_CLASS, CKO_SECRET_KEY)).stream()
                .map(HsmObject::handle).toList());
    }

    @Test
    void removeIfDropsWhatThePredicateSelectsAndCountsIt() {
        table.add(object(0, true, true, "token", 0));
        table.add(object(0, false, true, "s7", 7));
        table.add(object(0, false, true, "s7b", 7));
        table.add(object(0, false, true, "s8", 8));
        assertEquals(2, table.removeIf(o -> o.ownerSession() == 7), "closing session 7 drops its two objects");
        assertEquals(0, table.removeIf(o -> o.ownerSession() == 7));
        assertEquals(List.of("token", "s8"), table.find(0, true, Template.of()).stream().map(o -> o.attributes().string(CKA_LABEL))
                .toList());
    }

    @Test
    void tokenObjectsAreTheSlotsPersistentOnes() {
        HsmObject t0 = object(0, true, true, "t0", 0);
        table.add(t0);
        table.add(object(0, false, true, "session", 3));
        table.add(object(1, true, true, "t1", 0));
        List<HsmObject> tokens = table.tokenObjects(0);
        assertEquals(1, tokens.size());
        assertSame(t0, tokens.get(0));
        assertEquals(0, t0.ownerSession(), "a token object belongs to no session");
    }

    @Test
    void changesApplyAndKeepTheHistoryFlagsHonest() {
        HsmObject o = object(0, false, true, "x", 1);
        o.apply(Template.of().set(CKA_SENSITIVE, false)); // as imported non-sensitive: the token may hold such keys
        assertTrue(o.flag(CKA_ALWAYS_SENSITIVE), "the fixture starts from a generated key");
        table.change(o, Template.of().set(CKA_LABEL, "renamed"));
        assertEquals("renamed", o.attributes().string(CKA_LABEL));
        assertFalse(o.flag(CKA_ALWAYS_SENSITIVE), "a key seen non-sensitive is no longer always sensitive");

        HsmObject e = object(0, false, true, "e", 1);
        e.apply(Template.of().set(CKA_EXTRACTABLE, true));
        table.change(e, Template.of().set(CKA_LABEL, "e2"));
        assertFalse(e.flag(CKA_NEVER_EXTRACTABLE), "an extractable key was not never extractable");
    }

    @Test
    void aRefusedChangeChangesNothing() {
        HsmObject o = object(0, false, true, "keep", 1);
        Template before = o.attributes();
        assertThrows(HsmException.class, () -> table.change(o, Template.of().set(CKA_LABEL, "new").set(CKA_SENSITIVE, false)));
        assertEquals(before.toString(), o.attributes().toString());
    }

    @Test
    void usageChecksAndReadability() {
        HsmObject o = object(0, false, true, "u", 1);
        assertEquals(Ckr.KEY_FUNCTION_NOT_PERMITTED, assertThrows(HsmException.class, () -> o.requireUsage(CKA_ENCRYPT)).ckr());
        o.apply(Template.of().set(CKA_ENCRYPT, true));
        o.requireUsage(CKA_ENCRYPT);
        assertFalse(o.readable(), "sensitive and not extractable");
        o.apply(Template.of().set(CKA_SENSITIVE, false).set(CKA_EXTRACTABLE, true));
        assertTrue(o.readable());
        o.attributes().set(CKA_LABEL, "changed through a copy");
        assertEquals("u", o.attributes().string(CKA_LABEL), "attributes() hands out copies");
    }
}
