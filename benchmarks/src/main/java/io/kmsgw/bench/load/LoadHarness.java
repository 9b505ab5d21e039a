package io.kmsgw.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
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
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The load harness: a Netty TLS 1.2 client that keeps {@code --connections} keep-alive connections
 * busy (closed loop), or sends a fixed total rate (open loop, {@code --rate R}; latency counted from when
 * each request was due, so a slow response delays and charges the ones behind it) with requests signed
 * before the timed window from a pool of distinct requests
 * (signing costs the client ~1 ms each), so the server verifies every request and the client spends
 * its CPU on TLS and I/O. Reports throughput, errors by code, latency percentiles (HdrHistogram) and,
 * with {@code --server-pid}, the server's CPU time per request from /proc. The {@code --json} file also holds a
 * per-second series of latency and of the harness's own stalls ({@link Series}).
 *
 * <pre>
 * java -jar benchmarks/target/kmsgw-bench.jar load --instance data/instance.json --api Encrypt --payload 32 \
 *      --connections 64 --duration 20s --warmup 5s [--rate R] [--io-threads N] [--server-pid PID] [--json out.json]
 *      [--endpoint host:port] [--transport nio] [--prewarm-endpoint host:port --prewarm-seconds N] [--start-when FILE]
 * </pre>
 * For cold-start.sh: {@code --prewarm-endpoint} runs the same load against another server (the floor, on the same instance)
 * in one-second runs for N seconds first, so that the harness's own JIT is done before it measures a server that has just
 * started; {@code --start-when} waits, once the pool is signed, until FILE exists, then reads instance.json again (the
 * server's new port) and starts.
 * APIs: Encrypt, Decrypt, GenerateDataKey, GenerateRandom, SignEC, SignRSA, GetSecretValue, mix.
 */
public final class LoadHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LoadHarness() {
    }

    static Map<String, String> args(String[] a) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < a.length; i += 2) {
            if (!a[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + a[i]);
            }
            m.put(a[i].substring(2), a[i + 1]);
        }
        return m;
    }

    /** The load asked for, in one-second runs against {@code --prewarm-endpoint}, for {@code --prewarm-seconds}. */
    private static void prewarm(Map<String, String> a) throws Exception {
        Map<String, String> w = new HashMap<>(a);
        List.of("prewarm-endpoint", "prewarm-seconds", "start-when", "json", "server-pid").forEach(w::remove);
        w.put("endpoint", a.get("prewarm-endpoint"));
        w.put("duration", "1s");
        w.put("warmup", "0s");
        w.put("pool", "64");
        String[] argv = w.entrySet().stream().flatMap(e -> java.util.stream.Stream.of("--" + e.getKey(), e.getValue())).toArray(String[]::new);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds(a.getOrDefault("prewarm-seconds", "10s")));
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            while (System.nanoTime() < until) {
                if (run(argv) != 0) {
                    throw new IllegalStateException("the prewarm run against " + a.get("prewarm-endpoint") + " failed");
                }
            }
        } finally {
            System.setOut(out);
        }
    }

    static long seconds(String s) {
        return Long.parseLong(s.endsWith("s") ? s.substring(0, s.length() - 1) : s);
    }

    /** The quick-start client key from the instance files. */
    public record ClientKey(String id, PrivateKey key) {
        public static ClientKey of(JsonNode instance) throws Exception {
            JsonNode qs = instance.get("QuickStart");
            JsonNode file = JSON.readTree(Path.of(qs.get("ClientKeyFile").asText()).toFile());
            char[] pw = Files.readString(Path.of(qs.get("PasswordFile").asText())).toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(Base64.getDecoder().decode(file.get("PrivateKeyData").asText())), pw);
            return new ClientKey(file.get("KeyId").asText(), (PrivateKey) ks.getKey(Collections.list(ks.aliases()).get(0), pw));
        }
    }

    /** One signed HTTP/1.1 request, ready to write. */
    public static byte[] request(ClientKey ck, String api, MessageLite message, String date, Signature signer) {
        return io.kmsgw.gateway.protocol.SignedRequest.of(ck.id(), data -> {
            try {
                signer.initSign(ck.key());
                signer.update(data);
                return Base64.getEncoder().encodeToString(signer.sign());
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }, api, message.toByteArray(), date, "kmsgw-load");
    }

    /** Open loop: one millisecond ticker per client event loop, running every connection's tick on that loop. */
    static final class Ticker {
        private final List<java.util.function.LongConsumer> ticks = new ArrayList<>();

        /** The ticker of {@code loop} in {@code tickers} (one run's), started on first use; call on that loop. */
        static Ticker on(Map<io.netty.util.concurrent.EventExecutor, Ticker> tickers, io.netty.util.concurrent.EventExecutor loop,
                         java.util.function.LongConsumer lag) {
            return tickers.computeIfAbsent(loop, l -> {
                Ticker t = new Ticker();
                long period = TimeUnit.MILLISECONDS.toNanos(1);
                long[] due = {System.nanoTime() + period};
                l.scheduleAtFixedRate(() -> {
                    long now = System.nanoTime();
                    lag.accept(now - due[0]); // a fixed-rate task runs late ones back to back: the next is due a period later
                    due[0] += period;
                    for (java.util.function.LongConsumer c : t.ticks) {
                        c.accept(now);
                    }
                }, 1, 1, TimeUnit.MILLISECONDS);
                return t;
            });
        }

        void add(java.util.function.LongConsumer tick) {
            ticks.add(tick);
        }
    }

    public static int run(String[] argv) throws Exception {
        Map<String, String> a = args(argv);
        if (a.containsKey("prewarm-endpoint")) {
            prewarm(a);
        }
        JsonNode instance = JSON.readTree(Path.of(a.getOrDefault("instance", "data/instance.json")).toFile());
        String api = a.getOrDefault("api", "Encrypt");
        int payload = Integer.parseInt(a.getOrDefault("payload", "32"));
        int connections = Integer.parseInt(a.getOrDefault("connections", "64"));
        long duration = seconds(a.getOrDefault("duration", "20s"));
        long warmup = seconds(a.getOrDefault("warmup", "5s"));
        int poolArg = Integer.parseInt(a.getOrDefault("pool", "4096"));
        // --rate R: open loop, R requests/s in all, latency measured from when each request was due
        double rate = Double.parseDouble(a.getOrDefault("rate", "0"));
        String[] endpoint = a.getOrDefault("endpoint", instance.get("Endpoint").asText()).split(":");
        ClientKey ck = ClientKey.of(instance);
        Setup setup = Setup.prepare(instance, api);
        // --api OpenApiEncrypt: the KMS OpenAPI's Encrypt, each request signed (HMAC) as it is sent
        OpenApiRequests openApi = api.equals("OpenApiEncrypt") ? OpenApiRequests.create(new Admin(instance), payload) : null;
        int poolSize = openApi != null ? 1 : poolArg;

        // pre-sign a pool of distinct requests, in parallel
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        byte[][] pool = new byte[poolSize][];
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        List<Thread> signers = new ArrayList<>();
        long signStart = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int from = t;
            Thread th = new Thread(() -> {
                try {
                    Signature sig = Signature.getInstance("SHA256withRSA");
                    SecureRandom r = new SecureRandom();
                    for (int i = from; i < poolSize; i += threads) {
                        String op = api.equals("mix") ? Setup.MIX[i % Setup.MIX.length] : api;
                        pool[i] = openApi != null ? openApi.next() : request(ck, Setup.wireName(op), setup.message(op, payload, r), date, sig);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            th.start();
            signers.add(th);
        }
        for (Thread th : signers) {
            th.join();
        }
        System.out.printf("signed %d distinct %s requests in %.1f s%n", poolSize, api, (System.nanoTime() - signStart) / 1e9);
        if (a.containsKey("start-when")) { // cold-start.sh: the server starts now; its instance.json then names its new port
            Path released = Path.of(a.get("start-when"));
            while (!Files.exists(released)) {
                Thread.sleep(10);
            }
            String[] now = a.getOrDefault("endpoint", JSON.readTree(Path.of(a.getOrDefault("instance", "data/instance.json")).toFile())
                    .get("Endpoint").asText()).split(":");
            endpoint[0] = now[0];
            endpoint[1] = now[1];
        }

        X509Certificate[] trust = io.kmsgw.gateway.tls.Pem.certificates(Files.readString(Path.of(instance.get("CaFile").asText())))
                .toArray(X509Certificate[]::new);
        SslContext ssl = SslContextBuilder.forClient().trustManager(trust).protocols("TLSv1.2")
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build();
        Recorder recorder = new Recorder(3);
        Series series = new Series(recorder, JSON);
        LongAdder ok = new LongAdder();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        AtomicBoolean recording = new AtomicBoolean(false);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger next = new AtomicInteger();
        // --io-threads N: the client's event loops (default half the cores, one here: the server gets the rest).
        // In open loop one loop can be the bottleneck: at 13,500 req/s it ran at 100 % of a core and fell
        // behind its own schedule, which showed up as server latency; give it two there.
        int ioThreads = Integer.parseInt(a.getOrDefault("io-threads", String.valueOf(Math.max(1, threads / 2))));
        // epoll as the gateway and the floor use it (NIO cost the client more CPU per request on the shared cores)
        boolean epoll = io.netty.channel.epoll.Epoll.isAvailable() && !a.getOrDefault("transport", "").equals("nio");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads,
                epoll ? io.netty.channel.epoll.EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Map<io.netty.util.concurrent.EventExecutor, Ticker> tickers = new ConcurrentHashMap<>();
        CountDownLatch connected = new CountDownLatch(connections);
        try {
            Bootstrap b = new Bootstrap().group(group).channel(epoll ? io.netty.channel.epoll.EpollSocketChannel.class : NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(ssl.newHandler(ch.alloc(), endpoint[0], Integer.parseInt(endpoint[1])));
                    ch.pipeline().addLast("raw", new io.netty.channel.ChannelOutboundHandlerAdapter());
                    ch.pipeline().addLast(new HttpResponseDecoder(), new HttpObjectAggregator(4 << 20));
                    ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
                        /** When the request in flight was meant to start: its send time (closed loop) or its tick (open loop). */
                        long intendedAt;
                        boolean busy;
                        /** Open loop: ticks that came while a request was in flight, oldest first. */
                        final java.util.ArrayDeque<Long> due = new java.util.ArrayDeque<>();

                        void send(ChannelHandlerContext ctx) {
                            if (!running.get()) {
                                ctx.close();
                                return;
                            }
                            if (rate > 0) {
                                Long tick = due.poll();
                                busy = tick != null;
                                if (tick == null) {
                                    return;
                                }
                                intendedAt = tick;
                            } else {
                                intendedAt = System.nanoTime();
                            }
                            byte[] req = openApi != null ? openApi.next() : pool[Math.floorMod(next.getAndIncrement(), poolSize)];
                            ctx.pipeline().context("raw").writeAndFlush(Unpooled.wrappedBuffer(req));
                        }

                        /** Open loop: when this connection's next request is due (its share of the rate, phase-shifted). */
                        long nextDue;

                        /** Open loop, on this connection's event loop: queue every request due by {@code now}, send if idle. */
                        void tick(ChannelHandlerContext ctx, long now, long period) {
                            while (nextDue <= now) {
                                due.add(nextDue);
                                nextDue += period;
                            }
                            if (!busy) {
                                send(ctx);
                            }
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent e && e.isSuccess()) {
                                connected.countDown();
                                Ticker ticker = Ticker.on(tickers, ctx.executor(), series::loopLag);
                                if (rate > 0) {
                                    // The intended send times are exact (period apart, phase-shifted so that connections
                                    // do not tick together); one ticker per event loop, every millisecond, queues and
                                    // sends what is due. A timer per connection meant one wake-up per request, and the
                                    // client's single loop ran out of CPU at 13,500 req/s and fell behind its schedule.
                                    long period = Math.max(1, Math.round(1e9 * connections / rate));
                                    nextDue = System.nanoTime() + java.util.concurrent.ThreadLocalRandom.current().nextLong(period);
                                    ticker.add(now -> tick(ctx, now, period));
                                } else {
                                    send(ctx);
                                }
                            }
                            ctx.fireUserEventTriggered(evt);
                        }

                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse resp) throws Exception {
                            // open loop: latency from the tick, so time spent waiting behind a slow response counts
                            long micros = (System.nanoTime() - intendedAt) / 1000;
                            if (recording.get()) {
                                if (resp.status().code() == 200) {
                                    ok.increment();
                                    recorder.recordValue(Math.max(1, micros));
                                } else {
                                    String code = resp.status().code() + " " + KmsApi.Error.parseFrom(ByteBufUtil.getBytes(resp.content()))
                                            .getErrorCode();
                                    errors.computeIfAbsent(code, k -> new LongAdder()).increment();
                                }
                            }
                            send(ctx);
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            errors.computeIfAbsent("io " + cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
                            ctx.close();
                        }
                    });
                }
            });
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                channels.add(b.connect(new InetSocketAddress(endpoint[0], Integer.parseInt(endpoint[1]))).sync().channel());
            }
            if (!connected.await(60, TimeUnit.SECONDS)) {
                System.err.println("kmsgw load: not every connection completed its TLS handshake");
                return 1;
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
            long[] cpuBefore = cpu(a.get("server-pid"));
            series.start();
            recording.set(true);
            long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(duration));
            recording.set(false);
            long elapsed = System.nanoTime() - start;
            Histogram h = series.stop();
            long[] cpuAfter = cpu(a.get("server-pid"));
            running.set(false);
            for (Channel c : channels) {
                c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            double secs = elapsed / 1e9;
            long total = ok.sum();
            double rps = total / secs;
            ObjectNode report = JSON.createObjectNode();
            report.put("api", api).put("payload", payload).put("connections", connections).put("clientIoThreads", ioThreads).put("durationSeconds", secs)
                    .put("mode", rate > 0 ? "open loop at " + Math.round(rate) + " req/s" : "closed loop")
                    .put("requests", total).put("throughput", Math.round(rps)).put("p50Micros", h.getValueAtPercentile(50))
                    .put("p90Micros", h.getValueAtPercentile(90)).put("p99Micros", h.getValueAtPercentile(99))
                    .put("p999Micros", h.getValueAtPercentile(99.9)).put("maxMicros", h.getMaxValue());
            ObjectNode errs = report.putObject("errors");
            errors.forEach((k, v) -> errs.put(k, v.sum()));
            if (cpuBefore != null && cpuAfter != null && total > 0) {
                double cpuMicros = (cpuAfter[0] - cpuBefore[0]) * 1e6 / cpuAfter[1];
                report.put("serverCpuMicrosPerRequest", Math.round(cpuMicros / total * 10) / 10.0);
            }
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            // the per-second series goes to the file only: it is for scripts (tail-attribution.sh) to join by the second
            report.set("seconds", series.toJson());
            report.put("startEpochMillis", System.currentTimeMillis() - elapsed / 1_000_000);
            if (a.containsKey("json")) {
                Files.writeString(Path.of(a.get("json")), JSON.writeValueAsString(report));
            }
            return 0;
        } finally {
            series.close();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** {server utime+stime in clock ticks, ticks per second} from /proc, or null without a pid. */
    static long[] cpu(String pid) throws Exception {
        if (pid == null) {
            return null;
        }
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after the command: state(3) ... utime is field 14, stime 15 (1-based over the whole line)
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), 100};
    }

    /** What a run needs on the instance (keys, a secret, a ciphertext), made through the admin plane. */
    static final class Setup {
        static final String[] MIX = {"Encrypt", "Encrypt", "Decrypt", "GenerateDataKey", "GetSecretValue", "SignEC"};
        final Map<String, String> keys = new HashMap<>();
        KmsApi.EncryptResponse sample;

        static String wireName(String op) {
            return op.startsWith("Sign") ? "Sign" : op;
        }

        static Setup prepare(JsonNode instance, String api) throws Exception {
            Setup s = new Setup();
            Admin admin = new Admin(instance);
            boolean mix = api.equals("mix");
            if (mix || api.equals("SignEC")) {
                s.keys.put("SignEC", admin.call("CreateKey", "{\"KeySpec\":\"EC_P256\"}").get("KeyMetadata").get("KeyId").asText());
            }
            if (api.equals("SignRSA")) {
                s.keys.put("SignRSA", admin.call("CreateKey", "{\"KeySpec\":\"RSA_2048\",\"KeyUsage\":\"SIGN/VERIFY\"}").get("KeyMetadata")
                        .get("KeyId").asText());
            }
            if (mix || api.equals("GetSecretValue")) {
                admin.callAllowing409("CreateSecret", "{\"SecretName\":\"kmsgw-load\",\"SecretData\":\"load-test-value\"}");
            }
            if (mix || api.equals("Decrypt")) {
                s.sample = admin.encryptSample(instance);
            }
            return s;
        }

        MessageLite message(String op, int payload, SecureRandom r) {
            byte[] data = new byte[payload];
            r.nextBytes(data);
            return switch (op) {
                case "Encrypt" -> KmsApi.EncryptRequest.newBuilder().setKeyId("alias/quickstart").setPlaintext(ByteString.copyFrom(data)).build();
                case "Decrypt" -> KmsApi.DecryptRequest.newBuilder().setKeyId(sample.getKeyId()).setCiphertextBlob(sample.getCiphertextBlob())
                        .setIv(sample.getIv()).build();
                case "GenerateDataKey" -> KmsApi.GenerateDataKeyRequest.newBuilder().setKeyId("alias/quickstart").build();
                case "GenerateRandom" -> KmsApi.GenerateRandomRequest.newBuilder().setLength(32).build();
                case "GetSecretValue" -> KmsApi.GetSecretValueRequest.newBuilder().setSecretName("kmsgw-load").build();
                case "SignEC", "SignRSA" -> KmsApi.SignRequest.newBuilder().setKeyId(keys.get(op)).setMessage(ByteString.copyFrom(data)).build();
                default -> throw new IllegalArgumentException("unknown --api " + op);
            };
        }
    }
}
