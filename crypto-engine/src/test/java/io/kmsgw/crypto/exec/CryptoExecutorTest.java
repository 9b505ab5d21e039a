package io.kmsgw.crypto.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.crypto.api.KmsError;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.backend.SimHsmBackend;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CryptoExecutorTest {
    @TempDir
    Path dir;

    private static Job job(Runnable body, ConcurrentLinkedQueue<KmsException> rejections) {
        return new Job() {
            @Override
            public void run(WorkerContext ctx) {
                body.run();
            }

            @Override
            public void reject(KmsException error) {
                rejections.add(error);
            }
        };
    }

    @Test
    void aFullQueueRefusesAtOnceAndDrainsAfterwards() throws Exception {
        try (SimHsmBackend backend = new SimHsmBackend(dir, "secret-123".toCharArray(), 1000, 8);
             CryptoExecutor ex = new CryptoExecutor(backend, 1, 4, 4)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ConcurrentLinkedQueue<KmsException> rejections = new ConcurrentLinkedQueue<>();
            AtomicInteger done = new AtomicInteger();
            assertTrue(ex.submit(job(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                done.incrementAndGet();
            }, rejections)));
            assertTrue(started.await(5, TimeUnit.SECONDS));
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                if (ex.submit(job(done::incrementAndGet, rejections))) {
                    accepted++;
                }
            }
            assertEquals(4, accepted, "the queue holds exactly its capacity while the worker is busy");
            assertEquals(6, ex.rejectedCount());
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (done.get() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(5, done.get());
            assertTrue(ex.submit(job(done::incrementAndGet, rejections)), "capacity is back once drained");
            assertTrue(rejections.isEmpty());
        }
    }

    /** A job that runs {@code body} with the worker's context and waits for it. */
    private static <T> T on(CryptoExecutor ex, java.util.function.Function<WorkerContext, T> body) throws Exception {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        assertTrue(ex.submit(new Job() {
            @Override
            public void run(WorkerContext ctx) {
                f.complete(body.apply(ctx));
            }

            @Override
            public void reject(KmsException error) {
                f.completeExceptionally(error);
            }
        }));
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aRetiredVersionIsUnloadedByEveryWorkerBeforeItsNextJob() throws Exception {
        try (SimHsmBackend backend = new SimHsmBackend(dir, "executor-secret".toCharArray(), 1000, 8);
             CryptoExecutor ex = new CryptoExecutor(backend, 1, 8, 8)) {
            io.kmsgw.crypto.key.KeyVersion v = on(ex, ctx -> new io.kmsgw.crypto.key.KeyVersion("v-retired", "key-1", java.time.Instant.EPOCH,
                    ctx.session().generate(io.kmsgw.crypto.backend.BackendSession.KeyKind.AES, 256, null).wrapped(), null));
            long h = on(ex, ctx -> Long.valueOf(ctx.handle(v, io.kmsgw.crypto.api.KeySpec.Aliyun_AES_256)));
            assertEquals(Integer.valueOf(1), on(ex, WorkerContext::loadedCount));
            ex.retire(java.util.List.of("v-retired"));
            assertEquals(Integer.valueOf(0), on(ex, WorkerContext::loadedCount), "the worker let go of the retired version");
            Boolean destroyed = on(ex, ctx -> {
                try {
                    ctx.session().encryptGcm(h, new byte[12], null, new byte[1]);
                    return false;
                } catch (KmsException gone) {
                    return true;
                }
            });
            assertTrue(destroyed, "and its handle is destroyed in the HSM");
        }
    }

    @Test
    void aThrowingJobIsRejectedAndTheWorkerSurvives() throws Exception {
        try (SimHsmBackend backend = new SimHsmBackend(dir, "secret-123".toCharArray(), 1000, 8);
             CryptoExecutor ex = new CryptoExecutor(backend, 1, 8, 4)) {
            ConcurrentLinkedQueue<KmsException> rejections = new ConcurrentLinkedQueue<>();
            CountDownLatch after = new CountDownLatch(1);
            assertTrue(ex.submit(job(() -> {
                throw new IllegalStateException("boom");
            }, rejections)));
            assertTrue(ex.submit(job(after::countDown, rejections)));
            assertTrue(after.await(5, TimeUnit.SECONDS));
            assertEquals(1, rejections.size());
            assertEquals(KmsError.INTERNAL, rejections.peek().error());
            assertFalse(rejections.peek().getMessage().contains("boom"), "internal detail never reaches the caller");
        }
    }

    @Test
    void inlineJobsRunOnTheCallerWithOneSessionPerThread() throws Exception {
        try (SimHsmBackend backend = new SimHsmBackend(dir, "secret-123".toCharArray(), 1000, 8);
             CryptoExecutor ex = new CryptoExecutor(backend, 1, 4, 4)) {
            ConcurrentLinkedQueue<KmsException> rejections = new ConcurrentLinkedQueue<>();
            java.util.List<Thread> ranOn = new java.util.ArrayList<>();
            java.util.Set<Object> sessions = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            Job probe = new Job() {
                @Override
                public void run(WorkerContext ctx) {
                    ranOn.add(Thread.currentThread());
                    sessions.add(ctx.session());
                }

                @Override
                public void reject(KmsException error) {
                    rejections.add(error);
                }
            };
            ex.runInline(probe);
            ex.runInline(probe);
            assertEquals(java.util.List.of(Thread.currentThread(), Thread.currentThread()), ranOn, "inline means the calling thread");
            assertEquals(1, sessions.size(), "one HSM session per calling thread, reused");
            Thread other = new Thread(() -> ex.runInline(probe));
            other.start();
            other.join();
            assertEquals(2, sessions.size(), "another thread gets its own session");
            ex.runInline(job(() -> {
                throw new IllegalStateException("inline boom");
            }, rejections));
            assertEquals(KmsError.INTERNAL, rejections.poll().error(), "an inline failure is rejected, not thrown at the caller");
        }
    }

    /** The park bound is an hour here: a lost wake-up leaves its job waiting and fails the round. */
    private static final long NO_SAFETY_NET = TimeUnit.HOURS.toNanos(1);

    @Test
    void parkedWorkersWakeForEveryJob() throws Exception {
        try (SimHsmBackend backend = new SimHsmBackend(dir, "secret-123".toCharArray(), 1000, 8);
             CryptoExecutor ex = new CryptoExecutor(backend, 2, 16, 4, NO_SAFETY_NET)) {
            ConcurrentLinkedQueue<KmsException> rejections = new ConcurrentLinkedQueue<>();
            for (int round = 0; round < 200; round++) {
                CountDownLatch l = new CountDownLatch(1);
                if (round % 50 == 0) {
                    Thread.sleep(5); // let the workers park
                }
                assertTrue(ex.submit(job(l::countDown, rejections)));
                assertTrue(l.await(5, TimeUnit.SECONDS), "round " + round);
            }
        }
    }

    /**
     * Two jobs submitted back to back to two parked workers run at the same time: each waits for the
     * other, so they finish only if the second submit woke the second worker rather than the one the
     * first submit had already woken.
     */
    @Test
    void backToBackSubmitsWakeDifferentWorkers() throws Exception {
        try (SimHsmBackend backend = new SimHsmBackend(dir, "secret-123".toCharArray(), 1000, 8);
             CryptoExecutor ex = new CryptoExecutor(backend, 2, 16, 4, NO_SAFETY_NET)) {
            ConcurrentLinkedQueue<KmsException> rejections = new ConcurrentLinkedQueue<>();
            for (int round = 0; round < 20; round++) {
                Thread.sleep(5); // both workers park
                CyclicBarrier both = new CyclicBarrier(2);
                CountDownLatch done = new CountDownLatch(2);
                Runnable body = () -> {
                    try {
                        both.await(5, TimeUnit.SECONDS);
                        done.countDown();
                    } catch (Exception e) {
                        // a barrier timeout leaves done short: the assertion below reports the round
                    }
                };
                assertTrue(ex.submit(job(body, rejections)));
                assertTrue(ex.submit(job(body, rejections)));
                assertTrue(done.await(10, TimeUnit.SECONDS), "round " + round + ": the second job never ran beside the first");
            }
        }
    }

    /** Several threads submitting while the workers park and wake: every job runs, none waits for a safety net. */
    @Test
    void concurrentSubmittersLoseNoWakeUp() throws Exception {
        try (SimHsmBackend backend = new SimHsmBackend(dir, "secret-123".toCharArray(), 1000, 8);
             CryptoExecutor ex = new CryptoExecutor(backend, 2, 1024, 4, NO_SAFETY_NET)) {
            ConcurrentLinkedQueue<KmsException> rejections = new ConcurrentLinkedQueue<>();
            int threads = 4;
            int perThread = 500;
            CountDownLatch all = new CountDownLatch(threads * perThread);
            Thread[] submitters = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                submitters[t] = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        CountDownLatch one = new CountDownLatch(1);
                        Runnable body = () -> {
                            one.countDown();
                            all.countDown();
                        };
                        if (!ex.submit(job(body, rejections))) {
                            return;
                        }
                        try {
                            if (!one.await(10, TimeUnit.SECONDS)) {
                                return;
                            }
                            if (i % 50 == 0) {
                                Thread.sleep(2); // let the workers park again
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                submitters[t].start();
            }
            assertTrue(all.await(60, TimeUnit.SECONDS), all.getCount() + " jobs never ran");
            for (Thread t : submitters) {
                t.join();
            }
            assertTrue(rejections.isEmpty());
        }
    }

    /**
     * When the HSM has no session left for a thread's first inline job, the job is refused at once with
     * UNAVAILABLE (the gateway's 503), nothing is thrown at the caller, and the next job succeeds as soon as
     * a session is free again.
     */
    @Test
    void hsmSessionExhaustionRefusesAtOnceAndRecovers() throws Exception {
        // three sessions: management, the one worker, and the last one taken by the test below
        try (SimHsmBackend backend = new SimHsmBackend(dir, "secret-123".toCharArray(), 1000, 3);
             CryptoExecutor ex = new CryptoExecutor(backend, 1, 4, 4)) {
            var hog = backend.openSession();
            ConcurrentLinkedQueue<KmsException> rejections = new ConcurrentLinkedQueue<>();
            AtomicInteger ran = new AtomicInteger();
            long start = System.nanoTime();
            ex.runInline(job(ran::incrementAndGet, rejections));
            assertEquals(0, ran.get());
            KmsException refused = rejections.poll();
            assertEquals(KmsError.UNAVAILABLE, refused == null ? null : refused.error());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "refused at once, not after a wait");
            hog.close();
            ex.runInline(job(ran::incrementAndGet, rejections));
            assertEquals(1, ran.get(), "a freed session serves the next job");
            assertTrue(rejections.isEmpty());
        }
    }
}
