package io.kmsgw.crypto.api;

import java.time.Instant;

/** One version of a key as management sees it: its ids and when it was made (never its material). */
public record KeyVersionInfo(String keyId, String versionId, Instant creationDate) {
}
