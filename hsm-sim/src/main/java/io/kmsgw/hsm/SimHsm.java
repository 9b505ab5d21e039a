package io.kmsgw.hsm;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.MechanismInfo;
import io.kmsgw.hsm.api.SlotInfo;
import io.kmsgw.hsm.api.Template;
import io.kmsgw.hsm.mechanism.ActiveOperation;
import io.kmsgw.hsm.mechanism.ActiveOperation.Kind;
import io.kmsgw.hsm.mechanism.KeyMaker;
import io.kmsgw.hsm.mechanism.MechanismTable;
import io.kmsgw.hsm.mechanism.Operations;
import io.kmsgw.hsm.object.HsmObject;
import io.kmsgw.hsm.object.ObjectTable;
import io.kmsgw.hsm.session.Session;
import io.kmsgw.hsm.session.SessionTable;
import io.kmsgw.hsm.slot.Slot;
import io.kmsgw.hsm.slot.TokenStorage;
import io.kmsgw.hsm.slot.TokenStorage.StoredObject;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated Cryptoki library. Each call runs a fixed ladder of checks (library initialised →
 * session → login/visibility → object → mechanism → attributes) and either succeeds or throws one
 * {@link HsmException}. Token objects persist under {@code dataDir/slot-N}, sealed under a key that
 * only a PIN opens; nothing sensitive is readable through the API.
 */
public final class SimHsm implements Cryptoki {

    /** Library options: where tokens live, how many slots, the session cap and the PIN KDF cost. */
    public record Options(Path dataDir, int slots, int maxSessionsPerSlot, int pbkdf2Iterations) {
        public static Options defaults(Path dataDir) {
            return new Options(dataDir, 1, 256, 100_000);
        }
    }

    private final Slot[] slots;
    private final SessionTable sessions;
    private final ObjectTable objects = new ObjectTable();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean initialized = true;

    private SimHsm(Options options) {
        if (options.slots() < 1 || options.maxSessionsPerSlot() < 1 || options.pbkdf2Iterations() < 1000) {
            throw new HsmException(Ckr.ARGUMENTS_BAD, "options out of range");
        }
        slots = new Slot[options.slots()];
        for (int i = 0; i < slots.length; i++) {
            Path dir = options.dataDir().resolve("slot-" + i);
            slots[i] = new Slot(i, new TokenStorage(dir, options.pbkdf2Iterations(), random), random);
        }
        sessions = new SessionTable(options.maxSessionsPerSlot());
    }

    /** C_Initialize. */
    public static Cryptoki initialize(Options options) {
        return new SimHsm(options);
    }

    private void checkInit() {
        if (!initialized) {
            throw new HsmException(Ckr.CRYPTOKI_NOT_INITIALIZED);
        }
    }

    private Slot slot(long id) {
        checkInit();
        if (id < 0 || id >= slots.length) {
            throw new HsmException(Ckr.SLOT_ID_INVALID);
        }
        return slots[(int) id];
    }

    private Session session(long handle) {
        checkInit();
        return sessions.get(handle);
    }

    private HsmObject key(Session s, long handle, Ckr invalid) {
        return objects.get(handle, s.slotId(), slots[(int) s.slotId()].userLoggedIn(), invalid);
    }

