package io.kmsgw.crypto.backend;

import static io.kmsgw.hsm.api.Pkcs11.*;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.Cryptoki;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Mechanism;
import io.kmsgw.hsm.api.MechanismInfo;
import io.kmsgw.hsm.api.SlotInfo;
import io.kmsgw.hsm.api.Template;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Cryptoki} over a native PKCS#11 module (SoftHSM2, a vendor HSM's library), called through JNA and the module's
 * {@code CK_FUNCTION_LIST}. The C structures are laid out by hand for LP64 (Linux and macOS on 64-bit: {@code CK_ULONG}
 * is 8 bytes, structures 8-aligned), the platforms kmsgw supports.
 *
 * <p>Design notes.
 * <ul>
 * <li><b>One module per process.</b> {@code C_Initialize} (with {@code CKF_OS_LOCKING_OK}: SoftHSM2 is not safe across
 * threads without it) and {@code C_Finalize} are reference-counted per library path, so two backends or a test fixture on
 * the same module do not finalise each other.</li>
 * <li><b>The simulator's conventions, translated.</b> {@link CryptokiSession} speaks the simulator's dialect: the
 * public key of a pair read as the vendor attribute {@code CKA_VENDOR_PUBLIC_KEY_INFO} (a DER SubjectPublicKeyInfo),
 * public keys created from one, a data key pair's private half read as {@code CKA_VALUE} (PKCS#8), {@code CKM_AES_KEY_WRAP_KWP},
 * CTR with a whole counter block. {@link Pkcs11Translation} maps each onto standard attributes and mechanisms here, so the
 * session code is one for both.</li>
 * <li><b>Output buffers.</b> A single-part call gets a buffer large enough for any answer kmsgw asks for; on
 * {@code CKR_BUFFER_TOO_SMALL} (the operation stays active, as the standard says) it is called again with the size the
 * module gave.</li>
 * </ul>
 */
final class NativeCryptoki implements Cryptoki {
    private static final long CKR_BUFFER_TOO_SMALL = 0x150;
    private static final long CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;
    private static final long CKF_OS_LOCKING_OK = 0x2;
    private static final long CKF_TOKEN_INITIALIZED = 0x400;
    private static final long CKF_USER_PIN_INITIALIZED = 0x8;
    private static final long CKF_TOKEN_PRESENT = 0x1;
    private static final long UNAVAILABLE = -1L;

    /** Indexes into CK_FUNCTION_LIST (after its CK_VERSION), PKCS#11 v2.40 order. */
    private static final int C_INITIALIZE = 0;
    private static final int C_FINALIZE = 1;
    private static final int C_GET_SLOT_LIST = 4;
    private static final int C_GET_SLOT_INFO = 5;
    private static final int C_GET_TOKEN_INFO = 6;
    private static final int C_GET_MECHANISM_LIST = 7;
    private static final int C_GET_MECHANISM_INFO = 8;
    private static final int C_INIT_TOKEN = 9;
    private static final int C_INIT_PIN = 10;
    private static final int C_SET_PIN = 11;
    private static final int C_OPEN_SESSION = 12;
    private static final int C_CLOSE_SESSION = 13;
    private static final int C_CLOSE_ALL_SESSIONS = 14;
    private static final int C_LOGIN = 18;
    private static final int C_LOGOUT = 19;
    private static final int C_CREATE_OBJECT = 20;
    private static final int C_DESTROY_OBJECT = 22;
    private static final int C_GET_ATTRIBUTE_VALUE = 24;
    private static final int C_SET_ATTRIBUTE_VALUE = 25;
    private static final int C_FIND_OBJECTS_INIT = 26;
    private static final int C_FIND_OBJECTS = 27;
    private static final int C_FIND_OBJECTS_FINAL = 28;
    private static final int C_ENCRYPT_INIT = 29;
    private static final int C_ENCRYPT = 30;
    private static final int C_DECRYPT_INIT = 33;
    private static final int C_DECRYPT = 34;
    private static final int C_SIGN_INIT = 42;
    private static final int C_SIGN = 43;
    private static final int C_VERIFY_INIT = 48;
    private static final int C_VERIFY = 49;
    private static final int C_GENERATE_KEY = 58;
    private static final int C_GENERATE_KEY_PAIR = 59;
    private static final int C_WRAP_KEY = 60;
    private static final int C_UNWRAP_KEY = 61;
    private static final int C_GENERATE_RANDOM = 64;
    private static final int FUNCTIONS = 68;

