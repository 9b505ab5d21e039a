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
    private final HsmBackend backend;
    private BackendSession session;

    ManagementSession(HsmBackend backend) {
        this.backend = backend;
        this.session = backend.openSession();
    }

    /**
     * Generates a key of {@code spec} in the HSM: its material wrapped under the master key, and its public key if any. A
     * spec the HSM cannot serve is UNSUPPORTED_OPERATION naming the specs it can.
     */
    BackendSession.Generated generate(KeySpec spec) {
        requireSpec(spec);
        return with(s -> s.generate(WorkerContext.kindOf(spec), spec.size(), spec.curve()));
    }

    /** UNSUPPORTED_OPERATION, naming the specs the HSM can serve, when it cannot serve {@code spec}. */
    void requireSpec(KeySpec spec) {
        if (!backend.supports(WorkerContext.kindOf(spec))) {
            throw new io.kmsgw.crypto.api.KmsException(io.kmsgw.crypto.api.KmsError.UNSUPPORTED_OPERATION, "The HSM " + backend.name()
                    + " cannot serve the key spec " + spec.name() + "; it supports " + String.join(", ", backend.keySpecs()) + ".");
        }
    }

    /** Whether the HSM can import a private key of {@code kind} and give back its public key. */
    boolean supportsPrivateImport(BackendSession.KeyKind kind) {
        return backend.supportsPrivateImport(kind);
    }

    /** Whether the HSM can unwrap imported material encrypted {@code how}. */
    boolean supportsImport(BackendSession.Unwrap how) {
        return backend.supportsImport(how);
    }

    /** Runs {@code work} in the session; one found lost is replaced for the next call (a failed replacement: the call after). */
    synchronized <T> T with(Function<BackendSession, T> work) {
        if (session.broken()) {
            BackendSession fresh = backend.openSession(); // UNAVAILABLE while the HSM does not answer
            try {
                session.close();
            } catch (RuntimeException gone) {
                // the session is what was lost
            }
            session = fresh;
        }
        return work.apply(session);
    }

    @Override
    public synchronized void close() {
        session.close();
    }
}
