package io.kmsgw.crypto.service;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.exec.CryptoExecutor;
import io.kmsgw.crypto.exec.Job;

/** Where a data-plane job runs: light jobs inline on the caller's thread (when configured), the rest on the bounded pool. */
final class Jobs {
    private final CryptoExecutor executor;
    private final boolean inlineLight;

    Jobs(CryptoExecutor executor, boolean inlineLight) {
        this.executor = executor;
        this.inlineLight = inlineLight;
    }

    /** Runs a light job inline (when configured) or queues it. */
    void light(Job job) {
        if (inlineLight) {
            executor.runInline(job);
        } else {
            submit(job);
        }
    }

    /** Queues a job; a full queue completes it at once with THROTTLED, through the job, so its clean-up runs too. */
    void submit(Job job) {
        if (!executor.submit(job)) {
            job.reject(new KmsException(KmsError.THROTTLED, "Concurrency Limit Exceeded."));
        }
    }

    int queueDepth() {
        return executor.queueDepth();
    }
}
