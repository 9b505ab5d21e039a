package io.kmsgw.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.kmsgw.gateway.auth.AcsSignatures;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * KMS OpenAPI Encrypt requests for the load harness ({@code --api OpenApiEncrypt}): RPC V1 GETs signed with an AccessKey
 * the harness makes on the quick-start AAP. A signed OpenAPI request can be served once (its nonce), so unlike the
 * instance protocol's pre-signed pool each one is signed when it is sent, on the client's event loop (an HMAC-SHA1 and
 * the query string: a few microseconds, which the client pays and the instance-protocol runs do not).
 */
final class OpenApiRequests {
    private final String accessKeyId;
    private final byte[] secret;
    private final String[] plaintexts;
    private final String noncePrefix;
    private final AtomicLong counter = new AtomicLong();
    private final ThreadLocal<Mac> mac;
    private volatile long timestampSecond;
    private volatile String timestamp;

    private OpenApiRequests(String accessKeyId, String secret, int payload) {
        this.accessKeyId = accessKeyId;
        this.secret = (secret + "&").getBytes(StandardCharsets.UTF_8);
        SecureRandom r = new SecureRandom();
        this.plaintexts = new String[1024];
        for (int i = 0; i < plaintexts.length; i++) {
            byte[] data = new byte[payload];
            r.nextBytes(data);
            plaintexts[i] = Base64.getEncoder().encodeToString(data);
        }
        this.noncePrefix = Long.toHexString(r.nextLong()) + "-";
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA1");
                m.init(new SecretKeySpec(this.secret, "HmacSHA1"));
                return m;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** An AccessKey of the quick-start AAP for this run (the oldest of two is deleted first: an AAP holds at most two). */
    static OpenApiRequests create(Admin admin, int payload) throws Exception {
        JsonNode existing = admin.call("ListAccessKeys", "{\"AapName\":\"quickstart\"}").get("AccessKeys");
        if (existing.size() >= 2) {
            admin.call("DeleteAccessKey", "{\"AccessKeyId\":\"" + existing.get(0).get("AccessKeyId").asText() + "\"}");
        }
        JsonNode ak = admin.call("CreateAccessKey", "{\"AapName\":\"quickstart\"}");
        return new OpenApiRequests(ak.get("AccessKeyId").asText(), ak.get("AccessKeySecret").asText(), payload);
    }

    /** The next request, signed now with a nonce of its own. */
    byte[] next() {
        long n = counter.getAndIncrement();
        long second = System.currentTimeMillis() / 1000;
        String ts = timestamp;
        if (second != timestampSecond || ts == null) {
            ts = Instant.ofEpochSecond(second).truncatedTo(ChronoUnit.SECONDS).toString();
            timestamp = ts;
            timestampSecond = second;
        }
        Map<String, String> p = new LinkedHashMap<>();
        p.put("AccessKeyId", accessKeyId);
        p.put("Action", "Encrypt");
        p.put("Format", "JSON");
        p.put("KeyId", "alias/quickstart");
        p.put("Plaintext", plaintexts[(int) (n % plaintexts.length)]);
        p.put("SignatureMethod", "HMAC-SHA1");
        p.put("SignatureNonce", noncePrefix + n);
        p.put("SignatureVersion", "1.0");
        p.put("Timestamp", ts);
        p.put("Version", "2016-01-20");
        String signature = Base64.getEncoder().encodeToString(mac.get().doFinal(
                AcsSignatures.v1StringToSign("GET", p).getBytes(StandardCharsets.UTF_8)));
        StringBuilder sb = new StringBuilder(512).append("GET /?");
        for (Map.Entry<String, String> e : p.entrySet()) {
            sb.append(AcsSignatures.percentEncode(e.getKey())).append('=').append(AcsSignatures.percentEncode(e.getValue())).append('&');
        }
        sb.append("Signature=").append(AcsSignatures.percentEncode(signature))
                .append(" HTTP/1.1\r\nhost: kmsgw\r\nuser-agent: kmsgw-load\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