    /** Attributes whose value is a CK_BBOOL, a CK_ULONG or text; every other one is bytes. */
    private static final Set<Long> BOOLS = Set.of(CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP,
            CKA_SIGN, CKA_VERIFY, CKA_EXTRACTABLE, CKA_LOCAL, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_MODIFIABLE);
    private static final Set<Long> ULONGS = Set.of(CKA_CLASS, CKA_KEY_TYPE, CKA_VALUE_LEN, CKA_MODULUS_BITS);
    private static final Set<Long> TEXTS = Set.of(CKA_LABEL);

    /** Loaded modules by path, each with its function table and how many users hold it. */
    private static final Map<String, Module> MODULES = new HashMap<>();

    private static final class Module {
        final Function[] functions = new Function[FUNCTIONS];
        /** Held so the library stays loaded: JNA unloads (dlclose) one it can collect, and the function pointers would dangle. */
        NativeLibrary library;
        /**
         * C_Initialize and C_Finalize run alone (PKCS#11 leaves a call racing C_Finalize undefined; a JMH run crashed in
         * SoftHSM2's C_CloseSession while the benchmark's teardown finalised the module); every other call shares the lock.
         */
        final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
        /** Our session handles → {the module's handle, slot}; emptied when the module is initialised again. */
        final Map<Long, long[]> sessions = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicLong nextSession = new java.util.concurrent.atomic.AtomicLong(1);
        /** How many times the module was initialised again (object handles of an earlier initialisation are stale). */
        volatile long generation;
        int users;
    }

    private final String library;
    private final Module module;
    private final Pkcs11Translation translation;
    /** Sessions whose decryption is raw RSA to be OAEP-decoded here, by the OAEP hash mechanism (see the translation). */
    private final Map<Long, Long> oaepPending = new java.util.concurrent.ConcurrentHashMap<>();
    /** Sessions whose encryption is OAEP encoded here then raw RSA: {hash mechanism, modulus bytes}. */
    private final Map<Long, long[]> oaepEncrypting = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean closed;

    /** Loads and initialises {@code library} (or joins the process's earlier load of it). */
    static NativeCryptoki open(String library) {
        synchronized (MODULES) {
            Module m = MODULES.get(library);
            if (m == null) {
                m = load(library);
                MODULES.put(library, m);
            }
            m.users++;
            return new NativeCryptoki(library, m);
        }
    }

    private static Module load(String library) {
        NativeLibrary lib;
        try {
            lib = NativeLibrary.getInstance(library);
        } catch (UnsatisfiedLinkError e) {
            throw new HsmException(Ckr.GENERAL_ERROR, "cannot load the PKCS#11 library " + library + ": " + firstLine(e.getMessage()));
        }
        Function getList;
        try {
            getList = lib.getFunction("C_GetFunctionList");
        } catch (UnsatisfiedLinkError e) {
            throw new HsmException(Ckr.GENERAL_ERROR, library + " is not a PKCS#11 module (it has no C_GetFunctionList)");
        }
        Memory holder = new Memory(8);
        check(getList.invokeLong(new Object[] {holder}), "C_GetFunctionList");
        Pointer list = holder.getPointer(0);
        Module m = new Module();
        m.library = lib;
        for (int i = 0; i < FUNCTIONS; i++) {
            Pointer f = list.getPointer(8 + 8L * i); // CK_VERSION (2 bytes) is padded to the pointers' alignment
            m.functions[i] = f == null ? null : Function.getFunction(f);
        }
        Memory args = new Memory(48); // CK_C_INITIALIZE_ARGS: four mutex callbacks, flags, reserved
        args.clear();
        args.setLong(32, CKF_OS_LOCKING_OK);
        long rv = m.functions[C_INITIALIZE].invokeLong(new Object[] {args});
        if (rv != 0 && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
            check(rv, "C_Initialize");
        }
        return m;
    }

