package io.kmsgw.gateway.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each audit record as an RFC 5424 syslog message (facility "log audit", severity informational; the message is the
 * record's JSON line) over UDP, one datagram each, or TCP, framed by octet counting (RFC 6587).
 *
 * <p>Syslog is a copy for the operator's log pipeline, not the record of truth (the audit file and the store are): records
 * are handed over on a thread of its own through a bounded queue, so a slow or absent peer never holds a request. When the
 * peer is down (TCP: connect or write fails) or the queue is full, records are dropped and counted
 * ({@code kmsgw_audit_syslog_dropped}), one log line says it went down and one that it came back; TCP reconnects with
 * backoff up to 30 s. Over UDP a peer that is down loses records unseen: that is UDP.
 *
 * <p>Hand-written: the format is a header line and a frame; no maintained Java library writes RFC 5424 (Logback's
 * appender writes RFC 3164 over UDP only).
 */
final class SyslogSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyslogSink.class);
    /** PRI = facility 13 (log audit) * 8 + severity 6 (informational). */
    private static final String PRI = "<110>1 ";
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final boolean tcp;
    private final InetSocketAddress peer;
    private final String header; // " HOSTNAME kmsgw PID audit - " after the timestamp
    /** Whole batches, framed: up to 256 of them (at most 1024 records each) wait for the peer. */
    private final BlockingQueue<Frames> queue = new ArrayBlockingQueue<>(256);
    private final byte[] headerBytes;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean running = true;
    private volatile boolean up = true;
    private Socket socket;
    private OutputStream out;
    private DatagramSocket udp;

    /** @param address {@code udp://HOST:PORT} or {@code tcp://HOST:PORT} */
    SyslogSink(String address) {
        java.net.URI uri = java.net.URI.create(address);
        if (!"udp".equals(uri.getScheme()) && !"tcp".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() <= 0) {
            throw new IllegalArgumentException("audit.syslog.address must be udp://HOST:PORT or tcp://HOST:PORT");
        }
        this.tcp = "tcp".equals(uri.getScheme());
        this.peer = new InetSocketAddress(uri.getHost(), uri.getPort());
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "-";
        }
        this.header = " " + printable(host, 255) + " kmsgw " + ProcessHandle.current().pid() + " audit - ";
        this.headerBytes = header.getBytes(StandardCharsets.US_ASCII);
        this.sender = new Thread(this::run, "kmsgw-audit-syslog");
        sender.setDaemon(true);
        sender.start();
    }

    /** One batch's messages in one buffer: message {@code i} ends at {@code ends[i]} (TCP frames carry their octet count). */
    private record Frames(byte[] data, int[] ends, int count) {
    }

    /**
     * Queues a batch: {@code lines} holds its records' JSON lines, one per record, each ended by a newline. Frames the whole
     * batch into one buffer on the caller's thread (the audit writer), so the hand-over costs one queue operation per batch;
     * never blocks.
     */
    void offer(List<AuditRecord> batch, byte[] lines, int length) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(length + batch.size() * (PRI.length() + 32 + headerBytes.length));
        int[] ends = new int[batch.size()];
        int start = 0;
        int i = 0;
        for (int at = 0; at < length && i < ends.length; at++) {
            if (lines[at] == '\n') {
                byte[] time = io.kmsgw.crypto.api.IsoTime.millis(batch.get(i).timeMillis()).getBytes(StandardCharsets.US_ASCII);
                int size = PRI.length() + time.length + headerBytes.length + (at - start);
                if (tcp) {
                    out.writeBytes((size + " ").getBytes(StandardCharsets.US_ASCII));
                }
                out.writeBytes(PRI_BYTES);
                out.writeBytes(time);
                out.writeBytes(headerBytes);
                out.write(lines, start, at - start);
                ends[i++] = out.size();
                start = at + 1;
            }
        }
        if (!queue.offer(new Frames(out.toByteArray(), ends, i))) {
            dropped.addAndGet(i);
        }
    }

    private static final byte[] PRI_BYTES = PRI.getBytes(StandardCharsets.US_ASCII);

    long sent() {
        return sent.get();
    }

    long dropped() {
        return dropped.get();
    }

    private void run() {
        long backoff = 100;
        while (running || !queue.isEmpty()) {
            Frames f;
            try {
                f = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (f == null) {
                continue;
            }
            try {
                send(f);
                sent.addAndGet(f.count());
                if (!up) {
                    up = true;
                    LOG.warn("audit syslog peer {} reachable again ({} records dropped so far)", peer, dropped.get());
                }
                backoff = 100;
            } catch (IOException e) {
                dropped.addAndGet(f.count());
                closeQuietly();
                if (up) {
                    up = false;
                    LOG.warn("audit syslog peer {} unreachable ({}); records for it are dropped until it is back (the audit file and "
                            + "store still keep every record)", peer, e.getMessage());
                }
                // drop what waits meanwhile rather than hold it: the durable copies have it
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
                while (running && System.nanoTime() < until) {
                    Frames waiting = queue.poll();
                    if (waiting != null) {
                        dropped.addAndGet(waiting.count());
                    } else {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    private void send(Frames f) throws IOException {
        if (tcp) {
            if (out == null) {
                socket = new Socket();
                socket.connect(peer, 2000);
                socket.setSoTimeout(2000);
                out = socket.getOutputStream();
            }
            out.write(f.data(), 0, f.ends()[f.count() - 1]);
            out.flush();
        } else {
            if (udp == null) {
                udp = new DatagramSocket();
            }
            int start = 0;
            for (int i = 0; i < f.count(); i++) {
                udp.send(new DatagramPacket(f.data(), start, f.ends()[i] - start, peer));
                start = f.ends()[i];
            }
        }
    }

    private void closeQuietly() {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // reconnecting anyway
        }
        socket = null;
        out = null;
    }

    /** ASCII printable characters only (RFC 5424 header fields), at most {@code max}. */
    private static String printable(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            if (c > 32 && c < 127) {
                b.append(c);
            }
        }
        return b.length() == 0 ? "-" : b.toString();
    }

    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!queue.isEmpty() && up && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        running = false;
        sender.interrupt();
        try {
            sender.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (out != null) {
                out.flush();
            }
        } catch (IOException ignored) {
            // closing
        }
        closeQuietly();
        if (udp != null) {
            udp.close();
        }
    }
}
