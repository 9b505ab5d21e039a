package io.kmsgw.gateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.kmsgw.crypto.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit sink. Event loops {@link #offer} records into a bounded lock-free queue; one writer thread
 * drains it in batches (a small one lingers 25 ms to grow), appends them as JSON lines to {@code DATA/audit/audit-NNNNNN.jsonl} (rolled by
 * size, forced to disk per batch) and stores each batch as one row of the store ({@link AuditStore}),
 * indexed by time and client key id, which serves {@link #query}. When a batch cannot be written the sink reports itself
 * unhealthy, the gateway refuses new requests (fail closed, 503), and the writer retries the same batch
 * until storage comes back.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final int BATCH = 1024;
    /**
     * How long a small batch waits for company before it is written. Each batch costs two fsyncs (file
     * and store) and a transaction; without the wait a lightly loaded gateway paid them for every few
     * requests, and under load 25 ms makes batches of several hundred (about 70 µs of fixed cost per
     * batch against 1.1 µs per record in the store, measured with SQLite here).
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    /**
     * How long an idle writer sleeps when nobody wakes it. The first record offered to an idle writer unparks it, so this
     * only bounds the effect of a lost wake-up. It used to poll every 2 ms: 500 wake-ups a second on a gateway serving
     * nothing, each one a thread the scheduler had to place beside the event loops.
     */
    static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * How the audit is kept. {@code maxBytes} (0: unbounded) bounds the files and the store copy together: half each, or all
     * of it for the store when the file sink is off; {@code retention} (null: forever) deletes records older than it, oldest
     * first. {@code maxFileBytes} is the largest a file grows before the next is begun (smaller under a small budget, so that
     * pruning whole files keeps the bound). Sinks: {@code file} (the JSON-lines files), {@code stdout} (the same lines on
     * standard output), {@code syslogAddress} ({@code udp://HOST:PORT} or {@code tcp://HOST:PORT}, null for none).
     */
    public record Options(long maxBytes, java.time.Duration retention, boolean file, boolean stdout, String syslogAddress, long maxFileBytes,
                          int capacity) {
        /** Files only, kept forever (tests and tools). */
        public static Options unbounded(long maxFileBytes, int capacity) {
            return new Options(0, null, true, false, null, maxFileBytes, capacity);
        }
    }

    private final Path dir;
    private final AuditStore table;
    private final long maxFileBytes;
    private final Options options;
    private final java.time.Clock clock;
    /** The files' share of {@code maxBytes}, and the store's (Long.MAX_VALUE when unbounded). */
    private final long fileShare;
    private final long storeShare;
    /** Bytes of every audit file, and of the store's audit rows (estimated between prunes on a shared store). */
    private final AtomicLong filesBytes = new AtomicLong();
    private final AtomicLong storeBytes = new AtomicLong();
    private volatile Long oldestMillis;
    private volatile int currentFileIndex;
    private final java.util.concurrent.ScheduledExecutorService pruner;
    private final SyslogSink syslog;
    private final java.io.OutputStream stdout;
    private final AtomicLong pruned = new AtomicLong();
    /** Pruning passes that deleted store rows, and the bytes they deleted. */
    private final AtomicLong storePrunePasses = new AtomicLong();
    private final AtomicLong storePruned = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean pruneQueued = new java.util.concurrent.atomic.AtomicBoolean();
    private int budgetAlarm;
    private long lastRefresh;
    private final MpscArrayQueue<AuditRecord> queue;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean healthy = true;
    private volatile boolean running = true;
    /** The writer holds records that are not yet durable. */
    private volatile boolean inBatch;
    /** The writer found the queue empty and is going to sleep; the first offer after that clears this and unparks it. */
    private final java.util.concurrent.atomic.AtomicBoolean idle = new java.util.concurrent.atomic.AtomicBoolean();
    /** The batch's JSON lines, reused from batch to batch (writer thread only). */
    private final Lines lines = new Lines();
    /** Values that recur from record to record, quoted once (writer thread only). */
    private final QuotedValues repeated = new QuotedValues();
    /** The id the batch being written is stored under; kept across retries (writer thread only). */
    private long batchId;
    private FileChannel file;
    private long fileBytes;
    private int fileIndex;

    public AuditLog(Path dir, Store store, long maxFileBytes, int capacity) throws IOException {
        this(dir, store, Options.unbounded(maxFileBytes, capacity), java.time.Clock.systemUTC());
    }

    public AuditLog(Path dir, Store store, Options options, java.time.Clock clock) throws IOException {
        this.dir = dir;
        this.options = options;
        this.clock = clock;
        if (options.maxBytes() > 0) {
            fileShare = options.file() ? options.maxBytes() / 2 : 0;
            storeShare = options.maxBytes() - fileShare;
            // files are pruned whole: at most an eighth of their share each, so the bound holds within one file
            this.maxFileBytes = options.file() ? Math.max(64 * 1024, Math.min(options.maxFileBytes(), fileShare / 8)) : options.maxFileBytes();
        } else {
            fileShare = Long.MAX_VALUE;
            storeShare = Long.MAX_VALUE;
            this.maxFileBytes = options.maxFileBytes();
        }
        this.queue = new MpscArrayQueue<>(options.capacity());
        Files.createDirectories(dir);
        this.table = new AuditStore(store);
        try (var files = Files.list(dir)) {
            fileIndex = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("audit-\\d{6}\\.jsonl"))
                    .mapToInt(n -> Integer.parseInt(n.substring(6, 12))).max().orElse(0);
        }
        if (options.file()) {
            openFile();
        }
        filesBytes.set(auditFiles().stream().mapToLong(AuditLog::size).sum());
        storeBytes.set(table.bytes());
        oldestMillis = table.oldestMillis();
        syslog = options.syslogAddress() == null ? null : new SyslogSink(options.syslogAddress());
        stdout = options.stdout() ? new java.io.FileOutputStream(java.io.FileDescriptor.out) : null;
        pruner = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kmsgw-audit-prune");
            t.setDaemon(true);
            return t;
        });
        pruner.scheduleWithFixedDelay(this::prune, 0, 1, TimeUnit.SECONDS);
        writer = new Thread(this::run, "kmsgw-audit");
        writer.setDaemon(true);
        writer.start();
    }

    /** Bytes the audit keeps on disk: its files and its rows in the store. */
    public long bytesOnDisk() {
        return filesBytes.get() + storeBytes.get();
    }

    /** {@code audit.maxBytes}, or 0 when unbounded. */
    public long maxBytes() {
        return options.maxBytes();
    }

    /** The time of the oldest record the store keeps (QueryAuditLog's horizon), or null when it keeps none. */
    public Long oldestMillis() {
        return oldestMillis;
    }

    /** Bytes of records deleted by retention or the size bound since start. */
    public long prunedBytes() {
        return pruned.get();
    }

    /** Passes that deleted store rows since start, and the bytes they deleted (tests). */
    long storePrunePasses() {
        return storePrunePasses.get();
    }

    long storePrunedBytes() {
        return storePruned.get();
    }

    public long syslogSent() {
        return syslog == null ? 0 : syslog.sent();
    }

    public long syslogDropped() {
        return syslog == null ? 0 : syslog.dropped();
    }

    /** What the audit remembers of each client key's use, beyond record retention (absent: never used). */
    public java.util.Map<String, ClientKeyUsage> usage(java.util.Collection<String> clientKeyIds) {
        return table.usage(clientKeyIds);
    }

    /**
     * Deletes what retention and the size bound no longer keep, oldest first: whole files but never the one being written,
     * and store batches. Runs every second on its own thread; between passes it only compares counters.
     */
    private void prune() {
        pruneQueued.set(false);
        try {
            long now = clock.millis();
            long cutoff = options.retention() == null ? Long.MIN_VALUE : now - options.retention().toMillis();
            boolean refresh = now - lastRefresh >= 10_000; // other gateways of a shared store add rows too; retention moves on
            if (options.file() && (filesBytes.get() > fileShare || refresh)) {
                pruneFiles(cutoff);
            }
            boolean over = storeBytes.get() > storeShare;
            if (over || refresh) {
                // over its share, the store goes down to a sixteenth below it, so the next pass is that much audit away.
                // Pruning to the share itself meant a pass (three scans of the batch table) after every batch once the
                // store was full, the normal state of a long-running gateway: a third of a core at 33,000 req/s here.
                long freed = table.prune(cutoff, over ? storeShare - storeShare / 16 : storeShare);
                pruned.addAndGet(freed);
                if (freed > 0) {
                    storePrunePasses.incrementAndGet();
                    storePruned.addAndGet(freed);
                }
                storeBytes.set(table.bytes());
                oldestMillis = table.oldestMillis();
                lastRefresh = now;
            }
            alarm();
        } catch (RuntimeException | IOException e) {
            LOG.warn("audit pruning failed; it is retried in a second: {}", e.toString());
        }
    }

    private synchronized void pruneFiles(long cutoff) throws IOException {
        List<Path> files = auditFiles();
        long total = files.stream().mapToLong(AuditLog::size).sum();
        int current = currentFileIndex;
        for (Path f : files) {
            if (index(f) >= current) {
                break;
            }
            long size = size(f);
            boolean old = cutoff != Long.MIN_VALUE && Files.getLastModifiedTime(f).toMillis() < cutoff;
            if (total > fileShare || old) {
                Files.deleteIfExists(f);
                total -= size;
                pruned.addAndGet(size);
            }
        }
        filesBytes.set(total);
    }

    /** One WARN line when the audit passes 80 % and 90 % of its budget (again after falling under 70 %). */
    private void alarm() {
        if (options.maxBytes() <= 0) {
            return;
        }
        double used = (double) bytesOnDisk() / options.maxBytes();
        int level = used >= 0.9 ? 90 : used >= 0.8 ? 80 : used < 0.7 ? 0 : budgetAlarm;
        if (level > budgetAlarm) {
            LOG.warn("audit uses {} % of audit.maxBytes ({} of {} bytes); at 100 % its oldest records are deleted (the oldest kept is "
                    + "from {})", level, bytesOnDisk(), options.maxBytes(), oldestMillis == null ? "-" : java.time.Instant.ofEpochMilli(oldestMillis));
        }
        budgetAlarm = level;
    }

    /** The audit files, oldest first. */
    private List<Path> auditFiles() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("audit-\\d{6}\\.jsonl")).sorted(java.util.Comparator.comparingInt(
                    AuditLog::index)).toList();
        }
    }

    private static int index(Path p) {
        return Integer.parseInt(p.getFileName().toString().substring(6, 12));
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException gone) {
            return 0;
        }
    }

    /** True when a record offered now will be accepted and the sink is writing: otherwise fail closed. */
    public boolean canAccept() {
        return healthy && running && queue.size() < queue.capacity();
    }

    /** Enqueues a record; false when the queue is full (the caller must not have acted unaudited). */
    public boolean offer(AuditRecord r) {
        if (!running || !queue.offer(r)) {
            dropped.incrementAndGet();
            return false;
        }
        // under load the writer is never idle and this is one volatile read; otherwise the first record wakes it
        if (idle.get() && idle.compareAndSet(true, false)) {
            LockSupport.unpark(writer);
        }
        return true;
    }

    /** Whether the writer is asleep with nothing to write (tests). */
    boolean writerIdle() {
        return idle.get();
    }

    public boolean healthy() {
        return healthy;
    }

    /** Records offered and not yet taken by the writer. */
    public int backlog() {
        return queue.size();
    }

    public long writtenCount() {
        return written.get();
    }

    public long droppedCount() {
        return dropped.get();
    }

    /** Waits until everything offered so far is written (tests and shutdown). */
    public boolean flush(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!queue.isEmpty() || inBatch) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    private void run() {
        List<AuditRecord> batch = new ArrayList<>(BATCH);
        while (running || !queue.isEmpty() || !batch.isEmpty()) {
            if (batch.isEmpty()) {
                inBatch = true;
                queue.drain(batch::add, BATCH);
                if (batch.isEmpty()) {
                    inBatch = false;
                    idle.set(true);
                    // an offer that enqueued before this set saw no idle writer and woke nobody: it is seen here instead
                    if (queue.isEmpty() && running) {
                        LockSupport.parkNanos(IDLE_PARK_NANOS);
                    }
                    idle.set(false);
                    continue;
                }
                batchId = AuditStore.newBatchId();
                if (batch.size() < BATCH && running) {
                    LockSupport.parkNanos(LINGER_NANOS);
                    queue.drain(batch::add, BATCH - batch.size());
                }
            }
            try {
                write(batch);
                written.addAndGet(batch.size());
                batch.clear();
                inBatch = false;
                if (!healthy) {
                    LOG.warn("audit log writable again; accepting requests");
                    healthy = true;
                }
            } catch (Exception e) {
                if (healthy) {
                    LOG.error("audit log write failed; refusing requests until it recovers: {}", e.toString());
                }
                healthy = false;
                if (!running) {
                    LOG.error("audit log closing with {} unwritten records", batch.size() + queue.size());
                    return;
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
    }

    private void write(List<AuditRecord> batch) throws IOException {
        lines.reset();
        try (JsonGenerator g = JSON.createGenerator(lines)) {
            AuditStore.writeLines(g, batch, repeated);
        }
        if (options.file() && file == null) {
            openFile();
        }
        long position = options.file() ? file.size() : 0;
        int storedBytes;
        try {
            if (options.file()) {
                ByteBuffer buf = lines.view();
                while (buf.hasRemaining()) {
                    file.write(buf);
                }
                file.force(false);
            }
            if (stdout != null) {
                // a pipe that stalls holds the writer and so, once the queue is full, the requests: stdout is fail-closed
                stdout.write(lines.buffer(), 0, lines.size());
                stdout.flush();
            }
            storedBytes = table.storeBatch(batchId, batch, lines.buffer(), lines.size());
        } catch (IOException | RuntimeException e) {
            // leave no partial batch in the file, so the retry writes each record exactly once (stdout may see it twice)
            if (options.file()) {
                file.truncate(position);
            }
            throw e;
        }
        filesBytes.addAndGet(options.file() ? lines.size() : 0);
        storeBytes.addAndGet(storedBytes);
        if (oldestMillis == null) {
            oldestMillis = batch.get(0).timeMillis();
        }
        if (syslog != null) {
            syslog.offer(batch, lines.buffer(), lines.size());
        }
        // the bound holds at any write rate: files over their share go at once (unlinks only), the store's are pruned now
        if (options.file() && filesBytes.get() > fileShare) {
            try {
                pruneFiles(options.retention() == null ? Long.MIN_VALUE : clock.millis() - options.retention().toMillis());
            } catch (IOException e) {
                LOG.warn("audit file pruning failed; the pruner retries in a second: {}", e.toString()); // the batch itself is kept
            }
        }
        if (storeBytes.get() > storeShare && pruneQueued.compareAndSet(false, true)) {
            pruner.execute(this::prune);
        }
        if (options.file()) {
            fileBytes = file.size();
            if (fileBytes >= maxFileBytes) {
                file.close();
                fileIndex++;
                openFile();
            }
        }
    }

    private void openFile() throws IOException {
        if (fileIndex == 0) {
            fileIndex = 1;
        }
        Path p = dir.resolve(String.format("audit-%06d.jsonl", fileIndex));
        if (endsTorn(p)) {
            // A process killed mid-write (or a damaged disk) left a partial last line: appending to it would merge the next
            // record into that line. The file is kept as it is, for whoever investigates (kmsgw verify names it).
            LOG.warn("audit file {} ends in a partial record; it is kept as it is and new records go to the next file", p.getFileName());
            fileIndex++;
            p = dir.resolve(String.format("audit-%06d.jsonl", fileIndex));
        }
        java.util.Set<StandardOpenOption> open = java.util.EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        file = p.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? FileChannel.open(p, open, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))) // the owner's only, whatever the umask
                : FileChannel.open(p, open);
        fileBytes = file.size();
        currentFileIndex = fileIndex;
    }

    /** Whether {@code p} exists, is not empty and does not end with a newline. */
    private static boolean endsTorn(Path p) throws IOException {
        if (!Files.exists(p)) {
            return false;
        }
        try (FileChannel f = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = f.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            f.read(last, size - 1);
            return last.get(0) != '\n';
        }
    }

    /**
     * Audit records, newest first: by client key id, API name and time window [start, end) (any may be
     * null), at most {@code limit}.
     */
    public List<AuditRecord> query(String clientKeyId, String apiName, Long startMillis, Long endMillis, int limit) {
        return table.query(clientKeyId, apiName, startMillis, endMillis, limit);
    }

    /** As {@link #query(String, String, Long, Long, int)}, of one plane ({@link AuditRecord#DATA} or {@link AuditRecord#ADMIN}; null: both). */
    public List<AuditRecord> query(String clientKeyId, String apiName, String plane, Long startMillis, Long endMillis, int limit) {
        return table.query(clientKeyId, apiName, plane, startMillis, endMillis, limit);
    }

    /** A byte array output stream whose bytes can be written out without a copy. */
    private static final class Lines extends ByteArrayOutputStream {
        Lines() {
            super(64 * 1024);
        }

        ByteBuffer view() {
            return ByteBuffer.wrap(buf, 0, count);
        }

        byte[] buffer() {
            return buf;
        }
    }

    @Override
    public void close() {
        flush(5, TimeUnit.SECONDS);
        running = false;
        LockSupport.unpark(writer);
        pruner.shutdownNow();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (file != null) {
                file.close();
            }
        } catch (IOException ignored) {
            // closing at shutdown
        }
        if (syslog != null) {
            syslog.close();
        }
        table.close();
    }
}
