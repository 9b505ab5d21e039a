package io.kmsgw.gateway.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.backend.HsmBackend;
import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.crypto.service.Engine;
import io.kmsgw.crypto.service.MasterKeyGuard;
import io.kmsgw.crypto.store.SharedBlobs;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.admin.AdminActions;
import io.kmsgw.gateway.admin.AdminHandler;
import io.kmsgw.gateway.admin.AdminInitializer;
import io.kmsgw.gateway.admin.AdminTokens;
import io.kmsgw.gateway.metrics.Handshakes;
import io.kmsgw.gateway.admin.ConsoleAssets;
import io.kmsgw.gateway.audit.AuditLog;
import io.kmsgw.gateway.metrics.History;
import io.kmsgw.gateway.auth.Authenticator;
import io.kmsgw.gateway.auth.AccessKeyAuthenticator;
import io.kmsgw.gateway.auth.AccessKeyRegistry;
import io.kmsgw.gateway.auth.ClientKeyRegistry;
import io.kmsgw.gateway.auth.NonceWindow;
import io.kmsgw.gateway.authz.AccessKeyService;
import io.kmsgw.gateway.authz.SharedNonces;
import io.kmsgw.gateway.auth.SignatureVerifier;
import io.kmsgw.gateway.authz.AccessControl;
import io.kmsgw.gateway.authz.AccessRepository;
import io.kmsgw.gateway.authz.AccessService;
import io.kmsgw.gateway.authz.Authorizer;
import io.kmsgw.gateway.net.IpBlock;
import io.kmsgw.gateway.authz.ClientKeyExpiryMonitor;
import io.kmsgw.gateway.bootstrap.Bootstrap;
import io.kmsgw.gateway.bootstrap.InstanceMeta;
import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.dispatch.ApiOperations;
import io.kmsgw.gateway.dispatch.BodyDecoder;
import io.kmsgw.gateway.dispatch.Dispatcher;
import io.kmsgw.gateway.metrics.GatewayMeters;
import io.kmsgw.gateway.metrics.RequestMetrics;
import io.kmsgw.gateway.pipeline.ConnectionLimiter;
import io.kmsgw.gateway.pipeline.DataPlaneInitializer;
import io.kmsgw.gateway.pipeline.Limiter;
import io.kmsgw.gateway.tls.TlsContexts;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running kmsgw, assembled: store, HSM backend, engine, access model, audit, jobs and both TLS
 * listeners. Everything it opens goes on one {@link Closer}, so a failed start and a stop close the
 * same things in reverse order. {@link #start} returns when both listeners accept connections;
 * {@link #close} stops accepting, lets in-flight requests finish (bounded), then closes the rest.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    private final Closer closer = new Closer();
    private final Settings settings;
    private final Instant started;
    private final GatewayMeters meters = new GatewayMeters();
    private final String instanceId;
    private final String tlsEngine;
    private final boolean sharedStore;
    private final AuditLog audit;
    private final DiskSpace disk;
    /** What the start checked before serving, for DescribeInstance. */
    private final java.util.Map<String, String> startChecks = new java.util.LinkedHashMap<>();
    private final Path caFile;
    private final Path instanceJson;
    private final Readiness readiness;
    private final DataPlaneInitializer dataPlane;
    private final InetSocketAddress dataAddress;
    private final InetSocketAddress adminAddress;
    private HsmBackend hsmBackend;
    private final KmsEngine engine;

    /**
     * @param loopsOf null for a gateway; for the warm-up's throwaway instance, the real gateway's listeners, whose event loops
     *                it borrows
     */
    private GatewayServer(Settings s, Clock clock, java.util.function.BooleanSupplier stopRequested, Runnable beforeListening,
                          Listeners loopsOf) throws Exception {
        boolean throwaway = loopsOf != null;
        this.settings = s;
        this.started = clock.instant();
        Path dir = s.dataDir().toAbsolutePath();
        io.kmsgw.gateway.bootstrap.FileModes.prepareDataDir(dir);
        CompletableFuture<HsmBackend> hsm = null;
        boolean hsmOwned = false;
        try {
            Store st = closer.add(StartSteps.openStore(s, dir));
            sharedStore = st.shared();
            startChecks.put("Store", sharedStore ? "shared PostgreSQL store opened" : "quick_check ok; takes a write");
            InstanceMeta meta = new InstanceMeta(st);
            SharedBlobs blobs = st.shared() ? new SharedBlobs(st) : null;
            int workerCount = s.engineWorkers() > 0 ? s.engineWorkers() : Math.max(2, Runtime.getRuntime().availableProcessors());
            // The HSM login is the longest step of a start: it runs on its own thread while this one prepares
            // the instance identity, the TLS context and the access model.
            hsm = StartSteps.openHsm(s, dir, st, blobs, workerCount + ioThreads(s) + 8);
            StartSteps.Identity id = StartSteps.identify(st, dir, s, meta, blobs, hsm);
            instanceId = id.instanceId();
            tlsEngine = TlsContexts.effectiveEngine(s.tlsEngine());
            CompletableFuture<SslContext> tls = StartSteps.onOwnThread("kmsgw-tls-setup", () -> {
                try {
                    return TlsContexts.server(id.pki(), tlsEngine); // loads BoringSSL: worth its own thread too
                } catch (Exception e) {
                    throw new IllegalStateException("TLS setup failed: " + e.getMessage(), e);
                }
            });
            AccessRepository access = new AccessRepository(st);
            AccessControl accessControl = new AccessControl();
            SignatureVerifier verifier = new SignatureVerifier(s.conscrypt());
            ClientKeyRegistry clientKeys = new ClientKeyRegistry();
            HsmBackend backend = closer.add(StartSteps.await(hsm));
            this.hsmBackend = backend;
            hsmOwned = true;
            startChecks.put("MasterKey", "check value " + MasterKeyGuard.verify(st, backend, dir.resolve("hsm").toString())
                    + " is the store's" + (sharedStore ? "; unseal secret proved" : ""));
            KmsEngine engine = closer.add(new Engine(st, backend, new KmsEngine.Settings(workerCount, s.engineQueueCapacity(), 4096), clock));
            this.engine = engine;
            Bootstrap.QuickStart qs = st.exclusive("bootstrap", () -> {
                try {
                    return Bootstrap.quickStart(dir, instanceId, meta, engine, access, new ClientKeyIssuer());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            AccessService accessService = new AccessService(access, accessControl, clientKeys, verifier, new ClientKeyIssuer(), instanceId,
                    clock);
            AccessKeyRegistry accessKeys = new AccessKeyRegistry();
            AccessKeyService accessKeyService = new AccessKeyService(access, accessService, accessKeys, engine.sealing(), clock);
            // gateways sharing a store share the OpenAPI's replay window; one alone keeps it in memory only
            SharedNonces sharedNonces = st.shared() ? closer.add(new SharedNonces(st)) : null;
            Settings.Audit a = s.audit();
            AuditLog audit = closer.add(new AuditLog(dir.resolve("audit"), st, new AuditLog.Options(a.maxBytes(),
                    a.retentionDays() == 0 ? null : java.time.Duration.ofDays(a.retentionDays()), a.sinks().contains("file"),
                    a.sinks().contains("stdout"), a.syslogAddress(), 64L * 1024 * 1024, 65_536), clock));
            this.audit = audit;
            disk = closer.add(new DiskSpace(dir));
            meters.bindDisk(disk::freeBytes, disk::totalBytes);
            closer.add(meters.bind(engine.crypto(), audit, window -> clientKeys.expiringWithin(clock.instant(), window)));
            accessControl.bindMetrics(meters.registry());

            AdminTokens adminTokens = new AdminTokens(st, instanceId, clock);
            adminTokens.bootstrap(id.adminToken());
            ChangeFollower follower = null;
            if (st.shared()) { // another gateway's changes reach this one's views
                follower = closer.add(new ChangeFollower(engine, accessService, adminTokens::reload));
                closer.add(st.subscribe(follower::changed));
            }
            BackgroundJobs jobs = closer.add(new BackgroundJobs(st));
            if (follower != null) {
                jobs.resync(follower, s.storeResync());
            }
            jobs.expiryCheck(new ClientKeyExpiryMonitor(accessService, clock, meta::get, meta::put));
            jobs.maintenance(engine.maintenance());
            History history = new History(meters.registry(), audit::bytesOnDisk, clock);
            jobs.history(history);
            readiness = closer.add(new Readiness(st, backend, audit));

            ApiOperations ops = new ApiOperations(engine);
            ConnectionLimiter dataConnections = new ConnectionLimiter(s.maxConnections(), s.maxConnectionsPerIp());
            ConnectionLimiter adminConnections = new ConnectionLimiter(s.admin().maxConnections(), s.admin().maxConnectionsPerIp());
            meters.bindConnections("data", dataConnections, ConnectionLimiter::open, ConnectionLimiter::refusedCount);
            meters.bindConnections("admin", adminConnections, ConnectionLimiter::open, ConnectionLimiter::refusedCount);
            DataPlaneInitializer.Stages stages = new DataPlaneInitializer.Stages(
                    new Authenticator(clientKeys, verifier, clock, s.maxClockSkew(), new AccessKeyAuthenticator(accessKeys,
                            new NonceWindow(s.maxClockSkew().toMillis(), s.openApiMaxNonces()), sharedNonces, clock,
                            s.maxClockSkew().toMillis())),
                    new BodyDecoder(ops),
                    new Authorizer(accessControl, ops, Authorizer.KeyDirectory.of(engine)),
                    new Limiter(s.instanceQps(), s.aapQps(), System::nanoTime, meters.registry()),
                    new Dispatcher(ops, audit),
                    audit,
                    s.trustedProxies().stream().map(IpBlock::parse).toList(),
                    dataConnections,
                    s.requestDeadline(),
                    s.handshakeTimeout(),
                    new RequestMetrics(meters.registry()));
            ExecutorService adminPool = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
                Thread t = new Thread(r, "kmsgw-admin");
                t.setDaemon(true);
                return t;
            });
            closer.add(() -> {
                adminPool.shutdown();
                if (!adminPool.awaitTermination(5, TimeUnit.SECONDS)) {
                    adminPool.shutdownNow();
                }
            });
            Path auditDir = dir.resolve("audit");
            AdminHandler adminHandler = new AdminHandler(adminTokens, new AdminActions(engine, accessService, accessKeyService, adminTokens, audit, clock,
                    this::describeInstance, () -> verifyInstance(st, backend, auditDir), () -> history(history)), adminPool, this::readyNow,
                    meters.registry()::scrape, ConsoleAssets.load(), audit);

            SslContext ssl = StartSteps.await(tls);
            dataPlane = new DataPlaneInitializer(ssl, s.maxBodyBytes(), s.idleTimeout(), stages);
            // everything is open and checked (a start that fails, fails before this, a taken port too); compile the hot path
            // before anyone waits
            if (!s.warmup().isZero()) {
                StartSteps.ensureCanListen(s.bind(), s.port(), s.adminPort());
            }
            Listeners listeners = closer.add(throwaway ? loopsOf.borrow() : new Listeners(ioThreads(s)));
            WarmUp.Result warmUp = throwaway ? WarmUp.Result.SKIPPED : WarmUp.run(s, s.warmup(), stopRequested, listeners);
            startChecks.put("WarmUp", warmUp.summary());
            beforeListening.run();
            closer.add(new io.kmsgw.gateway.metrics.EventLoopDelay(listeners.workers(), meters.registry()));
            dataAddress = listeners.bind(new InetSocketAddress(s.bind(), s.port()), dataPlane);
            adminAddress = listeners.bind(new InetSocketAddress(s.bind(), s.adminPort()),
                    new AdminInitializer(ssl, s.admin(), adminConnections, Handshakes.of(meters.registry(), "admin"), adminHandler));
            caFile = id.pki().caFile();
            String host = Bootstrap.advertisedHost(s.bind());
            instanceJson = Bootstrap.writeInstanceJson(dir, instanceId, Bootstrap.endpoint(host, dataAddress.getPort()),
                    Bootstrap.endpoint(host, adminAddress.getPort()), host.equals(s.bind()) ? null : s.bind(), caFile, qs);
            LOG.info("{} {} listening: data {} admin {} (tls {}, verify {}, hsm {}, io {})", throwaway ? "warm-up instance" : "kmsgw",
                    instanceId, dataAddress, adminAddress, tlsEngine, verifier.providerName(), backend.name(), listeners.transport());
            io.kmsgw.gateway.bootstrap.FileModes.tighten(dir); // the store, its WAL and what the start made: the owner's only
            readiness.start();
        } catch (Exception | Error e) {
            if (hsm != null && !hsmOwned) {
                hsm.thenAccept(HsmBackend::close); // opened (now or later) but not yet on the closer
            }
            closer.close();
            throw e;
        }
    }

    /**
     * Event loops: configured, or two per core, as Netty's own default and the floor server. They also run light crypto
     * inline. One per core looked cheaper, but on a host whose cores other threads share (the clients, the audit writer, GC),
     * a loop the scheduler preempts holds every connection it serves for a time slice: with two per core each holds half as
     * many. On the 2-core benchmark host the open-loop p99 at half load was lower in 9 of 13 paired runs (benchmarks/RESULTS.md,
     * issue 27).
     */
    private static int ioThreads(Settings s) {
        return s.ioThreads() > 0 ? s.ioThreads() : 2 * Runtime.getRuntime().availableProcessors();
    }

    /** Starts kmsgw on {@code settings}; returns once both listeners accept connections. */
    public static GatewayServer start(Settings settings, Clock clock) throws Exception {
        return new GatewayServer(settings, clock, () -> false, () -> { }, null);
    }

    /**
     * As {@link #start(Settings, Clock)}; a warm-up still running ends early once {@code stopRequested} says so, and
     * {@code beforeListening} runs after the warm-up, just before the listeners open (serve collects the start's garbage there,
     * so that the collection does not pause the first requests).
     */
    public static GatewayServer start(Settings settings, Clock clock, java.util.function.BooleanSupplier stopRequested,
                                      Runnable beforeListening) throws Exception {
        return new GatewayServer(settings, clock, stopRequested, beforeListening, null);
    }

    /**
     * The warm-up's throwaway instance: as any other, but on the event loops of the gateway being started ({@code loopsOf}),
     * and its log line says what it is.
     */
    static GatewayServer startThrowaway(Settings settings, Listeners loopsOf) throws Exception {
        return new GatewayServer(settings, Clock.systemUTC(), () -> false, () -> { }, loopsOf);
    }

    /** The engine: for the warm-up, which makes its keys on a throwaway instance. */
    KmsEngine engine() {
        return engine;
    }

    private boolean readyNow() {
        return readiness.ready();
    }

    public String instanceId() {
        return instanceId;
    }

    public int port() {
        return dataAddress.getPort();
    }

    public int adminPort() {
        return adminAddress.getPort();
    }

    public Path instanceJson() {
        return instanceJson;
    }

    /** The data-plane pipeline, for in-process use ({@link DataPlaneInitializer#initInProcess}). */
    public DataPlaneInitializer dataPlane() {
        return dataPlane;
    }

    public MeterRegistry meters() {
        return meters.registry();
    }

    public String tlsEngine() {
        return tlsEngine;
    }

    /** {@code DescribeInstance}: what the console's Instance page shows. Runs on the admin executor. */
    /** {@code DescribeInstanceHistory}: the last hour, oldest first. */
    private ObjectNode history(History history) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("IntervalSeconds", History.INTERVAL_SECONDS);
        n.put("AuditMaxBytes", audit.maxBytes());
        var samples = n.putArray("Samples");
        for (History.Sample x : history.samples()) {
            samples.addObject().put("Time", Instant.ofEpochMilli(x.timeMillis()).toString())
                    .put("RequestsPerSecond", Math.round(x.requestsPerSecond() * 10) / 10.0)
                    .put("ErrorsPerSecond", Math.round(x.errorsPerSecond() * 10) / 10.0)
                    .put("P99Millis", Math.round(x.p99Millis() * 100) / 100.0)
                    .put("AuditBytes", x.auditBytes());
        }
        return n;
    }

    private ObjectNode describeInstance() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("InstanceId", instanceId);
        n.put("Endpoint", Bootstrap.endpoint(Bootstrap.advertisedHost(settings.bind()), port()));
        n.put("AdminEndpoint", Bootstrap.endpoint(Bootstrap.advertisedHost(settings.bind()), adminPort()));
        n.put("BindAddress", settings.bind());
        n.put("CaFileName", caFile.getFileName().toString());
        try {
            n.put("CaCertificate", Files.readString(caFile, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the instance CA bundle", e);
        }
        n.put("Ready", readyNow());
        n.put("SharedStore", sharedStore);
        n.put("TlsEngine", tlsEngine);
        n.put("StartTime", started.toString());
        startChecks.forEach(n.putObject("StartChecks")::put);
        ObjectNode h = n.putObject("Hsm");
        h.put("Backend", hsmBackend.name());
        hsmBackend.keySpecs().forEach(h.putArray("KeySpecs")::add);
        hsmBackend.mechanismNames().forEach(h.putArray("Mechanisms")::add);
        ObjectNode storage = n.putObject("Storage");
        storage.put("DataDirFreeBytes", disk.freeBytes());
        storage.put("DataDirTotalBytes", disk.totalBytes());
        storage.put("AuditBytes", audit.bytesOnDisk());
        storage.put("AuditMaxBytes", audit.maxBytes());
        storage.put("AuditRetentionDays", settings.audit().retentionDays());
        Long oldest = audit.oldestMillis();
        storage.put("AuditOldestRecord", oldest == null ? null : Instant.ofEpochMilli(oldest).toString());
        storage.put("AuditSinks", String.join(",", settings.audit().sinks()));
        n.put("RequestsTotal", meters.requestsTotal());
        return n;
    }

    /** {@code VerifyInstance}: {@link DataDirVerifier} over this gateway's own store, HSM and audit files. Runs on the admin executor. */
    private static ObjectNode verifyInstance(Store st, HsmBackend backend, Path auditDir) {
        DataDirVerifier.Result r;
        try {
            r = DataDirVerifier.verifyRunning(st, backend, auditDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit files", e);
        }
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("Ok", r.ok());
        n.put("Summary", r.summary());
        com.fasterxml.jackson.databind.node.ArrayNode problems = n.putArray("Problems");
        r.problems().forEach(problems::add);
        return n;
    }

    /** The one line {@code serve} prints when ready. */
    public String readyLine() {
        String host = Bootstrap.advertisedHost(settings.bind());
        return "kmsgw ready: endpoint=" + Bootstrap.endpoint(host, port()) + " admin="
                + Bootstrap.endpoint(host, adminPort()) + " instance=" + instanceId + " data="
                + settings.dataDir().toAbsolutePath().normalize();
    }

    @Override
    public void close() {
        readiness.draining();
        closer.close();
    }
}
