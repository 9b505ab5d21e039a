package io.kmsgw.gateway.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.gateway.config.Settings;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.protocol.SignedRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.tls.ClientKeySigner;
import io.kmsgw.gateway.tls.Pem;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up a gateway runs before its listeners open (issue 27, {@code server.warmupSeconds}).
 *
 * <p>A JVM that has just started interprets its hot path, then compiles it while serving. On the 2-core benchmark host a
 * gateway that took 12,000 Encrypt/s the moment it was ready answered with a p99 of 2–8 s for its first 20 s: the C2
 * compiler and the traffic fought for the same cores, and every request queued behind that (with the warm-up: 27–53 ms,
 * benchmarks/RESULTS.md). The warm-up pays the
 * compilation before anything is accepted: it starts a throwaway instance of its own in {@code DATA/.warmup} (its own
 * store, simulated HSM, instance PKI, quick-start client key and keys; nothing of the real instance is read or written)
 * and drives it over loopback TLS with signed requests of the everyday kinds (Encrypt, Decrypt, GenerateDataKey,
 * GetSecretValue, Sign on an EC key), closed loop, until the JIT has gone quiet or the budget is spent. The code compiled
 * is the same code the real instance runs: the same classes, pipeline, handlers, audit writer and engine, on the same
 * event loop threads (the throwaway borrows the real gateway's, so that what Netty keeps per thread, its buffer magazines,
 * recyclers and handler caches, is filled when the first clients come: about a sixth fewer deoptimizations and a sixth
 * less JIT work after ready, three paired starts in benchmarks/RESULTS.md). Then the throwaway is closed and its
 * directory deleted, and the real listeners open.
 *
 * <p>What it cannot warm: a PKCS#11 module's or PostgreSQL's own paths (the throwaway uses the simulated token and the
 * embedded store), and the real instance's first uses (each event loop's HSM context and key cache, the client key's
 * certificate, the decision cache): compiled code meets those once and is recompiled, which is most of what the first
 * seconds after a warmed start still pay (about 200 methods deoptimized and 2 s of JIT CPU on the 2-core host). It never
 * stops a start: a warm-up that fails is logged and skipped.
 */
