package io.kmsgw.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-request deadline with its lazily re-armed timer, on the event loop's (mock) clock. */
class RequestDeadlineTest {
    private static EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDeadline(1000));
        ch.freezeTime();
        return ch;
    }

    private static void bytes(EmbeddedChannel ch) {
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        ch.releaseInbound();
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void aRequestThatDoesNotCompleteInTimeClosesTheConnection() {
        EmbeddedChannel ch = channel();
        bytes(ch);
        advance(ch, 600);
        bytes(ch); // more bytes of the same request do not restart its clock
        advance(ch, 399);
        assertTrue(ch.isOpen());
        advance(ch, 1);
        assertFalse(ch.isOpen());
    }

    @Test
    void eachRequestGetsTheWholeDeadline() {
        EmbeddedChannel ch = channel();
        for (int i = 0; i < 5; i++) {
            bytes(ch);
            advance(ch, 900);
            RequestDeadline.received(ch);
            advance(ch, 50); // idle between requests costs nothing
        }
        assertTrue(ch.isOpen());
        // the timer armed for an earlier request fires during this one and re-arms for what is left
        bytes(ch);
        advance(ch, 999);
        assertTrue(ch.isOpen());
        advance(ch, 1);
        assertFalse(ch.isOpen());
    }

    @Test
    void anIdleConnectionIsLeftAlone() {
        EmbeddedChannel ch = channel();
        bytes(ch);
        RequestDeadline.received(ch);
        advance(ch, 10_000);
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
