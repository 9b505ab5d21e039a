package io.kmsgw.bench;

import io.kmsgw.gateway.tls.InstancePki;
import io.kmsgw.gateway.tls.TlsContexts;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TLS record cost per server engine, in memory (no sockets): a client and a server {@code SSLEngine}
 * handshake once with the gateway's own server context ({@link TlsContexts#server}: TLS 1.2, the
 * instance PKI's ECDSA leaf, ECDHE with AES-GCM), then exchange one request-sized and one
 * response-sized record per operation, as on a keep-alive connection. The client is BoringSSL for
 * every server engine, so the differences between rows are the server's. {@code copyBaseline} moves
 * the same bytes through the same buffers without encryption.
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar TlsBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TlsBenchmark {
    /** The server's TLS engine, as {@code tls.engine} names it. */
    @Param({"openssl", "jdk", "bcjsse"})
    public String engine;

    /** The load harness's signed 32-byte Encrypt is 814 bytes of HTTP; its answer about 300. */
    @Param({"820"})
    public int requestBytes;

    @Param({"300"})
    public int responseBytes;

    private Path dir;
    private SSLEngine client;
    private SSLEngine server;
    private ByteBuffer request;
    private ByteBuffer response;
    private ByteBuffer net;
    private ByteBuffer app;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (!OpenSsl.isAvailable()) {
            throw new IllegalStateException("netty-tcnative (BoringSSL) did not load: " + OpenSsl.unavailabilityCause());
        }
        dir = Files.createTempDirectory("kmsgw-tls-bench");
        InstancePki.Material pki = InstancePki.loadOrCreate(dir, "kst-bench", List.of());
        SslContext serverContext = TlsContexts.server(pki, engine);
        SslContext clientContext = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL).protocols("TLSv1.2")
                .trustManager(pki.root(), pki.intermediate()).endpointIdentificationAlgorithm(null).build();
        server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        client = clientContext.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
        net = ByteBuffer.allocateDirect(packet * 4);
        app = ByteBuffer.allocateDirect(packet * 4);
        handshake();
        request = ByteBuffer.allocateDirect(requestBytes);
        response = ByteBuffer.allocateDirect(responseBytes);
        byte[] fill = new byte[Math.max(requestBytes, responseBytes)];
        ThreadLocalRandom.current().nextBytes(fill);
        request.put(fill, 0, requestBytes).flip();
        response.put(fill, 0, responseBytes).flip();
        if (requestRecord() != requestBytes || responseRecord() != responseBytes) {
            throw new IllegalStateException("a record did not arrive whole");
        }
        if (!server.getSession().getProtocol().equals("TLSv1.2")) {
            throw new IllegalStateException("negotiated " + server.getSession().getProtocol());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ReferenceCountUtil.release(client);
        ReferenceCountUtil.release(server);
        Fixtures.deleteTree(dir);
    }

    private void handshake() throws SSLException {
        ByteBuffer empty = ByteBuffer.allocate(0);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            if (idle(client) && idle(server)) {
                return;
            }
            flow(client, server, empty);
            flow(server, client, empty);
        }
        throw new IllegalStateException("no handshake after 100 rounds: " + client.getHandshakeStatus() + " / " + server.getHandshakeStatus());
    }

    private static boolean idle(SSLEngine e) {
        SSLEngineResult.HandshakeStatus s = e.getHandshakeStatus();
        return s == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || s == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    /** Everything {@code from} wants to send, wrapped and fed to {@code to}. */
    private void flow(SSLEngine from, SSLEngine to, ByteBuffer data) throws SSLException {
        net.clear();
        SSLEngineResult r;
        do {
            r = from.wrap(data, net);
            runTasks(from);
        } while (r.bytesProduced() > 0 && from.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP);
        net.flip();
        while (net.hasRemaining()) {
            app.clear();
            r = to.unwrap(net, app);
            runTasks(to);
            if (r.bytesConsumed() == 0) {
                break;
            }
        }
    }

    private static void runTasks(SSLEngine e) {
        for (Runnable t; (t = e.getDelegatedTask()) != null; ) {
            t.run();
        }
    }

    private int record(SSLEngine from, SSLEngine to, ByteBuffer plain) throws SSLException {
        plain.rewind();
        net.clear();
        from.wrap(plain, net);
        net.flip();
        app.clear();
        to.unwrap(net, app);
        return app.position();
    }

    /** A request: the client encrypts it, the server decrypts it. */
    @Benchmark
    public int requestRecord() throws SSLException {
        return record(client, server, request);
    }

    /** A response: the server encrypts it, the client decrypts it. */
    @Benchmark
    public int responseRecord() throws SSLException {
        return record(server, client, response);
    }

    /** Baseline: the request and the response copied through the same buffers, twice each, in the clear. */
    @Benchmark
    public int copyBaseline() {
        return copy(request) + copy(response);
    }

    private int copy(ByteBuffer plain) {
        plain.rewind();
        net.clear();
        net.put(plain).flip();
        app.clear();
        app.put(net);
        return app.position();
    }
}
