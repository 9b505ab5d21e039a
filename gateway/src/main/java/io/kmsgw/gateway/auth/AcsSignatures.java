package io.kmsgw.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two AccessKey signatures of the Alibaba Cloud OpenAPI (for the KMS OpenAPI 2016-01-20 front door, issue 28), as
 * pure functions over what a request carries: V3 ({@code Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,
 * Signature=…}, HMAC-SHA256 over a canonical request) and RPC V1 ({@code Signature} in the parameters, HMAC-SHA1 over the
 * sorted, percent-encoded parameters). Built from Alibaba Cloud's published signature documentation and checked against
 * the official SDK's own signer in the tests. Comparisons are constant-time; nothing here logs or keeps a secret.
 */
public final class AcsSignatures {
    public static final String V3_ALGORITHM = "ACS3-HMAC-SHA256";
    private static final HexFormat HEX = HexFormat.of();

    private AcsSignatures() {
    }

    /** A V3 {@code Authorization} header taken apart: the AccessKey id, the signed header names (lower case, in order), the signature. */
    public record V3Authorization(String accessKeyId, List<String> signedHeaders, String signatureHex) {
    }

    /**
     * Parses {@code ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b;c,Signature=hex}; null when the header is not a V3
     * authorization at all (another scheme); {@link IllegalArgumentException} when it is one but incomplete or malformed
     * (a missing part, a part twice, an empty or unsorted header list, a signature that is not 64 hex digits).
     */
    public static V3Authorization parseV3(String authorization) {
        if (authorization == null || !authorization.startsWith(V3_ALGORITHM + " ")) {
            return null;
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : authorization.substring(V3_ALGORITHM.length() + 1).split(",", -1)) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("The Authorization header has a part without a value.");
            }
            String name = p.substring(0, eq);
            String value = p.substring(eq + 1);
            String before;
            switch (name) {
                case "Credential" -> {
                    before = credential;
                    credential = value;
                }
                case "SignedHeaders" -> {
                    before = signedHeaders;
                    signedHeaders = value;
                }
                case "Signature" -> {
                    before = signature;
                    signature = value;
                }
                default -> throw new IllegalArgumentException("The Authorization header has an unknown part.");
            }
            if (before != null) {
                throw new IllegalArgumentException("The Authorization header names " + name + " twice.");
            }
        }
        if (credential == null || credential.isEmpty() || signedHeaders == null || signedHeaders.isEmpty() || signature == null) {
            throw new IllegalArgumentException("The Authorization header needs Credential, SignedHeaders and Signature.");
        }
        if (signature.length() != 64 || !signature.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("The Signature is not 64 lower-case hex digits.");
        }
        List<String> names = List.of(signedHeaders.split(";", -1));
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.isEmpty() || !n.equals(n.toLowerCase(Locale.ROOT)) || (i > 0 && names.get(i - 1).compareTo(n) >= 0)) {
                throw new IllegalArgumentException("SignedHeaders must be distinct lower-case names in order.");
            }
        }
        return new V3Authorization(credential, names, signature);
    }

    /**
     * The V3 string to sign: {@code ACS3-HMAC-SHA256\n} + hex SHA-256 of the canonical request (method, path, the query
     * sorted by name with names and values percent-encoded, each signed header as {@code name:trimmed value\n}, the signed
     * names joined by {@code ;}, and the payload's hex SHA-256 as the client declared it).
     *
     * @param query  every query parameter, decoded (a name given twice is the caller's to refuse before this)
     * @param headers the signed headers' values by lower-case name; a name in {@code signedHeaders} missing here is an error
     */
    public static String v3StringToSign(String method, String path, Map<String, String> query, List<String> signedHeaders,
                                        Map<String, String> headers, String payloadSha256Hex) {
        StringBuilder canonical = new StringBuilder(512).append(method).append('\n').append(path.isEmpty() ? "/" : path).append('\n');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(query).entrySet()) { // sorted by the names as sent, as the SDK signs
            canonical.append(first ? "" : "&").append(percentEncode(e.getKey())).append('=')
                    .append(e.getValue() == null ? "" : percentEncode(e.getValue()));
            first = false;
        }
        canonical.append('\n');
        for (String name : signedHeaders) {
            String v = headers.get(name);
            if (v == null) {
                throw new IllegalArgumentException("The signed header " + name + " is not in the request.");
            }
            canonical.append(name).append(':').append(v.trim()).append('\n');
        }
        canonical.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadSha256Hex);
        return V3_ALGORITHM + "\n" + HEX.formatHex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code signatureHex} is HMAC-SHA256(secret, stringToSign), compared in constant time. */
    public static boolean verifyV3(byte[] secret, String stringToSign, String signatureHex) {
        byte[] expected = mac("HmacSHA256", secret, stringToSign);
        byte[] given;
        try {
            given = HEX.parseHex(signatureHex);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(expected, given);
    }

    /**
     * The RPC V1 string to sign: {@code METHOD&%2F&} + the percent-encoded canonical query (every parameter but
     * {@code Signature} and those with an empty value, which the SDK leaves out of what it signs; sorted by name as sent;
     * names and values percent-encoded; joined by {@code &}).
     */
    public static String v1StringToSign(String method, Map<String, String> parameters) {
        StringBuilder q = new StringBuilder(512);
        for (Map.Entry<String, String> e : new TreeMap<>(parameters).entrySet()) {
            if (e.getKey().equals("Signature") || e.getValue() == null || e.getValue().isEmpty()) {
                continue;
            }
            q.append(q.length() == 0 ? "" : "&").append(percentEncode(e.getKey())).append('=').append(percentEncode(e.getValue()));
        }
        return method + "&" + percentEncode("/") + "&" + percentEncode(q.toString());
    }

    /** Whether {@code signatureBase64} is Base64(HMAC-SHA1(secret + "&", stringToSign)), compared in constant time. */
    public static boolean verifyV1(byte[] secret, String stringToSign, String signatureBase64) {
        byte[] key = new byte[secret.length + 1];
        System.arraycopy(secret, 0, key, 0, secret.length);
        key[secret.length] = '&';
        try {
            byte[] given = java.util.Base64.getDecoder().decode(signatureBase64);
            return MessageDigest.isEqual(mac("HmacSHA1", key, stringToSign), given);
        } catch (IllegalArgumentException e) {
            return false;
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    /** RFC 3986 percent-encoding of UTF-8 as the OpenAPI signs it: unreserved characters {@code A-Z a-z 0-9 - _ . ~} stay. */
    public static String percentEncode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(b.length + 16);
        for (byte x : b) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] mac(String algorithm, byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