    private NativeCryptoki(String library, Module module) {
        this.library = library;
        this.module = module;
        this.translation = new Pkcs11Translation(this);
    }

    String library() {
        return library;
    }

    /** C_Initialize again, after the module was finalised under us (a reset, or another user of the library in this process). */
    void reinitialize() {
        synchronized (MODULES) {
            Memory args = new Memory(48);
            args.clear();
            args.setLong(32, CKF_OS_LOCKING_OK);
            module.lock.writeLock().lock();
            try {
                long rv = module.functions[C_INITIALIZE].invokeLong(new Object[] {args});
                if (rv != 0 && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                    check(rv, "C_Initialize");
                }
                if (rv == 0) { // it had been finalised: every handle of before is void
                    module.sessions.clear();
                    module.generation++;
                }
            } finally {
                module.lock.writeLock().unlock();
            }
        }
    }

    /**
     * C_Finalize of a loaded module while its users keep it, as a device reset does to them: their calls fail with
     * CKR_CRYPTOKI_NOT_INITIALIZED until one of them initialises it again ({@link #reinitialize}). For fault tests; taken
     * under the module's lock, so no call is in flight at that moment.
     */
    static void finalizeModule(String library) {
        synchronized (MODULES) {
            Module m = MODULES.get(library);
            if (m == null) {
                throw new IllegalStateException(library + " is not loaded");
            }
            m.lock.writeLock().lock();
            try {
                m.functions[C_FINALIZE].invokeLong(new Object[] {Pointer.NULL});
                m.sessions.clear();
            } finally {
                m.lock.writeLock().unlock();
            }
        }
    }

    /** Whether the token's OAEP takes SHA-1 only (SoftHSM2 before 2.7). */
    boolean oaepSha1Only() {
        return translation.oaepSha1Only();
    }

    /** Tells the translation which token's mechanisms to consult. */
    void translationFor(long slot) {
        translation.useSlot(slot);
    }

    private long call(int index, String name, Object... args) {
        Function f = module.functions[index];
        if (f == null) {
            throw new HsmException(Ckr.GENERAL_ERROR, name + " is not offered by " + library);
        }
        java.util.concurrent.locks.Lock lock = module.lock.readLock();
        lock.lock();
        try {
            if (takesSession(index)) {
                args[0] = nativeSession((Long) args[0]);
            }
            return f.invokeLong(args);
        } finally {
            lock.unlock();
        }
    }

    private static boolean takesSession(int index) {
        return index == C_INIT_PIN || index == C_SET_PIN || index == C_CLOSE_SESSION || index > C_CLOSE_ALL_SESSIONS;
    }

    /**
     * The module's handle behind one of ours. Callers hold our handles, never the module's: after the module was initialised
     * again its handles start over, and a stale one could name another thread's new session (two threads in one session
     * crashed SoftHSM2 in OpenSSL). A handle of an earlier initialisation is CKR_SESSION_HANDLE_INVALID here, without a call.
     */
    private long nativeSession(long ours) {
        long[] s = module.sessions.get(ours);
        if (s == null) {
            throw new HsmException(Ckr.SESSION_HANDLE_INVALID, "session " + ours + " is closed or of an earlier initialisation");
        }
        return s[0];
    }

    private void invoke(int index, String name, Object... args) {
        check(call(index, name, args), name);
    }

    static void check(long rv, String call) {
        if (rv != 0) {
            throw new HsmException(ckr(rv), call + " returned 0x" + Long.toHexString(rv));
        }
    }

    private static Ckr ckr(long rv) {
        for (Ckr c : Ckr.values()) {
            if (c.code() == rv) {
                return c;
            }
        }
        return Ckr.GENERAL_ERROR;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.split("\n")[0];
    }

    // ---- slots and tokens ----

