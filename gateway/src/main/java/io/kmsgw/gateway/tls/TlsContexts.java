package io.kmsgw.gateway.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.List;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server TLS: TLS 1.2 only, ECDHE with AES-GCM only, no client certificate required. Engines:
 * {@code openssl} (BoringSSL via netty-tcnative; the default, ~10x the JDK on full handshakes here),
 * {@code jdk}, and {@code bcjsse} (BouncyCastle JSSE over BouncyCastle crypto). {@code openssl} falls back to {@code jdk} with a
 * warning when the native library does not load.
 */
public final class TlsContexts {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);

    /** The only suites offered; the ECDSA leaf uses the first two. */
    public static final List<String> CIPHERS = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

    static {
        // No renegotiation on any engine: BoringSSL and BCJSSE servers never renegotiate; the JDK's reads
        // this once when its server handshake classes load, so it is set before any server context exists.
        System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    }

    /** Built on first use only: setting up BouncyCastle's providers costs a quarter second of start time. */
    private static final class Bcjsse {
        static final BouncyCastleJsseProvider PROVIDER = new BouncyCastleJsseProvider(new BouncyCastleProvider());
    }

    private TlsContexts() {
    }

    /** BCJSSE selects credentials through its own PKIX key manager, not the JDK's SunX509 one. */
    private static KeyManagerFactory bcjsseKeyManager(InstancePki.Material pki) throws SSLException {
        try {
            char[] none = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", pki.leafKey(), none, new Certificate[] {pki.leaf(), pki.intermediate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX", Bcjsse.PROVIDER);
            kmf.init(ks, none);
            return kmf;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new SSLException("cannot build the BCJSSE key manager", e);
        }
    }

    /** The engine actually used for {@code requested} ("openssl" may become "jdk"). */
    public static String effectiveEngine(String requested) {
        if ("openssl".equals(requested) && !OpenSsl.isAvailable()) {
            LOG.warn("TLS engine openssl is unavailable ({}); using jdk", String.valueOf(OpenSsl.unavailabilityCause()));
            return "jdk";
        }
        return requested;
    }

    public static SslContext server(InstancePki.Material pki, String engine) throws SSLException {
        SslContextBuilder b = "bcjsse".equals(engine)
                ? SslContextBuilder.forServer(bcjsseKeyManager(pki))
                : SslContextBuilder.forServer(pki.leafKey(), pki.leaf(), pki.intermediate());
        b.protocols("TLSv1.2")
                .ciphers(CIPHERS)
                .clientAuth(ClientAuth.NONE);
        switch (engine) {
            case "openssl" -> b.sslProvider(SslProvider.OPENSSL);
            case "bcjsse" -> b.sslProvider(SslProvider.JDK).sslContextProvider(Bcjsse.PROVIDER);
            default -> b.sslProvider(SslProvider.JDK);
        }
        return b.build();
    }
}
