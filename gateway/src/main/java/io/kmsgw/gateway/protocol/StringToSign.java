package io.kmsgw.gateway.protocol;

import java.util.List;
import java.util.Map;

/**
 * The dkms-gcs-0.2 string to sign: method, content-sha256, content-type and date lines, one
 * {@code name:value} line per x-kms-* header sorted by name, then the resource {@code /}.
 */
public final class StringToSign {
    private StringToSign() {
    }

    public static String of(String contentSha256, String contentType, String date, List<Map.Entry<String, String>> sortedKmsHeaders) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("POST\n")
                .append(contentSha256 == null ? "" : contentSha256).append('\n')
                .append(contentType == null ? "" : contentType).append('\n')
                .append(date == null ? "" : date).append('\n');
        for (Map.Entry<String, String> h : sortedKmsHeaders) {
            sb.append(h.getKey()).append(':').append(h.getValue()).append('\n');
        }
        return sb.append('/').toString();
    }
}
