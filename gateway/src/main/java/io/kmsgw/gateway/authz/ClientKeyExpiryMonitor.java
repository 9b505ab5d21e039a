package io.kmsgw.gateway.authz;

import io.kmsgw.gateway.auth.ClientKeyRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises an event once per threshold (180, 90, 30, 7 days before NotAfter) for each live client key:
 * a WARN log line (ERROR at 7 days) naming the key and its AAP. Which thresholds fired is remembered
 * through {@code seen}/{@code remember}, so a restart does not repeat them.
 */
public final class ClientKeyExpiryMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(ClientKeyExpiryMonitor.class);
    public static final int[] THRESHOLD_DAYS = {180, 90, 30, 7};

    /** One raised event (also returned for tests and the admin plane). */
    public record Event(String clientKeyId, String aapName, int thresholdDays, long daysLeft) {
    }

    private final AccessService access;
    private final Clock clock;
    private final Function<String, String> seen;
    private final BiConsumer<String, String> remember;

    public ClientKeyExpiryMonitor(AccessService access, Clock clock, Function<String, String> seen, BiConsumer<String, String> remember) {
        this.access = access;
        this.clock = clock;
        this.seen = seen;
        this.remember = remember;
    }

    /** Checks every live client key; returns the events raised now. */
    public List<Event> check() {
        List<Event> raised = new ArrayList<>();
        for (ClientKeyRegistry.Entry k : access.liveClientKeys()) {
            long daysLeft = Duration.between(clock.instant(), k.notAfter()).toDays();
            int threshold = -1;
            for (int t : THRESHOLD_DAYS) {
                if (daysLeft < t) {
                    threshold = t;
                }
            }
            if (threshold < 0) {
                continue;
            }
            String key = "expiry_alert." + k.clientKeyId();
            String last = seen.apply(key);
            if (last != null && Integer.parseInt(last) <= threshold) {
                continue;
            }
            remember.accept(key, Integer.toString(threshold));
            Event e = new Event(k.clientKeyId(), k.aapName(), threshold, Math.max(0, daysLeft));
            raised.add(e);
            if (threshold <= 7) {
                LOG.error("client key {} of AAP {} expires in {} days ({}); rotate it now", k.clientKeyId(), k.aapName(), e.daysLeft(),
                        k.notAfter());
            } else {
                LOG.warn("client key {} of AAP {} expires in {} days ({}), under the {}-day threshold; plan its rotation",
                        k.clientKeyId(), k.aapName(), e.daysLeft(), k.notAfter(), threshold);
            }
        }
        return raised;
    }
}
