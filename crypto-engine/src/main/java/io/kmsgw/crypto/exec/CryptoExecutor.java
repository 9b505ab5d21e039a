package io.kmsgw.crypto.exec;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.HsmBackend;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpmcArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crypto worker pool.
 *
 * <p>Design notes: callers (event loops) {@link #submit} jobs into one bounded lock-free MPMC queue;
 * a full queue returns {@code false} at once, which the gateway answers as 429 — there is no unbounded
 * buffer anywhere. N workers each own one HSM session (PKCS#11 sessions are single-threaded) and its
 * loaded key handles. An idle worker spins briefly, then parks; a submit claims one parked worker
 * (clearing its flag, so that the next submit wakes another) and unparks it. The worker's {@code parked}
 * flag is set before it re-checks the queue, and submit's CAS on the queue comes before it reads the
 * flags, so a wake-up is never lost; a bounded park is a second safety net, long enough that idle
 * workers cost nothing measurable (a 1 ms bound cost ~2 % of the gateway's CPU under Encrypt load,
 * async-profiler). Jobs complete on the worker thread; callers hop back themselves.
 */
public final class CryptoExecutor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CryptoExecutor.class);
    private static final int SPINS_BEFORE_PARK = 32;
    private static final long PARK_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final MpmcArrayQueue<Job> queue;
    private final Worker[] workers;
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean running = true;
    private final HsmBackend backend;
    private final int maxLoadedKeysPerWorker;
    private final long parkBoundNanos;
    /** HSM sessions of caller threads (event loops) that run light jobs inline; closed with the executor. */
    private final Retirements retirements = new Retirements();
    private final java.util.concurrent.ConcurrentLinkedQueue<WorkerContext> inlineContexts = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final ThreadLocal<WorkerContext> inline = new ThreadLocal<>();

    public CryptoExecutor(HsmBackend backend, int workerCount, int queueCapacity, int maxLoadedKeysPerWorker) {
        this(backend, workerCount, queueCapacity, maxLoadedKeysPerWorker, PARK_BOUND_NANOS);
    }

    /** With the safety net's bound given: tests make it hours long, so that a lost wake-up hangs a job visibly. */
    CryptoExecutor(HsmBackend backend, int workerCount, int queueCapacity, int maxLoadedKeysPerWorker, long parkBoundNanos) {
        this.parkBoundNanos = parkBoundNanos;
        if (workerCount < 1 || queueCapacity < 2) {
            throw new IllegalArgumentException("workers >= 1 and queue capacity >= 2 required");
        }
        this.backend = backend;
        this.maxLoadedKeysPerWorker = maxLoadedKeysPerWorker;
        queue = new MpmcArrayQueue<>(queueCapacity);
        workers = new Worker[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Worker(new WorkerContext(backend.openSession(), maxLoadedKeysPerWorker), "kmsgw-crypto-" + i);
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    /**
     * Retires key versions whose material is gone: every worker destroys its loaded copy before its next job (a parked worker
     * is woken for it); a thread running light jobs inline does so before its next one.
     */
    public void retire(java.util.Collection<String> versionIds) {
        if (versionIds.isEmpty()) {
            return;
        }
        retirements.retire(versionIds);
        for (Worker w : workers) {
            if (w.parked.compareAndSet(true, false)) {
                LockSupport.unpark(w.thread);
            }
        }
    }

    /** Enqueues a job; false when the queue is full or the executor is stopping (the job is not run). */
    public boolean submit(Job job) {
        if (!running || !queue.offer(job)) {
            rejected.incrementAndGet();
            return false;
        }
        for (Worker w : workers) {
            if (w.parked.get() && w.parked.compareAndSet(true, false)) {
                LockSupport.unpark(w.thread);
                break;
            }
        }
        return true;
    }

    /**
     * Runs a light job (microseconds of CPU, never blocking: AES/SM4/HMAC on small inputs, random bytes)
     * on the calling thread with that thread's own HSM session, saving the two thread hand-offs a queued
     * job costs. Heavy work (RSA, EC, key pairs) must go through {@link #submit}.
     */
    public void runInline(Job job) {
        if (!running) {
            job.reject(new KmsException(KmsError.UNAVAILABLE, "The service is shutting down."));
            return;
        }
        WorkerContext ctx = inline.get();
        if (ctx == null) {
            try {
                ctx = new WorkerContext(backend.openSession(), maxLoadedKeysPerWorker);
            } catch (KmsException e) {
                // no HSM session to be had (the device's session limit): refuse now, try again on the next job
                job.reject(e);
                return;
            }
            inline.set(ctx);
            inlineContexts.add(ctx);
        }
        ctx.forgetRetired(retirements);
        execute(job, ctx);
        if (ctx.session().broken()) { // the next job on this thread opens a new session
            inline.remove();
            inlineContexts.remove(ctx);
            closeQuietly(ctx);
        }
    }

    private static void closeQuietly(WorkerContext ctx) {
        try {
            ctx.session().close();
        } catch (RuntimeException gone) {
            // the session is what was lost
        }
    }

    private static void execute(Job job, WorkerContext ctx) {
        try {
            job.run(ctx);
        } catch (KmsException e) {
            job.reject(e);
        } catch (RuntimeException | Error e) {
            LOG.error("crypto job failed unexpectedly", e);
            job.reject(new KmsException(KmsError.INTERNAL, "Internal Failure."));
        }
    }

    /** Jobs waiting for a worker. */
    public int queueDepth() {
        return queue.size();
    }

    public int capacity() {
        return queue.capacity();
    }

    public long rejectedCount() {
        return rejected.get();
    }

    public int workerCount() {
        return workers.length;
    }

    /** Stops accepting work, lets workers finish what is queued (bounded), and closes their sessions. */
    @Override
    public void close() {
        running = false;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
        for (Worker w : workers) {
            try {
                w.thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Job j;
        while ((j = queue.poll()) != null) {
            j.reject(new KmsException(KmsError.UNAVAILABLE, "The service is shutting down."));
        }
        WorkerContext c;
        while ((c = inlineContexts.poll()) != null) {
            c.session().close();
        }
    }

    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final class Worker implements Runnable {
        /** The worker's session and keys; null while a lost session could not be replaced (the HSM does not answer). */
        WorkerContext ctx;
        final Thread thread;
        /** Set by the worker before it parks; cleared by the submit that claims it, or by the worker on waking. */
        final AtomicBoolean parked = new AtomicBoolean();
        /** When to try again to open a session, and the wait after the next failure (doubling to 2 s). */
        private long retryAtNanos;
        private long backoffNanos = MIN_BACKOFF_NANOS;

        Worker(WorkerContext ctx, String name) {
            this.ctx = ctx;
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        /**
         * A job for this worker: run in its session, or refused at once (503) while the HSM gives none. A session found lost
         * during the job is replaced before the next one: a PKCS#11 session dies with a device reset or a logout.
         */
        private void handle(Job job) {
            if (ctx == null && System.nanoTime() - retryAtNanos >= 0) {
                try {
                    ctx = new WorkerContext(backend.openSession(), maxLoadedKeysPerWorker);
                    backoffNanos = MIN_BACKOFF_NANOS;
                    LOG.info("{}: a new HSM session", thread.getName());
                } catch (KmsException | IllegalStateException e) {
                    retryAtNanos = System.nanoTime() + backoffNanos;
                    backoffNanos = Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
                }
            }
            if (ctx == null) {
                job.reject(new KmsException(KmsError.UNAVAILABLE, "The HSM is not answering; try again shortly."));
                return;
            }
            ctx.forgetRetired(retirements);
            CryptoExecutor.execute(job, ctx);
            if (ctx.session().broken()) {
                LOG.warn("{}: the HSM session was lost; opening a new one", thread.getName());
                closeQuietly(ctx);
                ctx = null;
                retryAtNanos = System.nanoTime();
            }
        }

        @Override
        public void run() {
            int idle = 0;
            try {
                while (true) {
                    Job job = queue.poll();
                    if (job != null) {
                        idle = 0;
                        handle(job);
                        continue;
                    }
                    if (!running) {
                        return;
                    }
                    if (++idle < SPINS_BEFORE_PARK) {
                        Thread.onSpinWait();
                        continue;
                    }
                    parked.set(true);
                    if (queue.isEmpty() && running) {
                        LockSupport.parkNanos(this, parkBoundNanos);
                    }
                    parked.set(false);
                    if (ctx != null) {
                        ctx.forgetRetired(retirements); // woken by a retirement, or before the job that woke it
                    }
                }
            } finally {
                if (ctx != null) {
                    closeQuietly(ctx);
                }
            }
        }
    }
}
