package io.kmsgw.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.kmsgw.gateway.auth.SignatureVerifier;
import io.kmsgw.gateway.protocol.StringToSign;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.kmsgw.gateway.tls.Pem;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
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
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The floor: Netty TLS 1.2 (same engine, certificate and suites as the gateway) + the same RSA-2048
 * request verification + one AES-GCM encryption, and nothing else (no policy, audit, engine or HSM).
 * kmsgw's throughput divided by the floor's shows what the features cost.
 * {@code java -jar benchmarks/target/kmsgw-bench.jar floor --instance data/instance.json [--port 0]}
 */
public final class FloorServer {
    private FloorServer() {
    }

    /** A running floor: its port, and close to stop it. */
    record Running(EventLoopGroup group, Channel server, int port) implements AutoCloseable {
        @Override
        public void close() {
            server.close().awaitUninterruptibly(5_000);
            group.shutdownGracefully(0, 1000, java.util.concurrent.TimeUnit.MILLISECONDS).awaitUninterruptibly(5_000);
        }
    }

    public static void run(String[] argv) throws Exception {
        Running floor = start(argv);
        System.out.println("floor ready: endpoint=127.0.0.1:" + floor.port() + " pid=" + ProcessHandle.current().pid());
        floor.server().closeFuture().sync();
    }

    /** Starts the floor on the instance's TLS material and quick-start client key; returns once it accepts connections. */
    static Running start(String[] argv) throws Exception {
        Map<String, String> a = LoadHarness.args(argv);
        JsonNode instance = new ObjectMapper().readTree(Path.of(a.getOrDefault("instance", "data/instance.json")).toFile());
        Path dataDir = Path.of(instance.get("CaFile").asText()).getParent();
        SslContext ssl = SslContextBuilder.forServer(
                Pem.privateKey(Files.readString(dataDir.resolve("tls/server-key.pem"))),
                Pem.certificates(Files.readString(dataDir.resolve("tls/server-chain.pem"))).toArray(X509Certificate[]::new))
                .protocols("TLSv1.2").ciphers(io.kmsgw.gateway.tls.TlsContexts.CIPHERS)
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK).build();
        LoadHarness.ClientKey ck = LoadHarness.ClientKey.of(instance);
        JsonNode qs = instance.get("QuickStart");
        JsonNode file = new ObjectMapper().readTree(Path.of(qs.get("ClientKeyFile").asText()).toFile());
        char[] pw = Files.readString(Path.of(qs.get("PasswordFile").asText())).toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(Base64.getDecoder().decode(file.get("PrivateKeyData").asText())), pw);
        SignatureVerifier verifier = new SignatureVerifier(true);
        PublicKey pub = verifier.prepare(ks.getCertificate(Collections.list(ks.aliases()).get(0)).getPublicKey());
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        SecretKeySpec aes = new SecretKeySpec(k, "AES");
        Handler handler = new Handler(verifier, pub, ck.id(), aes);

        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new HttpServerCodec(), new HttpObjectAggregator(3 << 20), handler);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(a.getOrDefault("port", "0")))).sync().channel();
        return new Running(group, server, ((InetSocketAddress) server.localAddress()).getPort());
    }

    @ChannelHandler.Sharable
    static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final SignatureVerifier verifier;
        private final PublicKey key;
        private final String keyId;
        private final SecretKeySpec aes;
        private final ThreadLocal<Cipher> gcm = ThreadLocal.withInitial(() -> {
            try {
                return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        private final ThreadLocal<SecureRandom> random = ThreadLocal.withInitial(SecureRandom::new);

        Handler(SignatureVerifier verifier, PublicKey key, String keyId, SecretKeySpec aes) {
            this.verifier = verifier;
            this.key = key;
            this.keyId = keyId;
            this.aes = aes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
            HttpHeaders h = req.headers();
            byte[] body = ByteBufUtil.getBytes(req.content());
            String sha = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            List<Map.Entry<String, String>> kms = new ArrayList<>();
            for (Map.Entry<String, String> e : h) {
                String n = e.getKey().toLowerCase();
                if (n.startsWith("x-kms-")) {
                    kms.add(new AbstractMap.SimpleImmutableEntry<>(n, e.getValue().trim()));
                }
            }
            kms.sort(Map.Entry.comparingByKey());
            byte[] sig = Base64.getDecoder().decode(h.get("authorization").substring(7));
            boolean ok = sha.equals(h.get("content-sha256")) && keyId.equals(h.get("x-kms-acccesskeyid"))
                    && verifier.verify(key, StringToSign.of(sha, h.get("content-type"), h.get("date"), kms).getBytes(StandardCharsets.UTF_8), sig);
            FullHttpResponse resp;
            if (!ok) {
                resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED, Unpooled.wrappedBuffer(
                        KmsApi.Error.newBuilder().setStatusCode(401).setErrorCode("SignatureNotMatch").build().toByteArray()));
            } else {
                KmsApi.EncryptRequest m = KmsApi.EncryptRequest.parseFrom(body);
                byte[] iv = new byte[12];
                random.get().nextBytes(iv);
                Cipher c = gcm.get();
                c.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(128, iv));
                byte[] ct = c.doFinal(m.getPlaintext().toByteArray());
                resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(
                        KmsApi.EncryptResponse.newBuilder().setKeyId(m.getKeyId()).setCiphertextBlob(ByteString.copyFrom(ct))
                                .setIv(ByteString.copyFrom(iv)).setAlgorithm("AES_GCM").setRequestId("floor").build().toByteArray()));
            }
            resp.headers().set("content-type", "application/x-protobuf").setInt("content-length", resp.content().readableBytes());
            ctx.writeAndFlush(resp);
        }
    }
}