final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    /** Where the throwaway instance lives, inside the real data dir (writable, the owner's only); deleted before and after. */
    static final String DIR = ".warmup";
    private static final int CONNECTIONS = 16;
    private static final int REQUESTS_PER_KIND = 16;
    /** The JIT is quiet once it compiled for less than this many milliseconds (summed over its threads) in one second. */
    private static final long QUIET_COMPILE_MILLIS_PER_SECOND = 40;
    /** Never judged quiet before this: the first seconds are interpreted code that has not asked for compilation yet. */
    private static final long MIN_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final String SECRET = "kmsgw-warmup";
    private static final String FAILURE = "a failure";

    /** What a warm-up did: requests answered 200 and not, how long it ran, why it ended, and the JIT's time meanwhile. */
    record Result(long ok, long failed, long millis, String endedBy, long compileMillis) {
        static final Result SKIPPED = new Result(0, 0, 0, "skipped", 0);

        /** One line for DescribeInstance's start checks. */
        String summary() {
            if (this == SKIPPED) {
                return "off (server.warmupSeconds is 0)";
            }
            return endedBy.equals(FAILURE) ? "failed after " + millis + " ms (see the log); started cold"
                    : ok + failed + " requests (" + failed + " not 200) in " + millis + " ms, ended by " + endedBy;
        }
    }

    private WarmUp() {
    }

    /**
     * Warms for at most {@code budget} (zero: nothing), ending early once the JIT is quiet or when {@code stopRequested}
     * says so. Never throws: a failure is logged as one line and the start goes on cold.
     */
    static Result run(Settings real, Duration budget, BooleanSupplier stopRequested, Listeners loops) {
        if (budget.isZero() || budget.isNegative()) {
            return Result.SKIPPED;
        }
        Path dir = real.dataDir().toAbsolutePath().resolve(DIR);
        long t0 = System.nanoTime();
        try {
            deleteTree(dir); // what a killed warm-up left
            LOG.info("warm-up: a throwaway instance in {} takes signed requests over loopback for up to {} s before this "
                    + "gateway listens (server.warmupSeconds; 0 turns it off)", dir, budget.toSeconds());
            Result r = drive(throwawaySettings(real, dir), budget, stopRequested, loops);
            LOG.info("warm-up: {} requests answered ({} not 200) in {} ms, ended by {}; the JIT compiled for {} ms meanwhile",
                    r.ok() + r.failed(), r.failed(), r.millis(), r.endedBy(), r.compileMillis());
            return r;
        } catch (Exception | LinkageError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("warm-up failed after {} ms, the gateway starts cold: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                    e.toString());
            return new Result(0, 0, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), FAILURE, 0);
        } finally {
            try {
                deleteTree(dir);
            } catch (IOException e) {
                LOG.warn("warm-up: cannot delete {}: {}", dir, e.toString());
            }
        }
    }

    /**
     * The throwaway's settings: the real one's TLS engine, event loops, workers and verifier, and nothing that reaches beyond
     * its directory (no environment, no shared store, no PKCS#11 module, no audit sink but its own store, loopback only).
     */
    static Settings throwawaySettings(Settings real, Path dir) {
        return SettingsLoader.load(null, Map.of(), Map.ofEntries(
                Map.entry("data-dir", dir.toString()),
                Map.entry("bind", "127.0.0.1"),
                Map.entry("port", "0"),
                Map.entry("admin-port", "0"),
                Map.entry("tls-engine", real.tlsEngine()),
                Map.entry("io-threads", String.valueOf(real.ioThreads())), // the loops it borrows: sizes its HSM sessions
                Map.entry("engine-workers", String.valueOf(real.engineWorkers())),
                Map.entry("conscrypt", String.valueOf(real.conscrypt())),
                Map.entry("hsm-pbkdf2-iterations", "1000"),
                // the store's compressed copy only (a small fraction of the JSON-lines file's bytes): 25 s stays far below the bound
                Map.entry("audit-sinks", ""),
                Map.entry("audit-max-bytes", "64MB"),
                Map.entry("warmup-seconds", "0")));
    }

    private static Result drive(Settings settings, Duration budget, BooleanSupplier stopRequested, Listeners loops) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compileAtStart = jitTimed ? jit.getTotalCompilationTime() : 0;
        long t0 = System.nanoTime();
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        String endedBy = "the budget";
        try (GatewayServer g = GatewayServer.startThrowaway(settings, loops)) {
            List<byte[]> requests = requests(g);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            try {
                Driver driver = new Driver(requests, ok, failed, firstFailure);
                connect(g, group, driver);
                long deadline = t0 + budget.toNanos();
                long windowStart = System.nanoTime();
                long compileAtWindow = jitTimed ? jit.getTotalCompilationTime() : 0;
                while (true) {
                    Thread.sleep(100);
                    long now = System.nanoTime();
                    if (stopRequested.getAsBoolean()) {
                        endedBy = "a stop request";
                        break;
                    }
                    if (now - deadline >= 0) {
                        break;
                    }
                    if (failed.sum() > 100 && failed.sum() > ok.sum() / 10) {
                        endedBy = "failures (first: " + firstFailure.get() + ")";
                        break;
                    }
                    if (jitTimed && now - windowStart >= TimeUnit.SECONDS.toNanos(1)) {
                        long compiled = jit.getTotalCompilationTime();
                        LOG.debug("warm-up: {} ms in, {} requests answered, the JIT compiled for {} ms in the last second",
                                TimeUnit.NANOSECONDS.toMillis(now - t0), ok.sum() + failed.sum(), compiled - compileAtWindow);
                        if (now - t0 >= MIN_NANOS && compiled - compileAtWindow <= QUIET_COMPILE_MILLIS_PER_SECOND) {
                            endedBy = "a quiet JIT";
                            break;
                        }
                        windowStart = now;
                        compileAtWindow = compiled;
                    }
                }
                driver.stop();
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        return new Result(ok.sum(), failed.sum(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), endedBy,
                jitTimed ? jit.getTotalCompilationTime() - compileAtStart : -1);
    }

    private static void connect(GatewayServer g, EventLoopGroup group, Driver driver) throws Exception {
        JsonNode instance = new ObjectMapper().readTree(g.instanceJson().toFile());
        X509Certificate[] trust = Pem.certificates(Files.readString(Path.of(instance.path("CaFile").asText()), StandardCharsets.US_ASCII))
                .toArray(X509Certificate[]::new);
        SslContext ssl = SslContextBuilder.forClient().trustManager(trust).protocols("TLSv1.2")
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build();
        Bootstrap b = new Bootstrap().group(group).channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", g.port()), new HttpResponseDecoder(),
                                new HttpObjectAggregator(1 << 20), driver);
                    }
                });
        for (int i = 0; i < CONNECTIONS; i++) {
            b.connect("127.0.0.1", g.port()).sync();
        }
    }

    /**
     * Signed requests of the everyday kinds against the throwaway's quick-start key, an EC key and a secret made for the
     * purpose. Each is a whole HTTP/1.1 request as an official client sends it, signed by the throwaway's quick-start client
     * key; they are sent again and again (the instance protocol has no replay window, only the Date's skew).
     */
    private static List<byte[]> requests(GatewayServer g) throws Exception {
        JsonNode qs = new ObjectMapper().readTree(g.instanceJson().toFile()).path("QuickStart");
        ClientKeySigner signer = ClientKeySigner.load(Path.of(qs.path("ClientKeyFile").asText()), Path.of(qs.path("PasswordFile").asText()));
        String alias = qs.path("Alias").asText();
        KmsEngine engine = g.engine();
        String ecKey = engine.keys().createKey("EC_P256", "SIGN/VERIFY", "kmsgw warm-up").keyId();
        engine.secrets().createSecret(SECRET, "warm-up", null, null, null, "kmsgw warm-up", null);
        SecureRandom random = new SecureRandom();
        byte[] sample = new byte[32];
        random.nextBytes(sample);
        CompletableFuture<Results.Padded> encrypted = new CompletableFuture<>();
        engine.crypto().encrypt(new io.kmsgw.crypto.api.Commands.Encrypt(alias, sample, null, null, null, null), (r, e) -> {
            if (e != null) {
                encrypted.completeExceptionally(e);
            } else {
                encrypted.complete(r);
            }
        });
        Results.Encrypted ct = encrypted.get(10, TimeUnit.SECONDS).encrypted();
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < REQUESTS_PER_KIND; i++) {
            byte[] data = new byte[32];
            random.nextBytes(data);
            out.add(request(signer, "Encrypt", KmsApi.EncryptRequest.newBuilder().setKeyId(alias).setPlaintext(ByteString.copyFrom(data)).build(), date));
            out.add(request(signer, "Encrypt", KmsApi.EncryptRequest.newBuilder().setKeyId(alias).setPlaintext(ByteString.copyFrom(data, 0, 16)).build(), date));
            out.add(request(signer, "Decrypt", KmsApi.DecryptRequest.newBuilder().setKeyId(ct.keyId()).setCiphertextBlob(ByteString.copyFrom(ct.ciphertextBlob()))
                    .setIv(ByteString.copyFrom(ct.iv())).build(), date));
            out.add(request(signer, "GenerateDataKey", KmsApi.GenerateDataKeyRequest.newBuilder().setKeyId(alias).build(), date));
            out.add(request(signer, "GetSecretValue", KmsApi.GetSecretValueRequest.newBuilder().setSecretName(SECRET).build(), date));
            out.add(request(signer, "Sign", KmsApi.SignRequest.newBuilder().setKeyId(ecKey).setMessage(ByteString.copyFrom(data)).build(), date));
        }
        return out;
    }

    private static byte[] request(ClientKeySigner signer, String api, MessageLite message, String date) {
        return SignedRequest.of(signer.keyId(), signer::sign, api, message.toByteArray(), date, "kmsgw-warmup");
    }

    /** Every connection's closed loop: a request, its response, the next request; on the client's one event loop. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Driver extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final List<byte[]> requests;
        private final LongAdder ok;
        private final LongAdder failed;
        private final AtomicReference<String> firstFailure;
        private final List<Channel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean running = true;
        private int next;

        Driver(List<byte[]> requests, LongAdder ok, LongAdder failed, AtomicReference<String> firstFailure) {
            this.requests = requests;
            this.ok = ok;
            this.failed = failed;
            this.firstFailure = firstFailure;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channels.add(ctx.channel());
            send(ctx);
            super.channelActive(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            if (running) {
                next = (next + 1) % requests.size(); // one client event loop: no race on next
                ctx.writeAndFlush(Unpooled.wrappedBuffer(requests.get(next)));
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            if (response.status().code() == 200) {
                ok.increment();
            } else {
                failed.increment();
                firstFailure.compareAndSet(null, "HTTP " + response.status().code());
            }
            send(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed.increment();
            firstFailure.compareAndSet(null, cause.getClass().getSimpleName());
            ctx.close();
        }

        void stop() {
            running = false;
            for (Channel c : channels) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
