package io.kmsgw.hsm.object;

import static io.kmsgw.hsm.api.Pkcs11.*;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.api.Template;
import java.security.Key;
import java.security.PublicKey;

/**
 * One key object: its attributes and its material. The material is a JCA {@link Key} that never
 * leaves this package's callers inside the simulator; CKA_VALUE is materialised only for readable keys.
 * Usage flags are cached in fields so the hot path checks booleans, not maps.
 */
public final class HsmObject {
    private final long slotId;
    private final Template attributes;
    private final Key key;
    private final PublicKey publicKey;
    /** Owning session for session objects; 0 for token objects. */
    private final long ownerSession;
    private volatile long handle;

    final boolean token;
    final boolean isPrivate;

    public HsmObject(long slotId, Template attributes, Key key, PublicKey publicKey, long ownerSession) {
        this.slotId = slotId;
        this.attributes = attributes;
        this.key = key;
        this.publicKey = publicKey;
        this.token = attributes.bool(CKA_TOKEN, false);
        this.isPrivate = attributes.bool(CKA_PRIVATE, true);
        this.ownerSession = token ? 0 : ownerSession;
    }

    public long slotId() {
        return slotId;
    }

    public long handle() {
        return handle;
    }

    void handle(long handle) {
        this.handle = handle;
    }

    public boolean isToken() {
        return token;
    }

    public boolean isPrivate() {
        return isPrivate;
    }

    public long ownerSession() {
        return ownerSession;
    }

    public long objectClass() {
        return attributes.num(CKA_CLASS, -1);
    }

    public long keyType() {
        return attributes.num(CKA_KEY_TYPE, -1);
    }

    /** The JCA key; for use by mechanisms inside the simulator only. */
    public Key key() {
        return key;
    }

    /** The public half of a private key (null for secret keys). */
    public PublicKey publicKey() {
        return publicKey;
    }

    public synchronized boolean flag(long type) {
        return attributes.bool(type, false);
    }

    /** Checks a usage attribute (CKA_ENCRYPT, CKA_SIGN, …): CKR_KEY_FUNCTION_NOT_PERMITTED when unset. */
    public void requireUsage(long usageAttribute) {
        if (!flag(usageAttribute)) {
            throw new HsmException(Ckr.KEY_FUNCTION_NOT_PERMITTED, "usage 0x" + Long.toHexString(usageAttribute));
        }
    }

    public boolean readable() {
        return !flag(CKA_SENSITIVE) && flag(CKA_EXTRACTABLE);
    }

    /** A snapshot of the stored attributes (no CKA_VALUE). */
    public synchronized Template attributes() {
        return attributes.copy();
    }

    synchronized void apply(Template changes) {
        attributes.putAll(changes);
    }

    public synchronized boolean matches(Template match) {
        return attributes.matches(match);
    }
}
