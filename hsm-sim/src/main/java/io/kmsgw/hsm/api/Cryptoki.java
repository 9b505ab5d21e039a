package io.kmsgw.hsm.api;

/**
 * The PKCS#11 call surface of a token library, in Java shape: {@code C_*} functions become methods,
 * handles are {@code long}, templates are {@link Template}, and a return value other than CKR_OK is an
 * {@link HsmException} carrying the {@link Ckr}. Single-part operations only.
 *
 * <p>Thread-safety follows PKCS#11: the library may be called from many threads, and each session is
 * used by one thread at a time.
 */
public interface Cryptoki extends AutoCloseable {

    long[] getSlotList(boolean tokenPresent);

    SlotInfo getSlotInfo(long slotId);

    long[] getMechanismList(long slotId);

    MechanismInfo getMechanismInfo(long slotId, long mechanism);

    /** C_InitToken: (re)initialises the token in {@code slotId}, destroying its objects. */
    void initToken(long slotId, char[] soPin, String label);

    long openSession(long slotId, long flags);

    void closeSession(long session);

    void closeAllSessions(long slotId);

    void login(long session, long userType, char[] pin);

    void logout(long session);

    /** C_InitPIN: the SO sets the user PIN. */
    void initPin(long session, char[] pin);

    /** C_SetPIN: the logged-in user (or SO) changes its own PIN. */
    void setPin(long session, char[] oldPin, char[] newPin);

    long createObject(long session, Template template);

    long generateKey(long session, Mechanism mechanism, Template template);

    /** Returns {@code {publicKeyHandle, privateKeyHandle}}. */
    long[] generateKeyPair(long session, Mechanism mechanism, Template publicTemplate, Template privateTemplate);

    Template getAttributeValue(long session, long object, long... types);

    void setAttributeValue(long session, long object, Template template);

    /** C_FindObjectsInit + C_FindObjects + C_FindObjectsFinal in one call. */
    long[] findObjects(long session, Template match);

    void destroyObject(long session, long object);

    void encryptInit(long session, Mechanism mechanism, long key);

    byte[] encrypt(long session, byte[] data);

    void decryptInit(long session, Mechanism mechanism, long key);

    byte[] decrypt(long session, byte[] data);

    void signInit(long session, Mechanism mechanism, long key);

    byte[] sign(long session, byte[] data);

    void verifyInit(long session, Mechanism mechanism, long key);

    /** Returns normally when the signature is valid; CKR_SIGNATURE_INVALID otherwise. */
    void verify(long session, byte[] data, byte[] signature);

    byte[] wrapKey(long session, Mechanism mechanism, long wrappingKey, long key);

    long unwrapKey(long session, Mechanism mechanism, long unwrappingKey, byte[] wrappedKey, Template template);

    void generateRandom(long session, byte[] out);

    /** C_Finalize: closes every session; later calls fail with CKR_CRYPTOKI_NOT_INITIALIZED. */
    @Override
    void close();
}
