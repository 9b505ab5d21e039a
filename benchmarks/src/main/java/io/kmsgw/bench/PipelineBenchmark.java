package io.kmsgw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.bench.load.LoadHarness;
import io.kmsgw.gateway.config.SettingsLoader;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.server.GatewayServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole data-plane pipeline in process, without TLS or sockets: a signed 32-byte Encrypt from raw
 * bytes through the HTTP codec, decoder, RSA verification, protobuf, cached authorization, quota,
 * inline AES-GCM in the simulated HSM, audit and the encoded response. Every request in the pool is
 * distinct and verified (nothing is cached by signature). The baseline is Netty's HTTP codec and
 * aggregator answering a fixed response: the gap is what kmsgw's stages cost per request.
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar PipelineBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 3) // the pipeline needs ~15 s before C2 has compiled it all
@Measurement(iterations = 6, time = 3)
@Fork(1)
public class PipelineBenchmark {
    private static final int POOL = 4096;
    private Path dir;
    private GatewayServer server;
    private byte[][] requests;
    private EmbeddedChannel pipeline;
    private EmbeddedChannel codecOnly;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("kmsgw-pipeline-bench");
        server = GatewayServer.start(SettingsLoader.load(null, Map.of(), Map.of("data-dir", dir.toString(), "port", "0", "admin-port", "0",
                "hsm-pbkdf2-iterations", "1000", "warmup-seconds", "0")), Clock.systemUTC());
        JsonNode instance = new ObjectMapper().readTree(server.instanceJson().toFile());
        LoadHarness.ClientKey key = LoadHarness.ClientKey.of(instance);
        requests = Fixtures.signedEncrypts(key, POOL);
        pipeline = new EmbeddedChannel();
        server.dataPlane().initInProcess(pipeline);
        pipeline.writeInbound(Unpooled.wrappedBuffer(requests[0]));
        ByteBuf first = pipeline.readOutbound();
        String status = first.toString(0, 12, java.nio.charset.StandardCharsets.US_ASCII);
        first.release();
        drainQuietly(pipeline);
        if (!status.equals("HTTP/1.1 200")) {
            throw new IllegalStateException("the pipeline does not answer 200 to a signed Encrypt: " + status);
        }
        byte[] fixed = KmsApi.EncryptResponse.newBuilder().setKeyId("key-0").setCiphertextBlob(com.google.protobuf.ByteString.copyFrom(new byte[48]))
                .build().toByteArray();
        codecOnly = new EmbeddedChannel(new HttpServerCodec(4096, 16 * 1024, 64 * 1024), new HttpObjectAggregator(3 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                Unpooled.wrappedBuffer(fixed));
                        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-protobuf").setInt(HttpHeaderNames.CONTENT_LENGTH, fixed.length);
                        ctx.writeAndFlush(r);
                    }
                });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        pipeline.finishAndReleaseAll();
        codecOnly.finishAndReleaseAll();
        server.close();
        Fixtures.deleteTree(dir);
    }

    private static void drainQuietly(EmbeddedChannel ch) {
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            b.release();
        }
    }

    private static int drain(EmbeddedChannel ch) {
        int bytes = 0;
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            bytes += b.readableBytes();
            b.release();
        }
        if (bytes == 0) {
            throw new IllegalStateException("no response");
        }
        return bytes;
    }

    @Benchmark
    public int encrypt32ThroughThePipeline() {
        pipeline.writeInbound(Unpooled.wrappedBuffer(requests[next++ & (POOL - 1)]));
        return drain(pipeline);
    }

    @Benchmark
    public int httpCodecBaseline() {
        codecOnly.writeInbound(Unpooled.wrappedBuffer(requests[next++ & (POOL - 1)]));
        return drain(codecOnly);
    }
}