    @Override
    public long[] getSlotList(boolean tokenPresent) {
        checkInit();
        long[] ids = new long[slots.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        return ids;
    }

    @Override
    public SlotInfo getSlotInfo(long slotId) {
        Slot s = slot(slotId);
        return new SlotInfo(slotId, "kmsgw simulated slot " + slotId, true, s.label(), s.initialized(), s.userPinInitialized(),
                sessions.count(slotId), sessions.maxPerSlot());
    }

    @Override
    public long[] getMechanismList(long slotId) {
        slot(slotId);
        return MechanismTable.list();
    }

    @Override
    public MechanismInfo getMechanismInfo(long slotId, long mechanism) {
        slot(slotId);
        return MechanismTable.info(mechanism);
    }

    @Override
    public void initToken(long slotId, char[] soPin, String label) {
        Slot s = slot(slotId);
        if (sessions.count(slotId) > 0) {
            throw new HsmException(Ckr.SESSION_EXISTS);
        }
        s.initToken(soPin, label);
        objects.removeIf(o -> o.slotId() == slotId);
    }

    @Override
    public long openSession(long slotId, long flags) {
        Slot s = slot(slotId);
        if ((flags & CKF_SERIAL_SESSION) == 0) {
            throw new HsmException(Ckr.SESSION_PARALLEL_NOT_SUPPORTED);
        }
        if (!s.initialized()) {
            throw new HsmException(Ckr.TOKEN_NOT_RECOGNIZED);
        }
        boolean rw = (flags & CKF_RW_SESSION) != 0;
        if (!rw && s.loggedIn() == CKU_SO) {
            throw new HsmException(Ckr.SESSION_READ_WRITE_SO_EXISTS);
        }
        return sessions.open(slotId, rw).handle();
    }

    @Override
    public void closeSession(long handle) {
        checkInit();
        Session s = sessions.remove(handle);
        objects.removeIf(o -> !o.isToken() && o.ownerSession() == handle);
        if (sessions.count(s.slotId()) == 0) {
            Slot slot = slots[(int) s.slotId()];
            if (slot.loggedIn() != Slot.NOBODY) {
                slot.logout();
                objects.removeIf(o -> o.slotId() == s.slotId() && o.isToken());
            }
        }
    }

    @Override
    public void closeAllSessions(long slotId) {
        slot(slotId);
        for (Session s : sessions.inSlot(slotId)) {
            closeSession(s.handle());
        }
    }

    @Override
    public void login(long handle, long userType, char[] pin) {
        Session s = session(handle);
        Slot slot = slots[(int) s.slotId()];
        if (userType == CKU_SO && sessions.anyReadOnly(s.slotId())) {
            throw new HsmException(Ckr.SESSION_READ_ONLY_EXISTS);
        }
        if (slot.login(userType, pin)) {
            KeyMaker maker = new KeyMaker(slot.id(), s.random());
            try {
                for (StoredObject so : slot.storage().loadObjects(slot.storageKey(), slot.id())) {
                    objects.add(maker.restore(so.attributes(), so.encoded(), so.spki()));
                }
            } catch (HsmException e) {
                slot.logout();
                objects.removeIf(o -> o.slotId() == slot.id() && o.isToken());
                throw e;
            }
        }
    }

    @Override
    public void logout(long handle) {
        Session s = session(handle);
        Slot slot = slots[(int) s.slotId()];
        slot.logout();
        // Token objects are reloaded (with new handles) at the next login; private session objects stay invisible.
        objects.removeIf(o -> o.slotId() == s.slotId() && o.isToken());
    }

    @Override
    public void initPin(long handle, char[] pin) {
        Session s = session(handle);
        if (!s.readWrite()) {
            throw new HsmException(Ckr.SESSION_READ_ONLY);
        }
        slots[(int) s.slotId()].initPin(pin);
    }

    @Override
    public void setPin(long handle, char[] oldPin, char[] newPin) {
        Session s = session(handle);
        if (!s.readWrite()) {
            throw new HsmException(Ckr.SESSION_READ_ONLY);
        }
        slots[(int) s.slotId()].setPin(oldPin, newPin);
    }

    /** Registers a new object under the session's rights; token objects are persisted before the handle is returned. */
    private long register(Session s, HsmObject... created) {
        Slot slot = slots[(int) s.slotId()];
        boolean anyToken = false;
        for (HsmObject o : created) {
            if (o.isToken()) {
                anyToken = true;
                if (!s.readWrite()) {
                    throw new HsmException(Ckr.SESSION_READ_ONLY);
                }
            }
            if ((o.isPrivate() || o.isToken()) && !slot.userLoggedIn()) {
                throw new HsmException(Ckr.USER_NOT_LOGGED_IN);
            }
        }
        long last = 0;
        for (HsmObject o : created) {
            last = objects.add(o);
        }
        if (anyToken) {
            try {
                persist(slot);
            } catch (HsmException e) {
                for (HsmObject o : created) {
                    objects.remove(o);
                }
                throw e;
            }
        }
        return last;
    }

    private void persist(Slot slot) {
        List<StoredObject> stored = new ArrayList<>();
        for (HsmObject o : objects.tokenObjects(slot.id())) {
            byte[] spki = o.objectClass() == CKO_SECRET_KEY ? null
                    : (o.publicKey() != null ? o.publicKey() : (java.security.PublicKey) o.key()).getEncoded();
            stored.add(new StoredObject(o.attributes(), o.key().getEncoded(), spki));
        }
        slot.storage().saveObjects(slot.storageKey(), slot.id(), stored);
    }

    @Override
    public long createObject(long handle, Template template) {
        Session s = session(handle);
        KeyMaker maker = new KeyMaker(s.slotId(), s.random());
        return register(s, template.num(CKA_CLASS, -1) == CKO_PUBLIC_KEY ? maker.importPublic(template, handle)
                : maker.importSecret(template, handle));
    }

    @Override
    public long generateKey(long handle, Mechanism mechanism, Template template) {
        Session s = session(handle);
        return register(s, new KeyMaker(s.slotId(), s.random()).generateSecret(mechanism, template, handle));
    }

    @Override
    public long[] generateKeyPair(long handle, Mechanism mechanism, Template publicTemplate, Template privateTemplate) {
        Session s = session(handle);
        HsmObject[] pair = new KeyMaker(s.slotId(), s.random()).generatePair(mechanism, publicTemplate, privateTemplate, handle);
        register(s, pair);
        return new long[] {pair[0].handle(), pair[1].handle()};
    }

    @Override
    public Template getAttributeValue(long handle, long object, long... types) {
        Session s = session(handle);
        HsmObject o = key(s, object, Ckr.OBJECT_HANDLE_INVALID);
        Template all = o.attributes();
        Template out = Template.of();
        for (long type : types) {
            if (type == CKA_VALUE) {
                if (o.objectClass() == CKO_PUBLIC_KEY) {
                    out.set(CKA_VALUE, o.key().getEncoded());
                    continue;
                }
                if (!o.readable()) {
                    throw new HsmException(Ckr.ATTRIBUTE_SENSITIVE, "CKA_VALUE");
                }
                out.set(CKA_VALUE, o.key().getEncoded());
            } else if (type == CKA_PRIVATE_EXPONENT) {
                throw new HsmException(o.readable() ? Ckr.ATTRIBUTE_TYPE_INVALID : Ckr.ATTRIBUTE_SENSITIVE, "CKA_PRIVATE_EXPONENT");
            } else if (all.has(type)) {
                Object v = all.raw(type);
                if (v instanceof Boolean b) {
                    out.set(type, b);
                } else if (v instanceof Long l) {
                    out.set(type, l);
                } else if (v instanceof String str) {
                    out.set(type, str);
                } else {
                    out.set(type, (byte[]) v);
                }
            } else {
                throw new HsmException(Ckr.ATTRIBUTE_TYPE_INVALID, "0x" + Long.toHexString(type));
            }
        }
        return out;
    }

    @Override
    public void setAttributeValue(long handle, long object, Template template) {
        Session s = session(handle);
        HsmObject o = key(s, object, Ckr.OBJECT_HANDLE_INVALID);
        if (o.isToken() && !s.readWrite()) {
            throw new HsmException(Ckr.SESSION_READ_ONLY);
        }
        objects.change(o, template);
        if (o.isToken()) {
            persist(slots[(int) s.slotId()]);
        }
    }

    @Override
    public long[] findObjects(long handle, Template match) {
        Session s = session(handle);
        return objects.find(s.slotId(), slots[(int) s.slotId()].userLoggedIn(), match).stream().mapToLong(HsmObject::handle).toArray();
    }

    @Override
    public void destroyObject(long handle, long object) {
        Session s = session(handle);
        HsmObject o = key(s, object, Ckr.OBJECT_HANDLE_INVALID);
        if (o.isToken() && !s.readWrite()) {
            throw new HsmException(Ckr.SESSION_READ_ONLY);
        }
        objects.remove(o);
        if (o.isToken()) {
            try {
                persist(slots[(int) s.slotId()]);
            } catch (HsmException e) {
                objects.add(o);
                throw e;
            }
        }
    }

    private void init(long handle, Kind kind, Mechanism mechanism, long keyHandle) {
        Session s = session(handle);
        s.requireIdle();
        HsmObject k = key(s, keyHandle, Ckr.KEY_HANDLE_INVALID);
        s.begin(Operations.init(kind, mechanism, k, s.engines()));
    }

    @Override
    public void encryptInit(long handle, Mechanism mechanism, long key) {
        init(handle, Kind.ENCRYPT, mechanism, key);
    }

    @Override
    public byte[] encrypt(long handle, byte[] data) {
        ActiveOperation op = session(handle).finish(Kind.ENCRYPT);
        return Operations.crypt(op, data);
    }

    @Override
    public void decryptInit(long handle, Mechanism mechanism, long key) {
        init(handle, Kind.DECRYPT, mechanism, key);
    }

    @Override
    public byte[] decrypt(long handle, byte[] data) {
        ActiveOperation op = session(handle).finish(Kind.DECRYPT);
        return Operations.crypt(op, data);
    }

    @Override
    public void signInit(long handle, Mechanism mechanism, long key) {
        init(handle, Kind.SIGN, mechanism, key);
    }

    @Override
    public byte[] sign(long handle, byte[] data) {
        return Operations.sign(session(handle).finish(Kind.SIGN), data);
    }

    @Override
    public void verifyInit(long handle, Mechanism mechanism, long key) {
        init(handle, Kind.VERIFY, mechanism, key);
    }

    @Override
    public void verify(long handle, byte[] data, byte[] signature) {
        Operations.verify(session(handle).finish(Kind.VERIFY), data, signature);
    }

    @Override
    public byte[] wrapKey(long handle, Mechanism mechanism, long wrappingKey, long key) {
        Session s = session(handle);
        s.requireIdle();
        HsmObject w = key(s, wrappingKey, Ckr.WRAPPING_KEY_HANDLE_INVALID);
        HsmObject k = key(s, key, Ckr.KEY_HANDLE_INVALID);
        return new KeyMaker(s.slotId(), s.random()).wrap(mechanism, w, k, s.engines());
    }

    @Override
    public long unwrapKey(long handle, Mechanism mechanism, long unwrappingKey, byte[] wrappedKey, Template template) {
        Session s = session(handle);
        s.requireIdle();
        HsmObject u = key(s, unwrappingKey, Ckr.UNWRAPPING_KEY_HANDLE_INVALID);
        return register(s, new KeyMaker(s.slotId(), s.random()).unwrap(mechanism, u, wrappedKey, template, s.engines(), handle));
    }

    @Override
    public void generateRandom(long handle, byte[] out) {
        session(handle).random().nextBytes(out);
    }

    @Override
    public synchronized void close() {
        if (!initialized) {
            throw new HsmException(Ckr.CRYPTOKI_NOT_INITIALIZED);
        }
        for (Slot slot : slots) {
            for (Session s : sessions.inSlot(slot.id())) {
                closeSession(s.handle());
            }
        }
        initialized = false;
    }
}
