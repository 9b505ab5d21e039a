package io.kmsgw.crypto.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Wraps a real store and makes its writes fail on demand: the one fault tests cannot produce for real
 * (disk full, I/O error). A fault before the work refuses the transaction outright; a fault after it
 * fails the commit once the work (and any HSM work the caller did first) is done, so the rollback is tested.
 * Shared with the gateway's tests through crypto-engine's test jar.
 */
public final class FaultInjectingStore implements Store {
    /** Where in a write transaction the injected error is raised. */
    public enum When { BEFORE_WORK, AFTER_WORK }

    private record Fault(When when, String message) {
    }

    private final Store delegate;
    private volatile Fault fault;
    private volatile String lostAcknowledgement;

    public FaultInjectingStore(Store delegate) {
        this.delegate = delegate;
    }

    /** Every write from now on fails with an SQLException carrying {@code message}, until {@link #heal()}. */
    public void failWrites(When when, String message) {
        fault = new Fault(when, message);
    }

    /**
     * Every write from now on commits and then fails with {@code message}, as if the acknowledgement
     * were lost on the way back (a dropped connection after COMMIT), until {@link #heal()}.
     */
    public void loseAcknowledgements(String message) {
        lostAcknowledgement = message;
    }

    public void heal() {
        fault = null;
        lostAcknowledgement = null;
    }

    @Override
    public <T> T read(Work<T> work) {
        return delegate.read(work);
    }

    @Override
    public <T> T write(Work<T> work) {
        String lost = lostAcknowledgement;
        if (lost != null) {
            delegate.write(work);
            throw new StoreException("store commit outcome unknown: " + lost, new SQLException(lost), false, true);
        }
        return delegate.write((Connection c) -> {
            Fault f = fault;
            if (f != null && f.when() == When.BEFORE_WORK) {
                throw new SQLException(f.message());
            }
            T result = work.run(c);
            if (f != null && f.when() == When.AFTER_WORK) {
                throw new SQLException(f.message());
            }
            return result;
        });
    }

    @Override
    public void migrate(String component, List<String> steps) {
        delegate.migrate(component, steps);
    }

    @Override
    public String binaryType() {
        return delegate.binaryType();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
