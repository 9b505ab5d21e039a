package io.kmsgw.gateway.server;

import io.kmsgw.crypto.service.Engine;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.Maintenance;
import io.kmsgw.crypto.backend.SimHsmBackend;
import io.kmsgw.crypto.clientkey.ClientKeyIssuer;
import io.kmsgw.crypto.backend.SharedMaster;
import io.kmsgw.crypto.store.PostgresStore;
import io.kmsgw.crypto.store.SharedBlobs;
import io.kmsgw.crypto.store.SqliteStore;
import io.kmsgw.crypto.store.Store;
import io.kmsgw.gateway.admin.AdminActions;
import io.kmsgw.gateway.admin.AdminHandler;
import io.kmsgw.gateway.admin.AdminInitializer;
import io.kmsgw.gateway.admin.ConsoleAssets;
import io.kmsgw.gateway.auth.Authenticator;
import io.kmsgw.gateway.auth.ClientKeyRegistry;
import io.kmsgw.gateway.auth.SignatureVerifier;
import io.kmsgw.gateway.audit.AuditLog;
import io.kmsgw.gateway.authz.AccessControl;
import io.kmsgw.gateway.authz.AccessService;
import io.kmsgw.gateway.authz.Cidr;
import io.kmsgw.gateway.authz.ClientKeyExpiryMonitor;
import io.kmsgw.gateway.authz.AccessRepository;
import io.kmsgw.gateway.authz.Authorizer;
import io.kmsgw.gateway.bootstrap.Bootstrap;
import io.kmsgw.gateway.bootstrap.InstanceMeta;
import io.kmsgw.gateway.bootstrap.SharedFiles;
import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.dispatch.ApiOperations;
import io.kmsgw.gateway.dispatch.BodyDecoder;
import io.kmsgw.gateway.dispatch.Dispatcher;
import io.kmsgw.gateway.pipeline.ConnectionLimiter;
import io.kmsgw.gateway.pipeline.DataPlaneInitializer;
import io.kmsgw.gateway.pipeline.Limiter;
import io.kmsgw.gateway.tls.InstancePki;
import io.kmsgw.gateway.tls.TlsContexts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.kmsgw.gateway.pipeline.RequestMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running kmsgw: store, HSM backend, engine, access model, both TLS listeners. {@link #start}
 * returns when both listeners accept connections; {@link #close} stops accepting, lets in-flight
 * requests finish (bounded), then closes the engine, HSM and store.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    private final Settings settings;
    private final Store store;
    private final SimHsmBackend backend;
    private final KmsEngine engine;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService adminExecutor;
    private final AuditLog audit;
    private final ScheduledExecutorService scheduler;
    private final List<Channel> listeners = new ArrayList<>();
    private final String instanceId;
    private final Path instanceJson;
    private final Path caFile;
    private final java.time.Instant started;
    private final InetSocketAddress dataAddress;
    private final InetSocketAddress adminAddress;
    private final String tlsEngine;
    private final DataPlaneInitializer dataPlane;
    /** The gateway's meters, scraped at the admin plane's {@code GET /metrics}. Tags are bounded: never key ids, client key ids or IPs. */
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile boolean ready;
    private volatile boolean dependenciesHealthy;
    private final ScheduledExecutorService prober;
    /** In a shared instance: the change follower and the store subscription feeding it. */
    private final List<AutoCloseable> followers = new ArrayList<>();

    private GatewayServer(Settings s, Clock clock) throws Exception {
        this.settings = s;
        this.started = clock.instant();
        Path dir = s.dataDir().toAbsolutePath();
        Files.createDirectories(dir);
        Store st = null;
        CompletableFuture<SimHsmBackend> hsm = null;
        SimHsmBackend be = null;
        KmsEngine en = null;
        AuditLog au = null;
        ScheduledExecutorService sched = null;
        EventLoopGroup bossGroup = null;
        EventLoopGroup workerGroup = null;
        ExecutorService adminPool = null;
        try {
            st = openStore(s, dir);
            InstanceMeta meta = new InstanceMeta(st);
            SharedBlobs blobs = st.shared() ? new SharedBlobs(st) : null;
            int workerCount = s.engineWorkers() > 0 ? s.engineWorkers() : Math.max(2, Runtime.getRuntime().availableProcessors());
            // The HSM login (PBKDF2 over the PIN) is the longest step of a start: it runs on its own thread
            // while this one prepares the instance identity, the TLS context and the access model.
            hsm = openHsm(s, dir, blobs, workerCount + ioThreads(s) + 8);
            Identity id = identify(st, dir, s, meta, blobs, hsm);
            instanceId = id.instanceId();
            String adminToken = id.adminToken();
            tlsEngine = TlsContexts.effectiveEngine(s.tlsEngine());
            String engineName = tlsEngine;
            CompletableFuture<SslContext> tls = CompletableFuture.supplyAsync(() -> {
                try {
                    return TlsContexts.server(id.pki(), engineName); // loads BoringSSL: worth its own thread too
                } catch (Exception e) {
                    throw new IllegalStateException("TLS setup failed: " + e.getMessage(), e);
                }
            }, r -> {
                Thread t = new Thread(r, "kmsgw-tls-setup");
                t.setDaemon(true);
                t.start();
            });
            AccessRepository access = new AccessRepository(st);
            AccessControl accessControl = new AccessControl();
            SignatureVerifier verifier = new SignatureVerifier(s.conscrypt());
            ClientKeyRegistry clientKeys = new ClientKeyRegistry();
            be = await(hsm);
            en = new Engine(st, be, new KmsEngine.Settings(workerCount, s.engineQueueCapacity(), 4096), clock);
            KmsEngine created = en;
            Bootstrap.QuickStart qs = st.exclusive("bootstrap", () -> {
                try {
                    return Bootstrap.quickStart(dir, instanceId, meta, created, access, new ClientKeyIssuer());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            AccessService accessService = new AccessService(access, accessControl, clientKeys, verifier, new ClientKeyIssuer(), instanceId,
                    clock);
            au = new AuditLog(dir.resolve("audit"), st, 64L * 1024 * 1024, 65_536);
            ClientKeyExpiryMonitor expiry = new ClientKeyExpiryMonitor(accessService, clock, meta::get, meta::put);
            sched = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kmsgw-expiry");
                t.setDaemon(true);
                return t;
            });
            Store jobs = st;
            sched.scheduleWithFixedDelay(() -> {
                try {
                    jobs.tryExclusive("client-key-expiry", expiry::check);
                } catch (RuntimeException e) {
                    LOG.warn("client key expiry check failed: {}", e.toString());
                }
            }, 0, 1, TimeUnit.HOURS);
            KmsEngine maintained = en;
            sched.scheduleWithFixedDelay(() -> {
                try {
                    jobs.tryExclusive("key-maintenance", () -> {
                        if (jobs.shared()) {
                            // act on what the store holds now, not on a view a notification may not have reached yet
                            maintained.maintenance().refreshKeys();
                            maintained.maintenance().refreshSecrets();
                        }
                        Maintenance.Report done = maintained.maintenance().runMaintenance();
                        if (done.changedAnything()) {
                            LOG.info("key maintenance: {} keys destroyed after their deletion window, {} rotated, {} secrets purged",
                                    done.destroyed(), done.rotated(), done.secretsPurged());
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.warn("key maintenance failed: {}", e.toString());
                }
            }, 0, 1, TimeUnit.MINUTES);


            ApiOperations ops = new ApiOperations(en);
            KmsEngine engineRef = en;
            DataPlaneInitializer.Stages stages = new DataPlaneInitializer.Stages(
                    new Authenticator(clientKeys, verifier, clock, s.maxClockSkew()),
                    new BodyDecoder(ops),
                    new Authorizer(accessControl, ops, Authorizer.KeyDirectory.of(engineRef)),
                    new Limiter(s.instanceQps(), s.aapQps(), System::nanoTime, meters),
                    new Dispatcher(ops, au),
                    au,
                    s.trustedProxies().stream().map(Cidr::parse).toList(),
                    new ConnectionLimiter(s.maxConnections(), s.maxConnectionsPerIp()),
                    s.requestDeadline(),
                    s.handshakeTimeout(),
                    new RequestMetrics(meters));
            bindMeters(en, au, accessControl, clientKeys, clock);
            if (st.shared()) {
                ChangeFollower follower = new ChangeFollower(en, accessService);
                followers.add(follower);
                followers.add(st.subscribe(follower::changed));
                long every = s.storeResync().toMillis();
                sched.scheduleWithFixedDelay(() -> follower.changed(Store.RESYNC), every, every, TimeUnit.MILLISECONDS);
            }

            boolean epoll = Epoll.isAvailable();
            IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
            Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
            bossGroup = new MultiThreadIoEventLoopGroup(1, io);
            workerGroup = new MultiThreadIoEventLoopGroup(ioThreads(s), io); // 0 would be Netty's default, twice the cores
            boss = bossGroup;
            workers = workerGroup;
            adminPool = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
                Thread t = new Thread(r, "kmsgw-admin");
                t.setDaemon(true);
                return t;
            });
            adminExecutor = adminPool;
            AdminHandler adminHandler = new AdminHandler(adminToken, new AdminActions(en, accessService, au, clock,
                    this::describeInstance), adminPool, this::readyNow, meters::scrape, ConsoleAssets.load());

            SslContext ssl = await(tls);
            dataPlane = new DataPlaneInitializer(ssl, s.maxBodyBytes(), s.idleTimeout(), stages);
            dataAddress = bind(channelType, new InetSocketAddress(s.bind(), s.port()), dataPlane);
            adminAddress = bind(channelType, new InetSocketAddress(s.bind(), s.adminPort()),
                    new AdminInitializer(ssl, s.handshakeTimeout(), adminHandler));
            caFile = id.pki().caFile();
            String host = Bootstrap.advertisedHost(s.bind());
            instanceJson = Bootstrap.writeInstanceJson(dir, instanceId, Bootstrap.endpoint(host, dataAddress.getPort()),
                    Bootstrap.endpoint(host, adminAddress.getPort()), host.equals(s.bind()) ? null : s.bind(), id.pki().caFile(), qs);
            LOG.info("kmsgw {} listening: data {} admin {} (tls {}, verify {}, hsm {}, io {})", instanceId, dataAddress, adminAddress,
                    tlsEngine, verifier.providerName(), be.name(), epoll ? "epoll" : "nio");
        } catch (Exception | Error e) {
            for (Channel c : listeners) {
                c.close();
            }
            closeFollowers();
            if (be == null && hsm != null) {
                hsm.thenAccept(SimHsmBackend::close); // opened after all, or failed: nothing to close
            }
            if (workerGroup != null) {
                workerGroup.shutdownGracefully(0, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
                bossGroup.shutdownGracefully(0, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
            }
            if (adminPool != null) {
                adminPool.shutdownNow();
            }
            if (sched != null) {
                sched.shutdownNow();
            }
            if (au != null) {
                au.close();
            }
            if (en != null) {
                en.close();
            }
            if (be != null) {
                be.close();
            }
            if (st != null) {
                st.close();
            }
            throw e;
        }
        this.store = st;
        this.backend = be;
        this.engine = en;
        this.audit = au;
        this.scheduler = sched;
        this.dependenciesHealthy = probe(st, be);
        Store probedStore = st;
        SimHsmBackend probedHsm = be;
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kmsgw-probe");
            t.setDaemon(true);
            return t;
        });
        prober.scheduleWithFixedDelay(() -> {
            boolean healthy = probe(probedStore, probedHsm);
            if (healthy != dependenciesHealthy) {
                LOG.warn("readiness: the store and HSM are {}", healthy ? "reachable again" : "not reachable; /readyz answers 503");
            }
            dependenciesHealthy = healthy;
        }, 1, 1, TimeUnit.SECONDS);
        this.ready = true;
    }

    private static Store openStore(Settings s, Path dir) throws IOException {
        if (!s.sharedStore()) {
            return new SqliteStore(dir.resolve("kmsgw.db"));
        }
        String password = s.storePasswordFile() == null ? null : Files.readString(s.storePasswordFile(), StandardCharsets.UTF_8).trim();
        return new PostgresStore(s.storeUrl(), s.storeUser(), password, s.storePoolSize());
    }

    /** Opens (and logs in to) the HSM on a thread of its own; the secrets are cleared once it is open. */
    private static CompletableFuture<SimHsmBackend> openHsm(Settings s, Path dir, SharedBlobs blobs, int sessions) throws IOException {
        char[] secret = Bootstrap.hsmSecret(s.effectiveHsmSecretFile(), Files.exists(dir.resolve("hsm/slot-0/token.bin")));
        char[] unseal;
        try {
            unseal = blobs == null ? null : Bootstrap.unsealSecret(s.unsealSecretFile());
        } catch (IOException e) {
            java.util.Arrays.fill(secret, '\0');
            throw e;
        }
        CompletableFuture<SimHsmBackend> opened = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                opened.complete(new SimHsmBackend(dir.resolve("hsm"), secret, s.hsmPbkdf2Iterations(), sessions,
                        unseal == null ? null : new SharedMaster(unseal, blobs.masterKeyVault())));
            } catch (Throwable e) {
                opened.completeExceptionally(e);
            } finally {
                java.util.Arrays.fill(secret, '\0');
                if (unseal != null) {
                    java.util.Arrays.fill(unseal, '\0');
                }
            }
        }, "kmsgw-hsm-open");
        t.setDaemon(true);
        t.start();
        return opened;
    }

    /** Waits for a start step run on another thread, rethrowing its failure as it was thrown. */
    private static <T> T await(CompletableFuture<T> step) {
        try {
            return step.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** The instance's identity: id, admin token and TLS material. */
    private record Identity(String instanceId, String adminToken, InstancePki.Material pki) {
    }

    /**
     * Settles the identity under the store's bootstrap lock, so gateways starting together on an empty
     * shared store agree on one instance: the first creates it, the others take its shared files
     * ({@link SharedFiles}, which needs the HSM; an embedded store does not wait for it).
     */
    private static Identity identify(Store st, Path dir, Settings s, InstanceMeta meta, SharedBlobs blobs,
                                     CompletableFuture<SimHsmBackend> hsm) {
        return st.exclusive("bootstrap", () -> {
            try {
                String id = Bootstrap.instanceId(meta);
                SharedFiles shared = blobs == null ? null : new SharedFiles(blobs, await(hsm), dir, SharedFiles.of(id));
                if (shared != null) {
                    shared.pull();
                }
                String token = Bootstrap.adminToken(dir);
                InstancePki.Material pki = InstancePki.loadOrCreate(dir, id, s.endpointNames());
                if (shared != null) {
                    shared.push();
                }
                return new Identity(id, token, pki);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Ready: listeners up and not draining, audit writing, and the last probe found the store answering
     * and the HSM session logged in. Called on the admin event loop, so it only reads flags; the probe
     * runs on a thread of its own every second.
     */
    private boolean readyNow() {
        return ready && audit.healthy() && dependenciesHealthy;
    }

    /** Checks the store and the HSM (blocking; off the event loops). */
    private static boolean probe(Store st, SimHsmBackend be) {
        try {
            return be.healthy() && st.read(c -> c.isValid(2));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void closeFollowers() {
        for (AutoCloseable f : followers) {
            try {
                f.close();
            } catch (Exception e) {
                LOG.debug("closing a change follower: {}", e.toString());
            }
        }
    }

    /** Gauges over the engine, audit sink, decision cache and client keys, plus the JVM's own. */
    private void bindMeters(KmsEngine en, AuditLog au, AccessControl accessControl, ClientKeyRegistry clientKeys, Clock clock) {
        Gauge.builder("kmsgw.engine.queue.depth", en.crypto(), CryptoOperations::queueDepth).description("crypto jobs waiting for a worker").register(meters);
        Gauge.builder("kmsgw.audit.backlog", au, AuditLog::backlog).description("audit records not yet written").register(meters);
        FunctionCounter.builder("kmsgw.audit.written", au, AuditLog::writtenCount).register(meters);
        FunctionCounter.builder("kmsgw.audit.dropped", au, AuditLog::droppedCount).register(meters);
        Gauge.builder("kmsgw.audit.healthy", au, a -> a.healthy() ? 1 : 0).register(meters);
        accessControl.bindMetrics(meters);
        for (int days : new int[] {7, 30, 90, 180}) {
            Gauge.builder("kmsgw.client_keys.expiring", clientKeys, k -> k.expiringWithin(clock.instant(), Duration.ofDays(days)))
                    .tag("within_days", Integer.toString(days)).description("live client keys whose validity ends within the window")
                    .register(meters);
        }
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
    }

    /** Event loops: configured, or one per core (they also run light crypto inline; more threads than cores only adds switching). */
    private static int ioThreads(Settings s) {
        return s.ioThreads() > 0 ? s.ioThreads() : Runtime.getRuntime().availableProcessors();
    }

    /** Starts kmsgw on {@code settings}; returns once both listeners accept connections. */
    public static GatewayServer start(Settings settings, Clock clock) throws Exception {
        return new GatewayServer(settings, clock);
    }

    private InetSocketAddress bind(Class<? extends ServerChannel> type, InetSocketAddress address, ChannelInitializer<SocketChannel> init)
            throws InterruptedException {
        Channel ch = new ServerBootstrap()
                .group(boss, workers)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init)
                .bind(address).sync().channel();
        listeners.add(ch);
        return (InetSocketAddress) ch.localAddress();
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
        return meters;
    }

    public String tlsEngine() {
        return tlsEngine;
    }

    /** {@code DescribeInstance}: what the console's Instance page shows. Runs on the admin executor. */
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
        n.put("SharedStore", store.shared());
        n.put("TlsEngine", tlsEngine);
        n.put("StartTime", started.toString());
        n.put("RequestsTotal", (long) meters.find("kmsgw.requests").counters().stream().mapToDouble(Counter::count).sum());
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
        ready = false;
        for (Channel c : listeners) {
            c.close().awaitUninterruptibly(5_000);
        }
        // Quiet period lets requests already read finish; the timeout bounds the drain. The waits are bounded
        // too: once a stopped server hung here with every event loop thread gone (seen once, after an
        // overload run with JFR attached; not reproduced), and SIGTERM must end the process whatever happens.
        if (!workers.shutdownGracefully(200, 10_000, TimeUnit.MILLISECONDS).awaitUninterruptibly(15_000)) {
            LOG.warn("the event loops did not report termination within 15 s; closing the rest anyway");
        }
        if (!boss.shutdownGracefully(0, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5_000)) {
            LOG.warn("the accept loop did not report termination within 5 s; closing the rest anyway");
        }
        adminExecutor.shutdown();
        try {
            adminExecutor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        prober.shutdownNow();
        closeFollowers();
        audit.close();
        engine.close();
        backend.close();
        store.close();
    }
}
