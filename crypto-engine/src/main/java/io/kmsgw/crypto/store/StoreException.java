package io.kmsgw.crypto.store;

/** The store could not complete an operation (I/O error, disk full, constraint the caller did not expect). */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean constraint;

    public StoreException(String message, Throwable cause, boolean constraint) {
        super(message, cause);
        this.constraint = constraint;
    }

    /** True when a uniqueness or foreign-key constraint refused the write. */
    public boolean constraintViolation() {
        return constraint;
    }
}
