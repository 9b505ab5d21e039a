package io.kmsgw.gateway.pipeline;

import io.kmsgw.gateway.metrics.RequestMetrics;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.kmsgw.gateway.audit.AuditLog;
import io.kmsgw.gateway.audit.AuditRecord;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.pb.KmsApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.InetAddress;

/** Writes protobuf responses: success bodies and the protocol's {@code Error} message. */
public final class Responses {
    public static final AsciiString PROTOBUF = AsciiString.cached("application/x-protobuf");
    public static final AsciiString MIGRATION_KEY_VERSION_ID = AsciiString.cached("x-kms-migrationkeyversionid");
    private static final int MAX_ECHO = 128;

    private Responses() {
    }

    /** Writes a success response; {@code keyVersionId} (nullable) goes into x-kms-migrationkeyversionid. */
    public static void ok(Channel ch, KmsRequest req, MessageLite body, String keyVersionId) {
        audit(ch, req, "OK");
        FullHttpResponse resp = response(ch, HttpResponseStatus.OK, body);
        if (keyVersionId != null) {
            resp.headers().set(MIGRATION_KEY_VERSION_ID, keyVersionId);
        }
        send(ch, resp, req, null);
    }

    /** Writes an Error response. The message must be client-safe (no secrets, no stack detail). */
    public static void error(Channel ch, String requestId, boolean keepAlive, ProtocolError error, String message) {
        count(ch, null, error);
        send(ch, errorResponse(ch, requestId, error, message), keepAlive, null, null, 0);
    }

    /** An Error response for a caller that writes it itself (the aggregator's answers to Expect). */
    public static FullHttpResponse errorResponse(Channel ch, String requestId, ProtocolError error, String message) {
        KmsApi.Error body = KmsApi.Error.newBuilder()
                .setStatusCode(error.status().code())
                .setErrorCode(error.code())
                .setErrorMessage(message == null ? "" : message)
                .setRequestId(requestId)
                .build();
        return response(ch, error.status(), body);
    }

    public static void error(Channel ch, KmsRequest req, ProtocolError error, String message) {
        if (req.openApi != null) {
            audit(ch, req, error.openApiCode());
            send(ch, openApiError(ch, req.requestId, req.openApi.format, req.openApi.headers.get("host"), error, message), req, error);
            return;
        }
        audit(ch, req, error.code());
        send(ch, errorResponse(ch, req.requestId, error, message), req, error);
    }

    public static final AsciiString JSON = AsciiString.cached("application/json;charset=utf-8");
    public static final AsciiString XML = AsciiString.cached("text/xml;charset=utf-8");

    /** Writes a KMS OpenAPI success answer: {@code body} (RequestId included by the caller) as JSON or XML. */
    public static void okOpenApi(Channel ch, KmsRequest req, java.util.Map<String, ?> body) {
        audit(ch, req, "OK");
        send(ch, openApiResponse(ch, HttpResponseStatus.OK, req.openApi.format, req.openApi.action + "Response", body), req, null);
    }

    /** A KMS OpenAPI error answered before there is a request to audit (the HTTP or its parameters cannot be read). */
    public static void openApiError(Channel ch, String requestId, boolean keepAlive, io.kmsgw.gateway.protocol.OpenApiCall.Format format,
                                    ProtocolError error, String message) {
        count(ch, null, error);
        send(ch, openApiError(ch, requestId, format, null, error, message), keepAlive, null, null, 0);
    }

    /** The OpenAPI's error body: {@code RequestId}, {@code HostId}, {@code Code}, {@code Message}, with the error's status. */
    private static FullHttpResponse openApiError(Channel ch, String requestId, io.kmsgw.gateway.protocol.OpenApiCall.Format format,
                                                 String host, ProtocolError error, String message) {
        java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("RequestId", requestId);
        body.put("HostId", host == null ? "" : echo(host, 256));
        body.put("Code", error.openApiCode());
        body.put("Message", message == null ? "" : message);
        return openApiResponse(ch, error.status(), format, "Error", body);
    }

