package io.kmsgw.gateway.it;

import io.kmsgw.gateway.cli.AdminCommand;
import io.kmsgw.gateway.protocol.StringToSign;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSocket;

/** Hand-written HTTP/1.1 over TLS, for framing cases a library client will not produce, and a request signer. */
final class RawHttps {
    record Response(int status, Map<String, String> headers, byte[] body) {
    }

    private RawHttps() {
    }

    static Response send(Path caFile, int port, String head, byte[] body) throws Exception {
        return sendFrom(null, caFile, port, head, body);
    }

    /** As {@link #send}, from a chosen local address (e.g. 127.0.0.2) when {@code local} is not null. */
    static Response sendFrom(String local, Path caFile, int port, String head, byte[] body) throws Exception {
        java.net.Socket plain = new java.net.Socket();
        if (local != null) {
            plain.bind(new java.net.InetSocketAddress(local, 0));
        }
        plain.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
        try (SSLSocket s = (SSLSocket) AdminCommand.trusting(caFile).getSocketFactory().createSocket(plain, "127.0.0.1", port, true)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(s.getInputStream());
        }
    }

    /** Writes several requests in one go (HTTP/1.1 pipelining) and reads that many responses in order. */
    static List<Response> pipelined(Path caFile, int port, byte[] requests, int count) throws Exception {
        try (SSLSocket s = (SSLSocket) AdminCommand.trusting(caFile).getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(requests);
            s.getOutputStream().flush();
            InputStream in = new java.io.BufferedInputStream(s.getInputStream());
            List<Response> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(read(in));
            }
            return out;
        }
    }

    static Response read(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        String status = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while (!(l = line(in)).isEmpty()) {
            int c = l.indexOf(':');
            headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        byte[] body = new byte[Integer.parseInt(headers.getOrDefault("content-length", "0"))];
        in.readFully(body);
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, body);
    }

    private static String line(DataInputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Signs like the SDK with the quick-start client key; returns the header block (without the final CRLF). */
    static String signedHeaders(GatewayServerInfo info, String api, byte[] body) throws Exception {
        return signedHeaders(info.clientKeyId(), info.privateKey(), api, body);
    }

    static String signedHeaders(String clientKeyId, PrivateKey privateKey, String api, byte[] body) throws Exception {
        return signedHeaders(clientKeyId, privateKey, api, body, ZonedDateTime.now(ZoneOffset.UTC));
    }

    /** As the SDK signs, with a chosen Date header (a client whose clock differs from the server's). */
    static String signedHeaders(String clientKeyId, PrivateKey privateKey, String api, byte[] body, ZonedDateTime at) throws Exception {
        GatewayServerInfo info = new GatewayServerInfo(clientKeyId, privateKey);
        String sha = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(at.withZoneSameInstant(ZoneOffset.UTC));
        List<Map.Entry<String, String>> kms = new ArrayList<>(List.of(
                new AbstractMap.SimpleImmutableEntry<>("x-kms-acccesskeyid", info.clientKeyId()),
                new AbstractMap.SimpleImmutableEntry<>("x-kms-apiname", api),
                new AbstractMap.SimpleImmutableEntry<>("x-kms-apiversion", "dkms-gcs-0.2"),
                new AbstractMap.SimpleImmutableEntry<>("x-kms-signaturemethod", "RSA_PKCS1_SHA_256")));
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(info.privateKey());
        s.update(StringToSign.of(sha, "application/x-protobuf", date, kms).getBytes(StandardCharsets.UTF_8));
        StringBuilder h = new StringBuilder();
        for (Map.Entry<String, String> e : kms) {
            h.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        h.append("content-type: application/x-protobuf\r\n").append("content-sha256: ").append(sha).append("\r\n")
                .append("date: ").append(date).append("\r\n")
                .append("authorization: Bearer ").append(Base64.getEncoder().encodeToString(s.sign())).append("\r\n");
        return h.toString();
    }

    /** The quick-start client key, read the way an SDK reads it. */
    record GatewayServerInfo(String clientKeyId, PrivateKey privateKey) {
        static GatewayServerInfo of(com.fasterxml.jackson.databind.JsonNode instance) throws Exception {
            var qs = instance.get("QuickStart");
            return fromFiles(Path.of(qs.get("ClientKeyFile").asText()), Path.of(qs.get("PasswordFile").asText()));
        }

        /** Reads clientKey_<id>.json and its password file as the SDKs do. */
        static GatewayServerInfo fromFiles(Path keyJson, Path passwordFile) throws Exception {
            var keyFile = new com.fasterxml.jackson.databind.ObjectMapper().readTree(keyJson.toFile());
            char[] pw = Files.readString(passwordFile).toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new java.io.ByteArrayInputStream(Base64.getDecoder().decode(keyFile.get("PrivateKeyData").asText())), pw);
            return new GatewayServerInfo(keyFile.get("KeyId").asText(),
                    (PrivateKey) ks.getKey(Collections.list(ks.aliases()).get(0), pw));
        }
    }
}
