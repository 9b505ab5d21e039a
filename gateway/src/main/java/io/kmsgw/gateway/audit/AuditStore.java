package io.kmsgw.gateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.crypto.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's table side: one row per written batch, not per record.
 *
 * <p>Design notes. A row in {@code audit_batch} holds a batch's records as the same JSON lines the
 * audit file gets, with the batch's first and last record time; {@code audit_batch_key} holds, per
 * client key id in the batch, the first and last time of that key's records. A query walks batches
 * newest first (by last time, through the key table when it filters by client key), decodes them and
 * keeps the newest {@code limit} matches; it stops at the first batch whose last time is not newer
 * than the {@code limit}-th match's, since no batch after it can hold a record that ranks higher (one
 * of the same millisecond met later ranks lower). The writer thus pays one
 * row and one index entry per batch and client key instead of a row and two index entries per request
 * (microbenchmark: about 1.7 against 6.1 µs of CPU per record).
 *
 * <p>A batch id is random, so gateways sharing a store never collide in practice. A retry reuses it,
 * so a batch whose commit succeeded but was reported failed (a lost acknowledgement) meets its own
 * row and counts as written, byte for byte, instead of being stored twice.
 *
 * <p>Stores written before batches kept one row per record in {@code audit_log}; those rows are moved
 * into batches once, at start, in one transaction, and the table stays empty.
 */