    private static FullHttpResponse openApiResponse(Channel ch, HttpResponseStatus status, io.kmsgw.gateway.protocol.OpenApiCall.Format format,
                                                    String root, java.util.Map<String, ?> body) {
        ByteBuf buf = ch.alloc().buffer(256);
        try {
            if (format == io.kmsgw.gateway.protocol.OpenApiCall.Format.XML) {
                OpenApiBodies.xml(buf, root, body);
            } else {
                OpenApiBodies.json(buf, body);
            }
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, format == io.kmsgw.gateway.protocol.OpenApiCall.Format.XML ? XML : JSON);
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, buf.readableBytes());
        return resp;
    }

    /** Counts an answer in the channel's request meters (when it has them: in-process tools may not). */
    static void count(Channel ch, KmsRequest req, ProtocolError error) {
        RequestMetrics m = ch.attr(RequestMetrics.KEY).get();
        if (m != null) {
            m.answered(req, error);
        }
    }

    /** Counts the answer to {@code req}, writes it, and times it when its last byte has been written. */
    private static void send(Channel ch, FullHttpResponse resp, KmsRequest req, ProtocolError error) {
        RequestMetrics m = ch.attr(RequestMetrics.KEY).get();
        if (m == null) {
            send(ch, resp, req.keepAlive, null, null, 0);
            return;
        }
        long answered = m.answered(req, error);
        send(ch, resp, req.keepAlive, RequestMetrics.timed(req) ? m : null, req, answered);
    }

    /** Channel attribute holding the audit sink of the data plane. */
    public static final AttributeKey<AuditLog> AUDIT = AttributeKey.valueOf("kmsgw.audit");

    private static void audit(Channel ch, KmsRequest r, String resultCode) {
        if (r.caller() == null) {
            return;
        }
        AuditLog log = ch.attr(AUDIT).get();
        if (log != null) {
            log.offer(new AuditRecord(System.currentTimeMillis(), r.requestId, r.caller().clientKeyId(), r.caller().aapName(),
                    clientIpText(ch, r.clientIp), r.userAgent == null ? "" : echo(r.userAgent, 512),
                    r.apiNameHeader == null ? "" : echo(r.apiNameHeader, 64), r.resource() == null ? "" : r.resource(), resultCode,
                    (System.nanoTime() - r.startNanos) / 1000));
        }
    }

    /** A connection's last client address and its text. */
    private record ClientIpText(InetAddress ip, String text) {
    }

    private static final AttributeKey<ClientIpText> CLIENT_IP_TEXT = AttributeKey.valueOf("kmsgw.clientIpText");

    /**
     * The client address as text, formatted once per connection (and again only when a trusted proxy
     * names another client): the audit record then carries the same string every time.
     */
    static String clientIpText(Channel ch, InetAddress ip) {
        if (ip == null) {
            return "";
        }
        Attribute<ClientIpText> attr = ch.attr(CLIENT_IP_TEXT);
        ClientIpText last = attr.get();
        if (last == null || !last.ip().equals(ip)) {
            last = new ClientIpText(ip, ip.getHostAddress());
            attr.set(last);
        }
        return last.text();
    }

    private static FullHttpResponse response(Channel ch, HttpResponseStatus status, MessageLite body) {
        int size = body.getSerializedSize();
        ByteBuf buf = ch.alloc().buffer(size, size);
        try {
            // straight into the buffer's memory: writeTo(OutputStream) would allocate an encoder buffer per response
            CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(0, size));
            body.writeTo(out);
            out.checkNoSpaceLeft();
            buf.writerIndex(size);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw new IllegalStateException("protobuf encoding into the response buffer failed", e);
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        HttpHeaders h = resp.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, PROTOBUF);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, size);
        return resp;
    }

    /**
     * Writes and flushes {@code resp}, closing the connection after it unless kept alive. With {@code m}, times the response
     * to {@code req} by its write (see {@link RequestMetrics#written}) before the next pipelined request is let through, so
     * that request's handling never counts in this one's latency.
     * <p>
     * A kept-alive response is written with the channel's void promise. With a promise of its own, a response longer than
     * the HTTP encoder copies into its header buffer (128 bytes: most of ours) leaves the encoder as two buffers joined by a
     * {@code PromiseCombiner}, two more promises and their listeners, on every request. Whether it reached the socket is
     * read from the channel instead: nothing is pending in TLS or in the outbound buffer after the flush, the usual case on
     * an event loop. Only a response still pending (the client reads slowly) gets a promise: an empty buffer written behind
     * it, whose promise completes once everything before it has been written.
     */
    private static void send(Channel ch, FullHttpResponse resp, boolean keepAlive, RequestMetrics m, KmsRequest req, long answered) {
        if (!keepAlive) {
            ChannelPromise promise = ch.newPromise();
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(resp, promise).addListener(ChannelFutureListener.CLOSE);
            if (m != null) {
                m.whenWritten(req, answered, promise);
            }
            return;
        }
        ch.writeAndFlush(resp, ch.voidPromise());
        if (m != null) {
            if (allWritten(ch)) {
                m.written(req, answered);
            } else if (ch.isActive()) {
                ChannelPromise behind = ch.newPromise();
                ch.writeAndFlush(Unpooled.EMPTY_BUFFER, behind);
                m.whenWritten(req, answered, behind);
            }
        }
        RequestSequencer.done(ch);
    }

    /**
     * Whether every byte written to {@code ch} so far has gone to the socket: the channel is open and nothing is pending,
     * neither in the outbound buffer nor in TLS (whose queue of unencrypted writes counts in the same total).
     */
    static boolean allWritten(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out != null && ch.isActive() && out.totalPendingWriteBytes() == 0;
    }

    /** Shortens a client-supplied value before it is echoed in an error message. */
    public static String echo(String value) {
        return echo(value, MAX_ECHO);
    }

    /**
     * Shortens a client-supplied value to {@code max} characters and replaces control characters. A value
     * that needs neither (every audited request's user agent, usually) is returned as it is, uncopied.
     */
    public static String echo(String value, int max) {
        if (value == null) {
            return "";
        }
        if (value.length() <= max && clean(value)) {
            return value;
        }
        StringBuilder sb = new StringBuilder(Math.min(value.length(), max));
        for (int i = 0; i < value.length() && i < max; i++) {
            char c = value.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (value.length() > max) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static boolean clean(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
