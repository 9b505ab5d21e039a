package io.kmsgw.crypto.ops;

import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.exec.Job;
import io.kmsgw.crypto.exec.WorkerContext;

/** A job that computes one result and completes its {@link Completion} exactly once, whatever throws. */
abstract class EngineJob<T> implements Job {
    private final Completion<T> done;
    private boolean completed;

    EngineJob(Completion<T> done) {
        this.done = done;
    }

    protected abstract T compute(WorkerContext ctx);

    @Override
    public final void run(WorkerContext ctx) {
        T result = compute(ctx);
        finish(result, null);
    }

    @Override
    public final void reject(KmsException error) {
        finish(null, error);
    }

    private void finish(T result, KmsException error) {
        if (completed) {
            return;
        }
        completed = true;
        done.complete(result, error);
    }
}
