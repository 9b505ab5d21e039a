package io.kmsgw.hsm.session;

import io.kmsgw.hsm.api.Ckr;
import io.kmsgw.hsm.api.HsmException;
import io.kmsgw.hsm.mechanism.ActiveOperation;
import io.kmsgw.hsm.mechanism.EngineCache;
import java.security.SecureRandom;

/** One open session: its slot, read-write flag, the single active operation and per-session engines. */
public final class Session {
    private final long handle;
    private final long slotId;
    private final boolean readWrite;
    private final EngineCache engines = new EngineCache();
    private final SecureRandom random = new SecureRandom();
    private ActiveOperation active;

    Session(long handle, long slotId, boolean readWrite) {
        this.handle = handle;
        this.slotId = slotId;
        this.readWrite = readWrite;
    }

    public long handle() {
        return handle;
    }

    public long slotId() {
        return slotId;
    }

    public boolean readWrite() {
        return readWrite;
    }

    public EngineCache engines() {
        return engines;
    }

    public SecureRandom random() {
        return random;
    }

    /** Starts an operation: CKR_OPERATION_ACTIVE if one is already in progress. */
    public void begin(ActiveOperation op) {
        if (active != null) {
            throw new HsmException(Ckr.OPERATION_ACTIVE);
        }
        active = op;
    }

    public void requireIdle() {
        if (active != null) {
            throw new HsmException(Ckr.OPERATION_ACTIVE);
        }
    }

    /** Ends and returns the active operation of {@code kind}: CKR_OPERATION_NOT_INITIALIZED otherwise. */
    public ActiveOperation finish(ActiveOperation.Kind kind) {
        ActiveOperation op = active;
        if (op == null || op.kind() != kind) {
            throw new HsmException(Ckr.OPERATION_NOT_INITIALIZED);
        }
        active = null;
        return op;
    }
}