    @Override
    public long[] getSlotList(boolean tokenPresent) {
        Memory count = new Memory(8);
        invoke(C_GET_SLOT_LIST, "C_GetSlotList", tokenPresent ? (byte) 1 : (byte) 0, Pointer.NULL, count);
        long n = count.getLong(0);
        if (n == 0) {
            return new long[0];
        }
        Memory slots = new Memory(8 * n);
        invoke(C_GET_SLOT_LIST, "C_GetSlotList", tokenPresent ? (byte) 1 : (byte) 0, slots, count);
        return slots.getLongArray(0, (int) count.getLong(0));
    }

    @Override
    public SlotInfo getSlotInfo(long slotId) {
        Memory slot = new Memory(128); // CK_SLOT_INFO: description[64], manufacturer[32], flags, two CK_VERSIONs
        invoke(C_GET_SLOT_INFO, "C_GetSlotInfo", slotId, slot);
        String description = text(slot, 0, 64);
        boolean present = (slot.getLong(96) & CKF_TOKEN_PRESENT) != 0;
        if (!present) {
            return new SlotInfo(slotId, description, false, "", false, false, 0, 0);
        }
        Memory token = new Memory(256); // CK_TOKEN_INFO: label[32] … flags at 96, then counters
        invoke(C_GET_TOKEN_INFO, "C_GetTokenInfo", slotId, token);
        long flags = token.getLong(96);
        return new SlotInfo(slotId, description, true, text(token, 0, 32), (flags & CKF_TOKEN_INITIALIZED) != 0,
                (flags & CKF_USER_PIN_INITIALIZED) != 0, (int) token.getLong(112), (int) token.getLong(104));
    }

    private static String text(Memory m, long offset, int length) {
        return new String(m.getByteArray(offset, length), StandardCharsets.UTF_8).strip();
    }

    @Override
    public long[] getMechanismList(long slotId) {
        Memory count = new Memory(8);
        invoke(C_GET_MECHANISM_LIST, "C_GetMechanismList", slotId, Pointer.NULL, count);
        long n = count.getLong(0);
        Memory list = new Memory(Math.max(8, 8 * n));
        invoke(C_GET_MECHANISM_LIST, "C_GetMechanismList", slotId, list, count);
        return list.getLongArray(0, (int) count.getLong(0));
    }

    @Override
    public MechanismInfo getMechanismInfo(long slotId, long mechanism) {
        Memory info = new Memory(24);
        invoke(C_GET_MECHANISM_INFO, "C_GetMechanismInfo", slotId, mechanism, info);
        return new MechanismInfo(info.getLong(0), info.getLong(8), info.getLong(16));
    }

    @Override
    public void initToken(long slotId, char[] soPin, String label) {
        byte[] pin = bytes(soPin);
        byte[] padded = new byte[32];
        Arrays.fill(padded, (byte) ' ');
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(l, 0, padded, 0, Math.min(32, l.length));
        try {
            invoke(C_INIT_TOKEN, "C_InitToken", slotId, memory(pin), (long) pin.length, memory(padded));
        } finally {
            Arrays.fill(pin, (byte) 0);
        }
    }

    @Override
    public long openSession(long slotId, long flags) {
        Memory session = new Memory(8);
        invoke(C_OPEN_SESSION, "C_OpenSession", slotId, flags, Pointer.NULL, Pointer.NULL, session);
        long ours = module.nextSession.getAndIncrement();
        module.sessions.put(ours, new long[] {session.getLong(0), slotId});
        return ours;
    }

    @Override
    public void closeSession(long session) {
        try {
            invoke(C_CLOSE_SESSION, "C_CloseSession", session);
        } finally {
            module.sessions.remove(session);
        }
    }

    @Override
    public void closeAllSessions(long slotId) {
        try {
            invoke(C_CLOSE_ALL_SESSIONS, "C_CloseAllSessions", slotId);
        } finally {
            module.sessions.values().removeIf(s -> s[1] == slotId);
        }
    }

    /** How many times the module was initialised again: object handles found in an earlier generation are stale. */
    long generation() {
        return module.generation;
    }

    @Override
    public void login(long session, long userType, char[] pin) {
        byte[] p = bytes(pin);
        Memory m = memory(p);
        try {
            invoke(C_LOGIN, "C_Login", session, userType, m, (long) p.length);
        } finally {
            Arrays.fill(p, (byte) 0);
            m.clear();
        }
    }

