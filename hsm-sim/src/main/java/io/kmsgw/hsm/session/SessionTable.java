package io.kmsgw.hsm.session;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Open sessions by handle, with a per-slot cap (CKR_SESSION_COUNT). Handles are never reused. */
public final class SessionTable {
    private final ConcurrentHashMap<Long, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);
    private final int maxPerSlot;

    public SessionTable(int maxPerSlot) {
        this.maxPerSlot = maxPerSlot;
    }

    public synchronized Session open(long slotId, boolean readWrite) {
        if (count(slotId) >= maxPerSlot) {
            throw new HsmException(Ckr.SESSION_COUNT);
        }
        Session s = new Session(next.getAndIncrement(), slotId, readWrite);
        sessions.put(s.handle(), s);
        return s;
    }

    public Session get(long handle) {
        Session s = sessions.get(handle);
        if (s == null) {
            throw new HsmException(Ckr.SESSION_HANDLE_INVALID);
        }
        return s;
    }

    public Session remove(long handle) {
        Session s = sessions.remove(handle);
        if (s == null) {
            throw new HsmException(Ckr.SESSION_HANDLE_INVALID);
        }
        return s;
    }

    public int count(long slotId) {
        int n = 0;
        for (Session s : sessions.values()) {
            if (s.slotId() == slotId) {
                n++;
            }
        }
        return n;
    }

    public boolean anyReadOnly(long slotId) {
        for (Session s : sessions.values()) {
            if (s.slotId() == slotId && !s.readWrite()) {
                return true;
            }
        }
        return false;
    }

    public List<Session> inSlot(long slotId) {
        List<Session> l = new ArrayList<>();
        for (Session s : sessions.values()) {
            if (s.slotId() == slotId) {
                l.add(s);
            }
        }
        return l;
    }

    public int maxPerSlot() {
        return maxPerSlot;
    }
}
