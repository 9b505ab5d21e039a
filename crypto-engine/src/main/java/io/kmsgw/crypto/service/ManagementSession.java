package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KeySpec;
import io.kmsgw.crypto.backend.BackendSession;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.exec.WorkerContext;
import java.util.function.Function;

/**
 * The one HSM session management calls share (key generation, sealing secrets), used by one thread at a
 * time. Data-plane work never comes here: it runs in the workers' own sessions.
 */
final class ManagementSession implements AutoCloseable {
    private final BackendSession session;

    ManagementSession(HsmBackend backend) {
        this.session = backend.openSession();
    }

    /** Generates a key of {@code spec} in the HSM: its material wrapped under the master key, and its public key if any. */
    BackendSession.Generated generate(KeySpec spec) {
        return with(s -> s.generate(WorkerContext.kindOf(spec), spec.size(), spec.curve()));
    }

    synchronized <T> T with(Function<BackendSession, T> work) {
        return work.apply(session);
    }

    @Override
    public synchronized void close() {
        session.close();
    }
}
