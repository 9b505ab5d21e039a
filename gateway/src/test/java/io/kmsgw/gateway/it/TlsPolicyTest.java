package io.kmsgw.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.server.GatewayServer;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS policy on every engine: TLS 1.2 with ECDHE-GCM only. Old-protocol ClientHellos are written by
 * hand (the JDK client will not send them), so the server's own refusal is what is tested; each
 * refusal has a positive control on the same connection path.
 */
class TlsPolicyTest {
    @TempDir
    Path dir;

    private static final int ECDHE_ECDSA_AES128_GCM_SHA256 = 0xC02B;
    private static final int ECDHE_ECDSA_AES128_CBC_SHA = 0xC009;
    private static final int ECDHE_RSA_AES128_CBC_SHA = 0xC013;

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk", "bcjsse"})
    void onlyTls12WithGcmIsAccepted(String engine) throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, engine), Clock.systemUTC())) {
            int port = server.port();
            SSLContext ctx = AdminCommand.trusting(TestGateway.instance(server).get("CaFile").asText().transform(Path::of));
            // positive control with the JDK client: TLS 1.2, GCM, chain = leaf + intermediate, no client certificate
            try (SSLSocket s = socket(ctx, port, new String[] {"TLSv1.2"}, null)) {
                s.startHandshake();
                assertEquals("TLSv1.2", s.getSession().getProtocol());
                assertTrue(s.getSession().getCipherSuite().contains("_GCM_"), s.getSession().getCipherSuite());
                Certificate[] chain = s.getSession().getPeerCertificates();
                assertEquals(2, chain.length, "the server sends leaf + intermediate");
                assertEquals(((X509Certificate) chain[1]).getSubjectX500Principal(),
                        ((X509Certificate) chain[0]).getIssuerX500Principal());
                assertNull(s.getSession().getLocalCertificates(), "no client certificate was asked for");
            }
            // positive control: a hand-written TLS 1.2 hello with a GCM suite gets a ServerHello for TLS 1.2
            byte[] reply = hello(port, 0x0303, ECDHE_ECDSA_AES128_GCM_SHA256);
            assertEquals(0x16, reply[0] & 0xff, engine + ": handshake record expected for TLS 1.2 + GCM, got " + java.util.HexFormat.of().formatHex(reply));
            assertEquals(0x02, reply[5] & 0xff, "ServerHello");
            assertEquals(0x0303, ((reply[9] & 0xff) << 8) | (reply[10] & 0xff), "server chose TLS 1.2");

            for (int version : new int[] {0x0300, 0x0301, 0x0302}) {
                byte[] r = hello(port, version, ECDHE_ECDSA_AES128_CBC_SHA, ECDHE_RSA_AES128_CBC_SHA, ECDHE_ECDSA_AES128_GCM_SHA256);
                assertTrue(r.length == 0 || (r[0] & 0xff) == 0x15,
                        engine + ": protocol 0x" + Integer.toHexString(version) + " must be refused, got record type " + (r.length == 0 ? -1 : r[0]));
            }
            // TLS 1.2 with only non-GCM suites: refused
            byte[] cbc = hello(port, 0x0303, ECDHE_ECDSA_AES128_CBC_SHA, ECDHE_RSA_AES128_CBC_SHA);
            assertTrue(cbc.length == 0 || (cbc[0] & 0xff) == 0x15, engine + ": CBC-only hello must be refused");
            // DHE, RSA key exchange, NULL and export suites, each offered alone: refused
            int[][] weak = {{0x009E}, {0x009C}, {0x003B, 0xC006}, {0x0003, 0x0008}};
            for (int[] suites : weak) {
                byte[] r = hello(port, 0x0303, suites);
                assertTrue(r.length == 0 || (r[0] & 0xff) == 0x15,
                        engine + ": suites " + java.util.Arrays.toString(suites) + " must be refused, got record type " + (r.length == 0 ? -1 : r[0]));
            }

            assertThrows(SSLException.class, () -> {
                try (SSLSocket s = socket(ctx, port, new String[] {"TLSv1.3"}, null)) {
                    s.startHandshake();
                }
            }, engine + ": TLS 1.3 must be refused");
            assertThrows(SSLException.class, () -> {
                try (SSLSocket s = socket(ctx, port, new String[] {"TLSv1.2"}, new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"})) {
                    s.startHandshake();
                }
            }, engine + ": a non-GCM suite must be refused");
        }
    }

    /**
     * A client that asks to renegotiate on an established connection is refused with an alert
     * (BoringSSL: fatal no_renegotiation; JDK: fatal handshake_failure; BCJSSE: no_renegotiation, which the
     * JDK client treats as fatal). Had the server renegotiated, the request would be answered instead.
     * A fresh connection works afterwards.
     */
    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk", "bcjsse"})
    void renegotiationIsRefused(String engine) throws Exception {
        try (GatewayServer server = GatewayServer.start(TestGateway.settings(dir, engine), Clock.systemUTC())) {
            SSLContext ctx = AdminCommand.trusting(TestGateway.instance(server).get("CaFile").asText().transform(Path::of));
            try (SSLSocket s = socket(ctx, server.port(), new String[] {"TLSv1.2"}, null)) {
                s.startHandshake();
                s.getSession().invalidate();
                SSLException refusal = assertThrows(SSLException.class, () -> {
                    s.startHandshake(); // TLS 1.2: a new ClientHello on the established connection
                    s.getOutputStream().write("POST / HTTP/1.1\r\ncontent-length: 0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().read();
                }, engine + ": a client-initiated renegotiation must be refused");
                assertTrue(refusal.getMessage().contains("renegotiation") || refusal.getMessage().contains("handshake_failure"),
                        engine + ": " + refusal.getMessage());
            }
            try (SSLSocket s = socket(ctx, server.port(), new String[] {"TLSv1.2"}, null)) {
                s.startHandshake();
                assertEquals("TLSv1.2", s.getSession().getProtocol(), "a fresh connection still works");
            }
        }
    }

    private static SSLSocket socket(SSLContext ctx, int port, String[] protocols, String[] suites) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(5000);
        s.setEnabledProtocols(protocols);
        if (suites != null) {
            s.setEnabledCipherSuites(suites);
        }
        return s;
    }

    /** Sends a minimal ClientHello and returns the first bytes the server answers with (empty if it just closed). */
    static byte[] hello(int port, int version, int... suites) throws IOException {
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        DataOutputStream e = new DataOutputStream(ext);
        e.writeShort(0x000a); // supported_groups: secp256r1, secp384r1
        e.writeShort(6);
        e.writeShort(4);
        e.writeShort(0x0017);
        e.writeShort(0x0018);
        e.writeShort(0x000b); // ec_point_formats: uncompressed
        e.writeShort(2);
        e.writeByte(1);
        e.writeByte(0);
        e.writeShort(0x0017); // extended_master_secret
        e.writeShort(0);
        e.writeShort(0xff01); // renegotiation_info (initial handshake)
        e.writeShort(1);
        e.writeByte(0);
        if (version >= 0x0303) {
            e.writeShort(0x000d); // signature_algorithms
            e.writeShort(12);
            e.writeShort(10);
            e.writeShort(0x0403);
            e.writeShort(0x0503);
            e.writeShort(0x0603);
            e.writeShort(0x0804);
            e.writeShort(0x0401);
        }
        ByteArrayOutputStream hs = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(hs);
        h.writeShort(version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        h.write(random);
        h.writeByte(0);
        h.writeShort(suites.length * 2);
        for (int s : suites) {
            h.writeShort(s);
        }
        h.writeByte(1);
        h.writeByte(0);
        if (version > 0x0300) {
            h.writeShort(ext.size());
            h.write(ext.toByteArray());
        }
        byte[] body = hs.toByteArray();
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        DataOutputStream r = new DataOutputStream(rec);
        r.writeByte(0x16);
        r.writeShort(Math.min(version, 0x0301));
        r.writeShort(body.length + 4);
        r.writeByte(1);
        r.writeByte(body.length >>> 16);
        r.writeShort(body.length & 0xffff);
        r.write(body);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(rec.toByteArray());
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            List<Byte> got = new ArrayList<>();
            try {
                int b;
                while (got.size() < 16 && (b = in.read()) >= 0) {
                    got.add((byte) b);
                }
            } catch (IOException reset) {
                // a reset after an alert is a refusal too
            }
            byte[] out = new byte[got.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = got.get(i);
            }
            return out;
        }
    }
}
