package io.kmsgw.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.kmsgw.bench.load.LoadHarness;
import io.kmsgw.gateway.pipeline.KmsAggregator;
import io.kmsgw.gateway.pipeline.RequestDecoder;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
 * The decoding stages before authentication and the protobuf codec, each beside its baseline:
 * <ul>
 * <li>header decode: raw bytes of a signed 32-byte Encrypt (as the SDK sends it) through Netty's HTTP
 * codec and the aggregator, then the gateway's {@link RequestDecoder} into the request model; the
 * baseline stops at the aggregated {@code FullHttpRequest};</li>
 * <li>protobuf: the generated {@code EncryptRequest} parser against a bare {@link CodedInputStream}
 * field loop over the same bytes, and the response built and written as the gateway writes it
 * (message, size, then {@link CodedOutputStream} into a buffer) against writing its fields straight
 * into the buffer.</li>
 * </ul>
 * Run: {@code java -jar benchmarks/target/kmsgw-bench.jar CodecBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    private static final int POOL = 256;
    private byte[][] requests;
    private byte[] body;
    private int next;
    private EmbeddedChannel codecOnly;
    private EmbeddedChannel decoder;

    private final byte[] ciphertext = new byte[48];
    private final byte[] iv = new byte[12];
    private final ByteBuffer out = ByteBuffer.allocateDirect(512);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        LoadHarness.ClientKey key = new LoadHarness.ClientKey("KAAP.3f9cd7a2-6a1d-4b52-9a6c-0c8b8b8b8b8b", g.generateKeyPair().getPrivate());
        requests = Fixtures.signedEncrypts(key, POOL);
        body = Fixtures.encrypt32().toByteArray();
        ThreadLocalRandom.current().nextBytes(ciphertext);
        ThreadLocalRandom.current().nextBytes(iv);
        codecOnly = new EmbeddedChannel(new HttpServerCodec(4096, 16 * 1024, 64 * 1024), new KmsAggregator(3 << 20));
        decoder = new EmbeddedChannel(new HttpServerCodec(4096, 16 * 1024, 64 * 1024), new KmsAggregator(3 << 20),
                new RequestDecoder(List.of()));
        if (!(headersToRequestModel() instanceof KmsRequest r) || !"Encrypt".equals(r.apiNameHeader) || r.body.length != body.length) {
            throw new IllegalStateException("the decoder did not produce the Encrypt request model");
        }
        if (!fieldLoopMatches(KmsApi.EncryptRequest.parseFrom(body))) {
            throw new IllegalStateException("the field loop does not read what the parser reads");
        }
        ByteBuffer a = ByteBuffer.allocate(512);
        int n1 = writeGenerated(a);
        ByteBuffer b = ByteBuffer.allocate(512);
        int n2 = writeFields(b);
        if (n1 != n2 || !a.flip().equals(b.flip())) {
            throw new IllegalStateException("the two response encodings differ");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        codecOnly.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }

    /**
     * Every request is answered with an empty 200 (the HTTP codec keeps one entry per unanswered request
     * and refuses more than 128): the same small cost in both benchmarks below.
     */
    private static void answer(EmbeddedChannel ch) {
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            b.release();
        }
    }

    /** Baseline: the request through Netty's HTTP codec and the aggregator only. */
    @Benchmark
    public int httpCodecBaseline() {
        codecOnly.writeInbound(Unpooled.wrappedBuffer(requests[next++ & (POOL - 1)]));
        FullHttpRequest req = codecOnly.readInbound();
        int n = req.headers().size();
        req.release();
        answer(codecOnly);
        return n;
    }

    /** The same, then the gateway's decoder: method, path, headers read in one pass, body copied. */
    @Benchmark
    public Object headersToRequestModel() {
        decoder.writeInbound(Unpooled.wrappedBuffer(requests[next++ & (POOL - 1)]));
        Object r = decoder.readInbound();
        answer(decoder);
        return r;
    }

    @Benchmark
    public KmsApi.EncryptRequest protobufDecodeGenerated() throws IOException {
        return KmsApi.EncryptRequest.parseFrom(body);
    }

    /** Baseline: the wire format read field by field, no message object. */
    @Benchmark
    public int protobufDecodeFieldLoop() throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(body);
        int seen = 0;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1, 3, 6 -> seen += in.readStringRequireUtf8().length();
                case 2, 4, 5 -> seen += in.readByteArray().length;
                default -> in.skipField(tag);
            }
        }
        return seen;
    }

    private boolean fieldLoopMatches(KmsApi.EncryptRequest m) throws IOException {
        return protobufDecodeFieldLoop() == m.getKeyId().length() + m.getPlaintext().size();
    }

    /** As the gateway answers: the message built from the result, sized, and written into the buffer. */
    @Benchmark
    public int protobufEncodeGenerated() throws IOException {
        return writeGenerated(out.clear());
    }

    /** Baseline: the same fields written straight into the buffer. */
    @Benchmark
    public int protobufEncodeFields() throws IOException {
        return writeFields(out.clear());
    }

    private int writeGenerated(ByteBuffer buf) throws IOException {
        KmsApi.EncryptResponse m = KmsApi.EncryptResponse.newBuilder().setKeyId("key-4f0c1c5e-8a54-4b8e-9d9c-3c0e8f6e9c11")
                .setCiphertextBlob(ByteString.copyFrom(ciphertext)).setIv(ByteString.copyFrom(iv))
                .setRequestId("0b9c3b6e-7f7a-4d8e-a3f2-1d2c3b4a5f60").setAlgorithm("AES_GCM").build();
        int size = m.getSerializedSize();
        CodedOutputStream o = CodedOutputStream.newInstance(buf);
        m.writeTo(o);
        o.flush();
        return size;
    }

    private int writeFields(ByteBuffer buf) throws IOException {
        CodedOutputStream o = CodedOutputStream.newInstance(buf);
        o.writeString(1, "key-4f0c1c5e-8a54-4b8e-9d9c-3c0e8f6e9c11");
        o.writeByteArray(2, ciphertext);
        o.writeByteArray(3, iv);
        o.writeString(4, "0b9c3b6e-7f7a-4d8e-a3f2-1d2c3b4a5f60");
        o.writeString(5, "AES_GCM");
        o.flush();
        return buf.position();
    }
}
