package io.kmsgw.gateway.audit;

/**
 * What the audit remembers of one client key beyond record retention: the rotation question ("is the old key still used,
 * and from where?") must have an answer after its records are gone. {@code requests} counts from the version that began
 * keeping this summary; {@code lastIp} and {@code lastApi} are empty for a key last used before it.
 */
public record ClientKeyUsage(String clientKeyId, long firstMillis, long lastMillis, String lastIp, String lastApi, long requests) {
}
