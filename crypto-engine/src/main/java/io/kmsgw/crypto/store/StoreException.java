package io.kmsgw.crypto.store;

/** The store could not complete an operation (I/O error, disk full, constraint the caller did not expect). */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean constraint;
    private final boolean outcomeUnknown;

    public StoreException(String message, Throwable cause, boolean constraint) {
        this(message, cause, constraint, false);
    }

    /** @param outcomeUnknown the commit was sent and its answer lost (a dropped connection, an I/O error while committing) */
    public StoreException(String message, Throwable cause, boolean constraint, boolean outcomeUnknown) {
        super(message, cause);
        this.constraint = constraint;
        this.outcomeUnknown = outcomeUnknown;
    }

    /**
     * True when the transaction may have committed: the failure came while committing and left no way to know (the
     * connection dropped, or an I/O error during the commit). Any other failure means nothing of it was committed.
     */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    /** True when a uniqueness or foreign-key constraint refused the write. */
    public boolean constraintViolation() {
        return constraint;
    }
}
