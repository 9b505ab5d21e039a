package io.kmsgw.hsm.object;

import static io.kmsgw.hsm.api.Pkcs11.CKA_SENSITIVE;
import static io.kmsgw.hsm.api.Pkcs11.CKA_EXTRACTABLE;
import static io.kmsgw.hsm.api.Pkcs11.CKA_ALWAYS_SENSITIVE;
import static io.kmsgw.hsm.api.Pkcs11.CKA_NEVER_EXTRACTABLE;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The handle manager: object handles to objects, with PKCS#11 visibility. A handle is valid only
 * while its object exists and is visible: session objects die with their session, private objects are
 * invisible while the token is not logged in as user. Handles are never reused.
 */
public final class ObjectTable {
    private final ConcurrentHashMap<Long, HsmObject> objects = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    public long add(HsmObject object) {
        long h = nextHandle.getAndIncrement();
        object.handle(h);
        objects.put(h, object);
        return h;
    }

    /**
     * Resolves a handle for a caller in {@code slotId} that is (or is not) logged in as user.
     * Unknown, destroyed, foreign-slot or invisible private objects are all CKR_OBJECT_HANDLE_INVALID.
     */
    public HsmObject get(long handle, long slotId, boolean userLoggedIn, Ckr invalid) {
        HsmObject o = objects.get(handle);
        if (o == null || o.slotId() != slotId || (o.isPrivate() && !userLoggedIn)) {
            throw new HsmException(invalid);
        }
        return o;
    }

    public void remove(HsmObject object) {
        objects.remove(object.handle(), object);
    }

    public List<HsmObject> find(long slotId, boolean userLoggedIn, Template match) {
        List<HsmObject> found = new ArrayList<>();
        for (HsmObject o : objects.values()) {
            if (o.slotId() == slotId && (!o.isPrivate() || userLoggedIn) && o.matches(match)) {
                found.add(o);
            }
        }
        found.sort((a, b) -> Long.compare(a.handle(), b.handle()));
        return found;
    }

    /** Drops the objects a predicate selects (session close, token re-init); returns how many. */
    public int removeIf(Predicate<HsmObject> which) {
        int[] n = {0};
        objects.values().removeIf(o -> {
            boolean drop = which.test(o);
            if (drop) {
                n[0]++;
            }
            return drop;
        });
        return n[0];
    }

    public List<HsmObject> tokenObjects(long slotId) {
        List<HsmObject> list = new ArrayList<>();
        for (HsmObject o : objects.values()) {
            if (o.slotId() == slotId && o.isToken()) {
                list.add(o);
            }
        }
        list.sort((a, b) -> Long.compare(a.handle(), b.handle()));
        return list;
    }

    /** Applies attribute changes under the PKCS#11 rules, keeping ALWAYS_SENSITIVE/NEVER_EXTRACTABLE honest. */
    public void change(HsmObject object, Template changes) {
        AttributeRules.checkChange(object, changes);
        synchronized (object) {
            object.apply(changes);
            if (!object.flag(CKA_SENSITIVE) && object.flag(CKA_ALWAYS_SENSITIVE)) {
                object.apply(Template.of().set(CKA_ALWAYS_SENSITIVE, false));
            }
            if (object.flag(CKA_EXTRACTABLE) && object.flag(CKA_NEVER_EXTRACTABLE)) {
                object.apply(Template.of().set(CKA_NEVER_EXTRACTABLE, false));
            }
        }
    }
}
