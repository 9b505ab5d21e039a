package io.kmsgw.gateway.server;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whatever a start opened, closed in reverse order: on a failed start and on stop alike. A failing close
 * is logged and the rest still close.
 */
final class Closer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Closer.class);

    private final Deque<AutoCloseable> stack = new ArrayDeque<>();

    /** Registers {@code c} to be closed before everything registered earlier; returns it. */
    synchronized <T extends AutoCloseable> T add(T c) {
        stack.push(c);
        return c;
    }

    @Override
    public void close() {
        while (true) {
            AutoCloseable c;
            synchronized (this) {
                c = stack.poll();
            }
            if (c == null) {
                return;
            }
            try {
                c.close();
            } catch (Exception | Error e) {
                LOG.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