    @Override
    public void logout(long session) {
        invoke(C_LOGOUT, "C_Logout", session);
    }

    @Override
    public void initPin(long session, char[] pin) {
        byte[] p = bytes(pin);
        Memory m = memory(p);
        try {
            invoke(C_INIT_PIN, "C_InitPIN", session, m, (long) p.length);
        } finally {
            Arrays.fill(p, (byte) 0);
            m.clear();
        }
    }

    @Override
    public void setPin(long session, char[] oldPin, char[] newPin) {
        byte[] o = bytes(oldPin);
        byte[] n = bytes(newPin);
        try {
            invoke(C_SET_PIN, "C_SetPIN", session, memory(o), (long) o.length, memory(n), (long) n.length);
        } finally {
            Arrays.fill(o, (byte) 0);
            Arrays.fill(n, (byte) 0);
        }
    }

    private static byte[] bytes(char[] pin) {
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(pin));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        Arrays.fill(b.array(), (byte) 0);
        return out;
    }

    // ---- objects ----

    @Override
    public long createObject(long session, Template template) {
        Template t = translation.createObject(session, template);
        Attributes a = Attributes.of(t);
        Memory handle = new Memory(8);
        invoke(C_CREATE_OBJECT, "C_CreateObject", session, a, (long) a.count, handle);
        return handle.getLong(0);
    }

    @Override
    public long generateKey(long session, Mechanism mechanism, Template template) {
        Attributes a = Attributes.of(template);
        Memory handle = new Memory(8);
        invoke(C_GENERATE_KEY, "C_GenerateKey", session, mechanism(mechanism), a, (long) a.count, handle);
        return handle.getLong(0);
    }

    @Override
    public long[] generateKeyPair(long session, Mechanism mechanism, Template publicTemplate, Template privateTemplate) {
        Attributes pub = Attributes.of(translation.publicTemplate(mechanism, publicTemplate));
        Attributes priv = Attributes.of(privateTemplate);
        Memory handles = new Memory(16);
        invoke(C_GENERATE_KEY_PAIR, "C_GenerateKeyPair", session, mechanism(mechanism), pub, (long) pub.count, priv,
                (long) priv.count, handles, handles.share(8));
        return new long[] {handles.getLong(0), handles.getLong(8)};
    }

    @Override
    public Template getAttributeValue(long session, long object, long... types) {
        return translation.getAttributeValue(session, object, types);
    }

    /** C_GetAttributeValue of standard attributes: lengths first, then values. */
    Template rawAttributes(long session, long object, long... types) {
        Memory array = new Memory(24L * types.length);
        for (int i = 0; i < types.length; i++) {
            array.setLong(24L * i, types[i]);
            array.setPointer(24L * i + 8, Pointer.NULL);
            array.setLong(24L * i + 16, 0);
        }
        long rv = call(C_GET_ATTRIBUTE_VALUE, "C_GetAttributeValue", session, object, array, (long) types.length);
        if (rv != 0 && rv != Ckr.ATTRIBUTE_SENSITIVE.code() && rv != Ckr.ATTRIBUTE_TYPE_INVALID.code()) {
            check(rv, "C_GetAttributeValue");
        }
        List<Memory> keep = new ArrayList<>();
        for (int i = 0; i < types.length; i++) {
            long len = array.getLong(24L * i + 16);
            if (len == UNAVAILABLE) {
                check(rv, "C_GetAttributeValue"); // the reason the module gave for this attribute
            }
            Memory v = new Memory(Math.max(1, len));
            keep.add(v);
            array.setPointer(24L * i + 8, v);
        }
        check(call(C_GET_ATTRIBUTE_VALUE, "C_GetAttributeValue", session, object, array, (long) types.length), "C_GetAttributeValue");
        Template out = Template.of();
        for (int i = 0; i < types.length; i++) {
            long type = types[i];
            long len = array.getLong(24L * i + 16);
            Memory v = keep.get(i);
            if (BOOLS.contains(type)) {
                out.set(type, v.getByte(0) != 0);
            } else if (ULONGS.contains(type)) {
                out.set(type, v.getLong(0));
            } else if (TEXTS.contains(type)) {
                out.set(type, new String(v.getByteArray(0, (int) len), StandardCharsets.UTF_8));
            } else {
                out.set(type, v.getByteArray(0, (int) len));
            }
        }
        return out;
    }

    @Override
    public void setAttributeValue(long session, long object, Template template) {
        Attributes a = Attributes.of(template);
        invoke(C_SET_ATTRIBUTE_VALUE, "C_SetAttributeValue", session, object, a, (long) a.count);
    }

    @Override
    public long[] findObjects(long session, Template match) {
        Attributes a = Attributes.of(match);
        invoke(C_FIND_OBJECTS_INIT, "C_FindObjectsInit", session, a, (long) a.count);
        List<Long> found = new ArrayList<>();
        try {
            Memory batch = new Memory(8 * 64);
            Memory count = new Memory(8);
            while (true) {
                invoke(C_FIND_OBJECTS, "C_FindObjects", session, batch, 64L, count);
                long n = count.getLong(0);
                for (int i = 0; i < n; i++) {
                    found.add(batch.getLong(8L * i));
                }
                if (n < 64) {
                    break;
                }
            }
        } finally {
            call(C_FIND_OBJECTS_FINAL, "C_FindObjectsFinal", session);
        }
        return found.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public void destroyObject(long session, long object) {
        invoke(C_DESTROY_OBJECT, "C_DestroyObject", session, object);
    }

    // ---- cryptographic operations ----

    @Override
    public void encryptInit(long session, Mechanism mechanism, long key) {
        if (mechanism.type() == CKM_RSA_PKCS_OAEP && mechanism.param() instanceof Mechanism.OaepParams o
                && translation.decodesOaepHere(o.hashMechanism())) {
            int k = rawAttributes(session, key, CKA_MODULUS).bytes(CKA_MODULUS).length;
            invoke(C_ENCRYPT_INIT, "C_EncryptInit", session, mechanism(Mechanism.of(Pkcs11Translation.CKM_RSA_X_509)), key);
            oaepEncrypting.put(session, new long[] {o.hashMechanism(), k});
            return;
        }
        oaepEncrypting.remove(session);
        invoke(C_ENCRYPT_INIT, "C_EncryptInit", session, mechanism(mechanism), key);
    }

    @Override
    public byte[] encrypt(long session, byte[] data) {
        long[] oaep = oaepEncrypting.remove(session);
        byte[] in = oaep == null ? data : Pkcs11Translation.oaepEncode(data, (int) oaep[1], oaep[0]);
        return singlePart(C_ENCRYPT, "C_Encrypt", session, in, in.length + 64);
    }

    @Override
    public void decryptInit(long session, Mechanism mechanism, long key) {
        if (mechanism.type() == CKM_RSA_PKCS_OAEP && mechanism.param() instanceof Mechanism.OaepParams o
                && translation.decodesOaepHere(o.hashMechanism())) {
            invoke(C_DECRYPT_INIT, "C_DecryptInit", session, mechanism(Mechanism.of(Pkcs11Translation.CKM_RSA_X_509)), key);
            oaepPending.put(session, o.hashMechanism());
            return;
        }
        oaepPending.remove(session);
        invoke(C_DECRYPT_INIT, "C_DecryptInit", session, mechanism(mechanism), key);
    }

    /**
     * Some modules fail a GCM tag or an OAEP padding check with CKR_GENERAL_ERROR (SoftHSM2 2.6): from C_Decrypt, that is
     * a ciphertext that does not open, as CKR_ENCRYPTED_DATA_INVALID says on others.
     */
    @Override
    public byte[] decrypt(long session, byte[] data) {
        Long oaepHash = oaepPending.remove(session);
        try {
            byte[] out = singlePart(C_DECRYPT, "C_Decrypt", session, data, data.length + 64);
            return oaepHash == null ? out : Pkcs11Translation.oaepDecode(out, data.length, oaepHash);
        } catch (HsmException e) {
            if (e.ckr() == Ckr.GENERAL_ERROR) {
                throw new HsmException(Ckr.ENCRYPTED_DATA_INVALID, "C_Decrypt: " + e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public void signInit(long session, Mechanism mechanism, long key) {
        invoke(C_SIGN_INIT, "C_SignInit", session, mechanism(mechanism), key);
    }

    @Override
    public byte[] sign(long session, byte[] data) {
        return singlePart(C_SIGN, "C_Sign", session, data, 1024);
    }

    @Override
    public void verifyInit(long session, Mechanism mechanism, long key) {
        invoke(C_VERIFY_INIT, "C_VerifyInit", session, mechanism(mechanism), key);
    }

    @Override
    public void verify(long session, byte[] data, byte[] signature) {
        invoke(C_VERIFY, "C_Verify", session, memory(data), (long) data.length, memory(signature), (long) signature.length);
    }

    @Override
    public byte[] wrapKey(long session, Mechanism mechanism, long wrappingKey, long key) {
        Memory out = new Memory(16 * 1024);
        Memory len = new Memory(8);
        len.setLong(0, out.size());
        invoke(C_WRAP_KEY, "C_WrapKey", session, mechanism(mechanism), wrappingKey, key, out, len);
        return out.getByteArray(0, (int) len.getLong(0));
    }

    @Override
    public long unwrapKey(long session, Mechanism mechanism, long unwrappingKey, byte[] wrappedKey, Template template) {
        Attributes a = Attributes.of(template);
        Memory handle = new Memory(8);
        invoke(C_UNWRAP_KEY, "C_UnwrapKey", session, mechanism(mechanism), unwrappingKey, memory(wrappedKey), (long) wrappedKey.length,
                a, (long) a.count, handle);
        return handle.getLong(0);
    }

    @Override
    public void generateRandom(long session, byte[] out) {
        Memory m = new Memory(Math.max(1, out.length));
        invoke(C_GENERATE_RANDOM, "C_GenerateRandom", session, m, (long) out.length);
        m.read(0, out, 0, out.length);
        m.clear();
    }

    /** A single-part call (C_Encrypt, C_Decrypt, C_Sign): one try with {@code guess} bytes, again with the size asked for. */
    private byte[] singlePart(int index, String name, long session, byte[] data, int guess) {
        Memory in = memory(data);
        Memory len = new Memory(8);
        Memory out = new Memory(Math.max(1, guess));
        len.setLong(0, out.size());
        long rv = call(index, name, session, in, (long) data.length, out, len);
        if (rv == CKR_BUFFER_TOO_SMALL) {
            out = new Memory(Math.max(1, len.getLong(0)));
            rv = call(index, name, session, in, (long) data.length, out, len);
        }
        in.clear();
        check(rv, name);
        byte[] result = out.getByteArray(0, (int) len.getLong(0));
        out.clear();
        return result;
    }

    private static Memory memory(byte[] b) {
        Memory m = new Memory(Math.max(1, b.length));
        if (b.length > 0) {
            m.write(0, b, 0, b.length);
        }
        return m;
    }

    /** CK_MECHANISM with its parameter structure, in native memory that lives as long as the returned object. */
    private Memory mechanism(Mechanism mech) {
        Mechanism m = translation.mechanism(mech);
        Memory param = null;
        long paramLen = 0;
        if (m.param() instanceof Mechanism.GcmParams g) {
            param = new Memory(48); // CK_GCM_PARAMS (v2.40): pIv, ulIvLen, ulIvBits, pAAD, ulAADLen, ulTagBits
            Memory iv = memory(g.iv());
            Memory aad = g.aad() == null ? null : memory(g.aad());
            param.setPointer(0, iv);
            param.setLong(8, g.iv().length);
            param.setLong(16, g.iv().length * 8L);
            param.setPointer(24, aad == null ? Pointer.NULL : aad);
            param.setLong(32, aad == null ? 0 : g.aad().length);
            param.setLong(40, g.tagBits());
            paramLen = 48;
            return withParam(m.type(), param, paramLen, iv, aad);
        }
        if (m.param() instanceof Pkcs11Translation.CtrParams c) {
            param = new Memory(24); // CK_AES_CTR_PARAMS: ulCounterBits, cb[16]
            param.setLong(0, c.counterBits());
            param.write(8, c.counterBlock(), 0, 16);
            paramLen = 24;
        } else if (m.param() instanceof Mechanism.IvParams i) {
            param = memory(i.iv());
            paramLen = i.iv().length;
        } else if (m.param() instanceof Mechanism.OaepParams o) {
            param = new Memory(40); // CK_RSA_PKCS_OAEP_PARAMS: hashAlg, mgf, source, pSourceData, ulSourceDataLen
            param.setLong(0, o.hashMechanism());
            param.setLong(8, Pkcs11Translation.mgf1(o.hashMechanism()));
            param.setLong(16, 1); // CKZ_DATA_SPECIFIED, with no label
            param.setPointer(24, Pointer.NULL);
            param.setLong(32, 0);
            paramLen = 40;
        } else if (m.param() instanceof Mechanism.PssParams p) {
            param = new Memory(24); // CK_RSA_PKCS_PSS_PARAMS: hashAlg, mgf, sLen
            param.setLong(0, p.hashMechanism());
            param.setLong(8, Pkcs11Translation.mgf1(p.hashMechanism()));
            param.setLong(16, p.saltLength());
            paramLen = 24;
        } else if (m.param() != null) {
            throw new HsmException(Ckr.MECHANISM_PARAM_INVALID, "no native form for " + m.param().getClass().getSimpleName());
        }
        return withParam(m.type(), param, paramLen);
    }

    /** The CK_MECHANISM; {@code keep} are the buffers its parameter points to (held by the returned memory's subclass). */
    private static Memory withParam(long type, Memory param, long paramLen, Memory... keep) {
        MechanismMemory out = new MechanismMemory(param, keep);
        out.setLong(0, type);
        out.setPointer(8, param == null ? Pointer.NULL : param);
        out.setLong(16, paramLen);
        return out;
    }

    /** Native memory that keeps what it points to reachable until the call that uses it has returned. */
    private static final class MechanismMemory extends Memory {
        @SuppressWarnings({"unused", "FieldCanBeLocal"})
        private final Object[] referenced;

        MechanismMemory(Memory param, Memory[] keep) {
            super(24);
            this.referenced = new Object[] {param, keep};
        }
    }

    /**
     * A CK_ATTRIBUTE array that holds the value buffers it points to: passed to a call, it keeps them reachable for as long
     * as the call runs (a buffer only a local variable held could be freed by the collector mid-call).
     */
    private static final class Attributes extends Memory {
        final int count;
        @SuppressWarnings({"unused", "FieldCanBeLocal"})
        private final List<Memory> values;

        private Attributes(int count, List<Memory> values) {
            super(Math.max(24, 24L * count));
            this.count = count;
            this.values = values;
        }

        static Attributes of(Template t) {
            List<Long> types = new ArrayList<>();
            t.types().forEach(types::add);
            List<Memory> values = new ArrayList<>();
            Attributes array = new Attributes(types.size(), values);
            for (int i = 0; i < types.size(); i++) {
                long type = types.get(i);
                Object v = t.raw(type);
                Memory m;
                long length;
                if (v instanceof Long l) {
                    m = new Memory(8);
                    m.setLong(0, l);
                    length = 8;
                } else {
                    byte[] bytes = v instanceof Boolean b ? new byte[] {(byte) (b ? 1 : 0)}
                            : v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) v;
                    m = memory(bytes);
                    length = bytes.length;
                }
                values.add(m);
                array.setLong(24L * i, type);
                array.setPointer(24L * i + 8, m);
                array.setLong(24L * i + 16, length);
            }
            return array;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (MODULES) {
            if (--module.users == 0) {
                MODULES.remove(library);
                module.lock.writeLock().lock();
                try {
                    module.functions[C_FINALIZE].invokeLong(new Object[] {Pointer.NULL});
                } finally {
                    module.lock.writeLock().unlock();
                }
            }
        }
    }
}
