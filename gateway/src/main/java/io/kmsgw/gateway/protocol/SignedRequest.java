package io.kmsgw.gateway.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A whole dkms-gcs-0.2 request as the instance SDKs send it, ready to write to a connection: the {@code x-kms-*} headers,
 * the body's SHA-256, the Date, and the client key's signature over the {@link StringToSign}. The gateway's warm-up and the
 * load harness send these; the gateway itself only ever verifies them.
 */
public final class SignedRequest {
    private SignedRequest() {
    }

    /**
     * @param sign the client key's RSA PKCS#1 v1.5 SHA-256 signature over the string to sign's UTF-8, Base64-encoded
     */
    public static byte[] of(String clientKeyId, Function<byte[], String> sign, String api, byte[] body, String date, String userAgent) {
        String sha;
        try {
            sha = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        TreeMap<String, String> kms = new TreeMap<>(Map.of("x-kms-apiversion", "dkms-gcs-0.2", "x-kms-apiname", api,
                "x-kms-signaturemethod", "RSA_PKCS1_SHA_256", "x-kms-acccesskeyid", clientKeyId));
        List<Map.Entry<String, String>> signed = new ArrayList<>();
        kms.forEach((k, v) -> signed.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
        String signature = sign.apply(StringToSign.of(sha, "application/x-protobuf", date, signed).getBytes(StandardCharsets.UTF_8));
        StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\nhost: kmsgw\r\nuser-agent: ").append(userAgent).append("\r\n");
        kms.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("content-type: application/x-protobuf\r\ncontent-sha256: ").append(sha).append("\r\ndate: ").append(date)
                .append("\r\nauthorization: Bearer ").append(signature).append("\r\ncontent-length: ").append(body.length).append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }
}
