package io.kmsgw.crypto.exec;

import io.kmsgw.crypto.api.KmsException;

/** A unit of crypto work. Exactly one of {@link #run} or {@link #reject} is called, on a worker thread. */
public interface Job {
    void run(WorkerContext ctx);

    /** The job will not run (shutdown) or failed unexpectedly. */
    void reject(KmsException error);
}
