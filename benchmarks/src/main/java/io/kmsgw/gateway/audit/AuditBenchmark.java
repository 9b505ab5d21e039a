package io.kmsgw.gateway.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.kmsgw.bench.Fixtures;
import io.kmsgw.crypto.store.SqliteStore;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The audit writer's per-record costs, on a batch of 300 records like one the writer makes under load:
 * the JSON lines with and without the quoted-value cache, and storing the batch as one row in the
 * embedded SQLite store (WAL, synchronous=FULL: each batch is a durable commit), and the compression that store copy pays
 * (zstd, against the zlib of earlier versions). Figures
 * are per record.
 * In the package of the classes it measures, which are not public API.
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar AuditBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuditBenchmark {
    static final int BATCH = 300;
    private static final String KEY_ID = "KAAP.3f9cd7a2-6a1d-4b52-9a6c-0c8b8b8b8b8b";

    private final JsonFactory json = new JsonFactory();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(BATCH * 400);
    private final QuotedValues repeated = new QuotedValues();
    private List<AuditRecord> batch;
    private byte[] lines;
    private Path dir;
    private SqliteStore store;
    private AuditStore table;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        batch = new ArrayList<>();
        long t = System.currentTimeMillis();
        for (int i = 0; i < BATCH; i++) {
            // as in the gateway: the key's id and AAP name are shared instances, what the request brought is fresh each time
            batch.add(new AuditRecord(t + i / 30, UUID.randomUUID().toString(), KEY_ID, "quickstart", "127.0.0.1",
                    new String("AlibabaCloud (Linux; amd64) Java/17.0.15 tea/1.1.14 dkms-gcs-sdk/0.5.4"), new String("Encrypt"),
                    new String("key-6e1f2c3b-1234-4bcd-9876-0123456789ab"), "OK", 180 + i % 50));
        }
        lines = AuditStore.encode(batch);
        dir = Files.createTempDirectory("kmsgw-audit-bench");
        store = new SqliteStore(dir.resolve("store.db"));
        table = new AuditStore(store);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        table.close();
        store.close();
        Fixtures.deleteTree(dir);
    }

    private int write(QuotedValues values) throws Exception {
        out.reset();
        try (JsonGenerator g = json.createGenerator(out)) {
            AuditStore.writeLines(g, batch, values);
        }
        return out.size();
    }

    /** Baseline: every value escaped again for every record. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int jsonLinesEveryValueEscaped() throws Exception {
        return write(null);
    }

    /** The writer's path: recurring values copied as quoted once. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int jsonLinesRecurringValuesCached() throws Exception {
        return write(repeated);
    }

    /** One durable transaction: the batch's row (deflated), its client key's index row and usage summary. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int storeBatchOfLines() {
        return table.storeBatch(AuditStore.newBatchId(), batch, lines, lines.length);
    }

    /** The store copy's compression alone: zstd level 1, what the writer pays to keep about a fifteenth of the bytes. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int packBatch() {
        return table.pack(lines, lines.length).length;
    }

    /** The zlib fastest level that versions before zstd paid (and the fallback where zstd's native code cannot load). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int deflateBatch() {
        return AuditStore.deflate(lines, lines.length).length;
    }
}
