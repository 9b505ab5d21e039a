package io.kmsgw.gateway.server;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data dir's filesystem, looked at every 5 seconds: free and total bytes for metrics and DescribeInstance, one WARN
 * line when its use passes 80 % and 90 % (again after falling under 75 %), one ERROR line when it is full and one INFO
 * line when space is back — so that a filling disk is an early warning, not a surprise.
 */
final class DiskSpace implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpace.class);
    /** Below this many free bytes the filesystem counts as full (SQLite and the audit need room for a batch). */
    private static final long FULL_BELOW = 1L << 20;

    private final Path dir;
    private final FileStore store;
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kmsgw-disk");
        t.setDaemon(true);
        return t;
    });
    private volatile long free;
    private volatile long total;
    private int alarm;
    private boolean full;

    DiskSpace(Path dir) throws IOException {
        this.dir = dir;
        this.store = Files.getFileStore(dir);
        look();
        watcher.scheduleWithFixedDelay(this::look, 5, 5, TimeUnit.SECONDS);
    }

    long freeBytes() {
        return free;
    }

    long totalBytes() {
        return total;
    }

    private void look() {
        try {
            total = store.getTotalSpace();
            free = store.getUsableSpace();
        } catch (IOException e) {
            return;
        }
        if (total <= 0) {
            return;
        }
        double used = 1 - (double) free / total;
        int level = used >= 0.9 ? 90 : used >= 0.8 ? 80 : used < 0.75 ? 0 : alarm;
        if (level > alarm) {
            LOG.warn("the data dir's filesystem ({}) is {} % full: {} bytes free of {}; when it fills, changes and audited requests "
                    + "answer 503 until space returns", dir, level, free, total);
        }
        alarm = level;
        boolean nowFull = free < FULL_BELOW;
        if (nowFull && !full) {
            LOG.error("the data dir's filesystem ({}) is full ({} bytes free): changes and audited requests answer 503 until space "
                    + "returns; free space or raise the volume, no restart is needed", dir, free);
        } else if (!nowFull && full) {
            LOG.info("the data dir's filesystem ({}) has space again ({} bytes free)", dir, free);
        }
        full = nowFull;
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
