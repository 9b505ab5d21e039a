package io.kmsgw.gateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
        Utf8 out = new Utf8();
        writeUtf8(out, contentSha256, contentType, date, sortedKmsHeaders);
        return new String(out.bytes, 0, out.length, StandardCharsets.UTF_8);
    }

    /**
     * Writes the string to sign as UTF-8 (the bytes the client signs) into {@code out}, replacing what it
     * held. The authenticator keeps one {@link Utf8} per event loop, so a request costs no string or
     * builder here, only each part's short-lived bytes.
     */
    public static void writeUtf8(Utf8 out, String contentSha256, String contentType, String date,
                                 List<Map.Entry<String, String>> sortedKmsHeaders) {
        out.length = 0;
        out.text("POST\n").text(contentSha256).put('\n').text(contentType).put('\n').text(date).put('\n');
        for (int i = 0, n = sortedKmsHeaders.size(); i < n; i++) {
            Map.Entry<String, String> h = sortedKmsHeaders.get(i);
            out.text(h.getKey()).put(':').text(h.getValue()).put('\n');
        }
        out.put('/');
    }

    /** A growable byte buffer: {@code bytes()[0, length())} holds the last string written. */
    public static final class Utf8 {
        private byte[] bytes = new byte[512];
        private int length;

        public byte[] bytes() {
            return bytes;
        }

        public int length() {
            return length;
        }

        private Utf8 put(char ascii) {
            ensure(1);
            bytes[length++] = (byte) ascii;
            return this;
        }

        /**
         * Appends {@code s} (null as empty) as UTF-8. The JDK encodes an ASCII string with one vectorised
         * scan and copy, several times faster than a loop over its chars.
         */
        private Utf8 text(String s) {
            if (s == null) {
                return this;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, length, utf8.length);
            length += utf8.length;
            return this;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }
    }
}