final class AuditStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditStore.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final SecureRandom IDS = new SecureRandom();
    /** Records per batch when legacy rows are converted. */
    private static final int LEGACY_BATCH = 1024;

    private final Store store;
    private final Map<String, KeySpan> keySpans = new HashMap<>();

    AuditStore(Store store) {
        this.store = store;
        if (ZSTD) {
            packer.ctx = new ZstdCompressCtx().setLevel(1).setChecksum(true).setContentSize(true);
        }
        try {
            store.migrate("audit", schema(store));
            store.exclusive("audit-legacy", () -> store.write(this::convertLegacy));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The audit component's schema steps; the first three are the per-record table of older stores. */
    static List<String> schema(Store store) {
        return List.of(
                "CREATE TABLE audit_log (time_millis BIGINT NOT NULL, request_id VARCHAR(64) NOT NULL, client_key_id VARCHAR(64) NOT NULL, "
                        + "aap_name VARCHAR(128) NOT NULL, client_ip VARCHAR(64) NOT NULL, user_agent VARCHAR(512) NOT NULL, "
                        + "api_name VARCHAR(64) NOT NULL, resource VARCHAR(512) NOT NULL, result_code VARCHAR(64) NOT NULL, "
                        + "latency_micros BIGINT NOT NULL)",
                "CREATE INDEX audit_log_key_time ON audit_log(client_key_id, time_millis)",
                "CREATE INDEX audit_log_time ON audit_log(time_millis)",
                "CREATE TABLE audit_batch (batch_id BIGINT PRIMARY KEY, first_millis BIGINT NOT NULL, last_millis BIGINT NOT NULL, "
                        + "record_count INTEGER NOT NULL, lines " + store.binaryType() + " NOT NULL)",
                "CREATE INDEX audit_batch_last ON audit_batch(last_millis)",
                "CREATE TABLE audit_batch_key (client_key_id VARCHAR(64) NOT NULL, last_millis BIGINT NOT NULL, "
                        + "first_millis BIGINT NOT NULL, batch_id BIGINT NOT NULL, PRIMARY KEY (client_key_id, last_millis, batch_id))",
                "CREATE TABLE audit_key_usage (client_key_id VARCHAR(64) PRIMARY KEY, first_millis BIGINT NOT NULL, "
                        + "last_millis BIGINT NOT NULL, last_ip VARCHAR(64) NOT NULL, last_api VARCHAR(64) NOT NULL, requests BIGINT NOT NULL)",
                // the records kept so far give each key's first and last use; where from and how many are counted from now on
                "INSERT INTO audit_key_usage (client_key_id, first_millis, last_millis, last_ip, last_api, requests) "
                        + "SELECT client_key_id, MIN(first_millis), MAX(last_millis), '', '', 0 FROM audit_batch_key GROUP BY client_key_id",
                // from here on a batch may be a zstd frame, which earlier versions would misread as plain lines: these steps
                // raise the audit schema's version, so an earlier kmsgw refuses to open the store ("newer than this kmsgw knows")
                "CREATE TABLE audit_format (codec VARCHAR(16) PRIMARY KEY)",
                "INSERT INTO audit_format (codec) VALUES ('zstd')");
    }

    /** Per client key of the batch being stored: first and last time, the last record, the count (writer thread only). */
    private static final class KeySpan {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        AuditRecord lastRecord;
        int count;
        boolean data;
    }

    /** A fresh batch id (positive). */
    static long newBatchId() {
        return IDS.nextLong() & Long.MAX_VALUE;
    }

    /**
     * Stores one batch durably: {@code lines[0, length)} are exactly the records' JSON lines. Returns normally when
     * the batch is stored, now or by an earlier attempt whose acknowledgement was lost, with the bytes the store keeps for
     * it; throws when it is not, and the caller retries with the same id.
     */
    int storeBatch(long batchId, List<AuditRecord> records, byte[] lines, int length) {
        byte[] packed = pack(lines, length);
        try {
            store.write(c -> {
                insert(c, batchId, records, packed);
                return null;
            });
        } catch (StoreException e) {
            if (!e.constraintViolation() || !stored(batchId, packed)) {
                throw e;
            }
        }
        return packed.length;
    }

    /**
     * A batch's lines as the store keeps them: a zstd frame (level 1, with its content size and checksum). JSON lines of
     * one gateway's traffic repeat most of every record, so this keeps about a fifteenth of the bytes and lets the same
     * {@code audit.maxBytes} hold that much more history. Level 1 is about 5.7 times as fast as zlib's fastest level and
     * 30 % smaller ({@code AuditBenchmark}); it is the largest single cost of the audit writer otherwise. Deterministic, so
     * a retried batch meets its own row byte for byte. Without zstd's native library the batch is deflated, which every
     * version since the store copy was compressed reads. Writer thread (and the conversion at start) only; safe anyway.
     */
    byte[] pack(byte[] lines, int length) {
        synchronized (packer) {
            if (packer.ctx == null) {
                return deflate(lines, length);
            }
            int bound = (int) Zstd.compressBound(length);
            if (packer.out.length < bound) {
                packer.out = new byte[bound];
            }
            int n = packer.ctx.compressByteArray(packer.out, 0, bound, lines, 0, length);
            return Arrays.copyOf(packer.out, n);
        }
    }

    /** The zlib form (fastest level) that versions before zstd wrote; kept for hosts where zstd's native code cannot load. */
    static byte[] deflate(byte[] lines, int length) {
        java.util.zip.Deflater d = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_SPEED);
        try {
            d.setInput(lines, 0, length);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(length / 6 + 64);
            byte[] buf = new byte[64 * 1024];
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    /**
     * A stored batch's JSON lines, whichever form it was stored in: a zstd frame (this version), zlib (the versions
     * before), or the plain lines (older still). Each starts differently: zstd's magic number, a zlib header (0x78), '{'.
     */
    static byte[] unpack(byte[] stored) {
        if (stored.length >= 4 && (stored[0] & 0xff) == 0x28 && (stored[1] & 0xff) == 0xb5 && (stored[2] & 0xff) == 0x2f
                && (stored[3] & 0xff) == 0xfd) {
            return unzstd(stored);
        }
        if (stored.length == 0 || stored[0] != 0x78) {
            return stored; // plain lines, as older versions stored them
        }
        java.util.zip.Inflater inf = new java.util.zip.Inflater();
        try {
            inf.setInput(stored);
            ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length * 8);
            byte[] buf = new byte[16 * 1024];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new java.util.zip.DataFormatException("truncated");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (java.util.zip.DataFormatException e) {
            throw new StoreException("an audit batch in the store does not inflate: " + e.getMessage(), e, false);
        } finally {
            inf.end();
        }
    }

    private static byte[] unzstd(byte[] stored) {
        if (!ZSTD) {
            throw new StoreException("an audit batch in the store is zstd, and zstd's native library did not load on this host",
                    null, false);
        }
        try {
            long size = Zstd.getFrameContentSize(stored);
            if (size < 0 || size > MAX_BATCH_BYTES) {
                throw new StoreException("an audit batch in the store has no usable size (" + size + ")", null, false);
            }
            byte[] out = new byte[(int) size];
            long n = Zstd.decompressByteArray(out, 0, out.length, stored, 0, stored.length);
            if (Zstd.isError(n) || n != size) {
                throw new StoreException("an audit batch in the store does not decompress: "
                        + (Zstd.isError(n) ? Zstd.getErrorName(n) : n + " of " + size + " bytes"), null, false);
            }
            return out;
        } catch (ZstdException e) {
            throw new StoreException("an audit batch in the store does not decompress: " + e.getMessage(), e, false);
        }
    }

    /** Whether zstd's native library loaded; without it batches are deflated. */
    static final boolean ZSTD = zstdLoads();
    /** No batch the writer makes comes near this (1,024 records of bounded fields); a row claiming more is not ours. */
    private static final long MAX_BATCH_BYTES = 64L << 20;

    private static boolean zstdLoads() {
        try {
            com.github.luben.zstd.util.Native.load();
            return true;
        } catch (Throwable t) {
            LOG.warn("zstd's native library did not load ({}); audit batches are stored deflated", t.toString());
            return false;
        }
    }

    /** The compression context and its output buffer; native memory, freed by {@link #close()}. */
    private static final class Packer {
        ZstdCompressCtx ctx;
        byte[] out = new byte[0];
    }

    private final Packer packer = new Packer();

    /** Frees the compression context; a batch packed after this is deflated. */
    @Override
    public void close() {
        synchronized (packer) {
            if (packer.ctx != null) {
                packer.ctx.close();
                packer.ctx = null;
            }
        }
    }

    /** True when the batch {@code batchId} is in the store with exactly these (packed) lines. */
    private boolean stored(long batchId, byte[] lines) {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT lines FROM audit_batch WHERE batch_id = ?")) {
                ps.setLong(1, batchId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && Arrays.equals(rs.getBytes(1), lines);
                }
            }
        });
    }

    private void insert(Connection c, long batchId, List<AuditRecord> records, byte[] lines) throws SQLException {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        keySpans.clear();
        for (AuditRecord r : records) {
            long t = r.timeMillis();
            first = Math.min(first, t);
            last = Math.max(last, t);
            KeySpan span = keySpans.computeIfAbsent(r.clientKeyId(), k -> new KeySpan());
            span.first = Math.min(span.first, t);
            if (t >= span.last) {
                span.last = t;
                span.lastRecord = r;
            }
            span.count++;
            span.data |= !r.admin();
        }
        PreparedStatement[] ps = statements(c);
        try {
            PreparedStatement batch = ps[0];
            batch.setLong(1, batchId);
            batch.setLong(2, first);
            batch.setLong(3, last);
            batch.setInt(4, records.size());
            batch.setBytes(5, lines);
            batch.executeUpdate();
            PreparedStatement keys = ps[1];
            keys.clearBatch(); // the driver empties a failed batch itself; JDBC does not promise it
            for (Map.Entry<String, KeySpan> e : keySpans.entrySet()) {
                keys.setString(1, e.getKey());
                keys.setLong(2, e.getValue().last);
                keys.setLong(3, e.getValue().first);
                keys.setLong(4, batchId);
                keys.addBatch();
            }
            keys.executeBatch();
            // each client key's use, kept beyond record retention; the right-hand sides read the row as it was
            PreparedStatement usage = ps[2];
            usage.clearBatch();
            boolean any = false;
            for (Map.Entry<String, KeySpan> e : keySpans.entrySet()) {
                KeySpan k = e.getValue();
                if (!k.data || e.getKey().isEmpty()) {
                    continue; // admin credentials are not client keys
                }
                usage.setString(1, e.getKey());
                usage.setLong(2, k.first);
                usage.setLong(3, k.last);
                usage.setString(4, k.lastRecord.clientIp());
                usage.setString(5, k.lastRecord.apiName());
                usage.setLong(6, k.count);
                usage.addBatch();
                any = true;
            }
            if (any) {
                usage.executeBatch();
            }
        } catch (SQLException | RuntimeException e) {
            if (ps == prepared) {
                // on errors such as SQLITE_FULL the driver finalizes the statement: prepare afresh for the retry
                prepared = null; // and so closed below
                preparedOn = null;
            }
            throw e;
        } finally {
            if (ps != prepared) {
                closeAll(ps);
            }
        }
    }

    private static final String INSERT_BATCH =
            "INSERT INTO audit_batch (batch_id, first_millis, last_millis, record_count, lines) VALUES (?,?,?,?,?)";
    private static final String INSERT_BATCH_KEY =
            "INSERT INTO audit_batch_key (client_key_id, last_millis, first_millis, batch_id) VALUES (?,?,?,?)";
    private static final String UPSERT_KEY_USAGE =
            "INSERT INTO audit_key_usage (client_key_id, first_millis, last_millis, last_ip, last_api, requests) VALUES (?,?,?,?,?,?) "
                    + "ON CONFLICT (client_key_id) DO UPDATE SET "
                    + "first_millis = CASE WHEN excluded.first_millis < audit_key_usage.first_millis THEN excluded.first_millis "
                    + "ELSE audit_key_usage.first_millis END, "
                    + "last_ip = CASE WHEN excluded.last_millis >= audit_key_usage.last_millis THEN excluded.last_ip "
                    + "ELSE audit_key_usage.last_ip END, "
                    + "last_api = CASE WHEN excluded.last_millis >= audit_key_usage.last_millis THEN excluded.last_api "
                    + "ELSE audit_key_usage.last_api END, "
                    + "last_millis = CASE WHEN excluded.last_millis >= audit_key_usage.last_millis THEN excluded.last_millis "
                    + "ELSE audit_key_usage.last_millis END, "
                    + "requests = audit_key_usage.requests + excluded.requests";

    /** The batch statements kept prepared on a store of one connection, and that connection (writer thread only). */
    private PreparedStatement[] prepared;
    private Connection preparedOn;

    /**
     * A batch's three statements. On a store whose work always runs on one connection (SQLite) they are prepared once and
     * kept: preparing them again for every batch (the usage upsert above all) was a third of what the store cost per
     * request at 14,000 req/s. A pooled store (PostgreSQL) hands out different connections, and its driver keeps the
     * server-side statements itself: there they are prepared per batch and closed after it. Kept statements that fail are
     * dropped ({@link #insert}): the driver finalizes a statement on errors such as SQLITE_FULL.
     */
    private PreparedStatement[] statements(Connection c) throws SQLException {
        if (store.oneConnection() && c == preparedOn) {
            return prepared;
        }
        PreparedStatement[] ps = new PreparedStatement[3];
        try {
            ps[0] = c.prepareStatement(INSERT_BATCH);
            ps[1] = c.prepareStatement(INSERT_BATCH_KEY);
            ps[2] = c.prepareStatement(UPSERT_KEY_USAGE);
        } catch (SQLException | RuntimeException e) {
            closeAll(ps);
            throw e;
        }
        if (store.oneConnection()) {
            if (prepared != null) {
                closeAll(prepared);
            }
            prepared = ps;
            preparedOn = c;
        }
        return ps;
    }

    private static void closeAll(PreparedStatement[] ps) {
        for (PreparedStatement p : ps) {
            if (p != null) {
                try {
                    p.close();
                } catch (SQLException ignored) {
                    // closing what is no longer used
                }
            }
        }
    }

    /** The use of each of {@code clientKeyIds} that was ever audited (absent: never used). */
    Map<String, ClientKeyUsage> usage(java.util.Collection<String> clientKeyIds) {
        Map<String, ClientKeyUsage> out = new HashMap<>();
        if (clientKeyIds.isEmpty()) {
            return out;
        }
        List<String> ids = new ArrayList<>(clientKeyIds);
        store.read(c -> {
            for (int from = 0; from < ids.size(); from += 500) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
                try (PreparedStatement ps = c.prepareStatement("SELECT client_key_id, first_millis, last_millis, last_ip, last_api, requests "
                        + "FROM audit_key_usage WHERE client_key_id IN (" + "?,".repeat(chunk.size() - 1) + "?)")) {
                    for (int i = 0; i < chunk.size(); i++) {
                        ps.setString(i + 1, chunk.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.put(rs.getString(1), new ClientKeyUsage(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                                    rs.getLong(6)));
                        }
                    }
                }
            }
            return null;
        });
        return out;
    }

    /** Bytes of audit records the store holds (the batches' lines). */
    long bytes() {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(LENGTH(lines)), 0) FROM audit_batch");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** The time of the oldest record the store holds, or null when it holds none. */
    Long oldestMillis() {
        return store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MIN(first_millis) FROM audit_batch"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
            }
        });
    }

    /**
     * Deletes the oldest batches: every one whose last record is older than {@code cutoffMillis}, then as many more as it
     * takes to bring the stored bytes to {@code maxBytes} or below. Returns the bytes deleted. Client key usage stays.
     */
    long prune(long cutoffMillis, long maxBytes) {
        long total = bytes();
        List<Long> doomed = new ArrayList<>();
        long[] freed = {0};
        store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT batch_id, last_millis, LENGTH(lines) FROM audit_batch ORDER BY last_millis")) {
                ps.setFetchSize(256);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && (rs.getLong(2) < cutoffMillis || total - freed[0] > maxBytes)) {
                        doomed.add(rs.getLong(1));
                        freed[0] += rs.getLong(3);
                    }
                }
            }
            return null;
        });
        for (int from = 0; from < doomed.size(); from += 500) {
            List<Long> chunk = doomed.subList(from, Math.min(doomed.size(), from + 500));
            String in = "(" + "?,".repeat(chunk.size() - 1) + "?)";
            store.write(c -> {
                for (String table : new String[] {"audit_batch_key", "audit_batch"}) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE batch_id IN " + in)) {
                        for (int i = 0; i < chunk.size(); i++) {
                            ps.setLong(i + 1, chunk.get(i));
                        }
                        ps.executeUpdate();
                    }
                }
                return null;
            });
        }
        return freed[0];
    }

    /** Moves the per-record rows of an older store into batches (inside the caller's transaction). */
    private Void convertLegacy(Connection c) throws SQLException {
        int moved = 0;
        List<AuditRecord> batch = new ArrayList<>(LEGACY_BATCH);
        try (PreparedStatement ps = c.prepareStatement("SELECT time_millis, request_id, client_key_id, aap_name, client_ip, user_agent, "
                + "api_name, resource, result_code, latency_micros FROM audit_log ORDER BY time_millis")) {
            ps.setFetchSize(LEGACY_BATCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    batch.add(new AuditRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getLong(10)));
                    if (batch.size() == LEGACY_BATCH) {
                        insert(c, newBatchId(), batch, packed(batch));
                        moved += batch.size();
                        batch.clear();
                    }
                }
            }
        }
        if (!batch.isEmpty()) {
            insert(c, newBatchId(), batch, packed(batch));
            moved += batch.size();
        }
        if (moved > 0) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_log")) {
                ps.executeUpdate();
            }
            LOG.info("moved {} audit records of an older store into batches", moved);
        }
        return null;
    }

    /** The records as the store keeps them (legacy conversion). */
    private byte[] packed(List<AuditRecord> records) {
        byte[] lines = encode(records);
        return pack(lines, lines.length);
    }

    /** The records as JSON lines, as the audit file has them. */
    static byte[] encode(List<AuditRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(records.size() * 320);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeLines(g, records, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Streams records as JSON lines: one object per line, nothing between them. */
    static void writeLines(JsonGenerator g, List<AuditRecord> records, QuotedValues repeated) throws IOException {
        g.setRootValueSeparator(null);
        for (AuditRecord r : records) {
            r.writeJson(g, repeated);
            g.writeRaw('\n');
        }
    }

    /** A match with the order it was met in, so that records of the same millisecond sort the same way every time. */
    private record Found(AuditRecord record, long seq) {
    }

    /** Newest first: later time, then met earlier (newer batch, later line). */
    private static final Comparator<Found> NEWEST_FIRST =
            Comparator.comparingLong((Found f) -> f.record().timeMillis()).reversed().thenComparingLong(Found::seq);

    /** Audit records, newest first: by client key id, API name and time window [start, end) (any may be null). */
    List<AuditRecord> query(String clientKeyId, String apiName, Long startMillis, Long endMillis, int limit) {
        return query(clientKeyId, apiName, null, startMillis, endMillis, limit);
    }

    /** As {@link #query(String, String, Long, Long, int)}, of one plane ({@link AuditRecord#DATA}, {@link AuditRecord#ADMIN}) or both (null). */
    List<AuditRecord> query(String clientKeyId, String apiName, String plane, Long startMillis, Long endMillis, int limit) {
        if (limit <= 0) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder(clientKeyId != null
                ? "SELECT k.last_millis, b.lines FROM audit_batch_key k JOIN audit_batch b ON b.batch_id = k.batch_id WHERE k.client_key_id = ?"
                : "SELECT b.last_millis, b.lines FROM audit_batch b WHERE 1=1");
        String span = clientKeyId != null ? "k" : "b";
        List<Object> args = new ArrayList<>();
        if (clientKeyId != null) {
            args.add(clientKeyId);
        }
        if (startMillis != null) {
            sql.append(" AND ").append(span).append(".last_millis >= ?");
            args.add(startMillis);
        }
        if (endMillis != null) {
            sql.append(" AND ").append(span).append(".first_millis < ?");
            args.add(endMillis);
        }
        sql.append(" ORDER BY ").append(span).append(".last_millis DESC");
        // the heap's head is the match that would be dropped first: the oldest kept
        PriorityQueue<Found> kept = new PriorityQueue<>(NEWEST_FIRST.reversed());
        store.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                ps.setFetchSize(4);
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                long seq = 0;
                List<AuditRecord> batch = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (kept.size() == limit && rs.getLong(1) <= kept.peek().record().timeMillis()) {
                            break;
                        }
                        batch.clear();
                        decode(rs.getBytes(2), batch);
                        for (int i = batch.size() - 1; i >= 0; i--) {
                            AuditRecord r = batch.get(i);
                            if (matches(r, clientKeyId, apiName, startMillis, endMillis) && (plane == null || plane.equals(r.plane()))) {
                                Found f = new Found(r, seq++);
                                if (kept.size() < limit) {
                                    kept.add(f);
                                } else if (NEWEST_FIRST.compare(f, kept.peek()) < 0) {
                                    kept.poll();
                                    kept.add(f);
                                }
                            }
                        }
                    }
                }
            }
            return null;
        });
        List<Found> out = new ArrayList<>(kept);
        out.sort(NEWEST_FIRST);
        return out.stream().map(Found::record).toList();
    }

    private static boolean matches(AuditRecord r, String clientKeyId, String apiName, Long startMillis, Long endMillis) {
        return (clientKeyId == null || clientKeyId.equals(r.clientKeyId()))
                && (apiName == null || apiName.equals(r.apiName()))
                && (startMillis == null || r.timeMillis() >= startMillis)
                && (endMillis == null || r.timeMillis() < endMillis);
    }

    private static void decode(byte[] stored, List<AuditRecord> into) {
        try (JsonParser p = JSON.createParser(unpack(stored))) {
            AuditRecord r;
            while ((r = AuditRecord.readJson(p)) != null) {
                into.add(r);
            }
        } catch (IOException e) {
            throw new StoreException("an audit batch in the store is not valid JSON lines: " + e.getMessage(), e, false);
        }
    }
}
