package io.kmsgw.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kmsgw.gateway.audit.AuditLog;
import io.kmsgw.gateway.protocol.RequestIds;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin plane: {@code POST /admin/v1/<Action>} with {@code Authorization: Bearer <admin token>}
 * and a JSON body; {@code GET /livez} and {@code GET /readyz} without a token; {@code GET /metrics}
 * (Prometheus text format) with a token whose role may scrape ({@link AdminRole}); {@code GET /console/…}, the operator console's static files,
 * without a token (they hold no data: the console asks for the token and calls the actions like any client). Actions run
 * on a small bounded executor, never on the event loop; a full executor answers 503.
 */
@ChannelHandler.Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/admin/v1/";
    private static final String CONSOLE = "/console/";
    /**
     * The console's pages may load only their own scripts and styles, talk only to this origin, and never be framed. The
     * token lives in a script variable and goes out as an Authorization header, which no other site can make a browser send.
     */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final AdminTokens tokens;
    private final AdminActions actions;
    private final ExecutorService executor;
    private final BooleanSupplier ready;
    private final Supplier<String> metrics;
    private final ConsoleAssets console;
    private final AuditLog audit;

    public AdminHandler(AdminTokens tokens, AdminActions actions, ExecutorService executor, BooleanSupplier ready, Supplier<String> metrics,
            ConsoleAssets console, AuditLog audit) {
        this.audit = audit;
        this.metrics = metrics;
        this.console = console;
        this.tokens = tokens;
        this.actions = actions;
        this.executor = executor;
        this.ready = ready;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        io.kmsgw.gateway.pipeline.RequestDeadline.received(ctx.channel()); // arrived whole: the deadline no longer runs
        String requestId = RequestIds.next();
        boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
        Channel ch = ctx.channel();
        if (!req.decoderResult().isSuccess()) {
            error(ch, false, requestId, new AdminException(400, "InvalidParameter", "The HTTP request is malformed."));
            return;
        }
        String uri = req.uri();
        if (HttpMethod.GET.equals(req.method()) && ("/livez".equals(uri) || "/readyz".equals(uri))) {
            boolean ok = "/livez".equals(uri) || ready.getAsBoolean();
            ObjectNode body = JSON.createObjectNode().put("Status", ok ? "ok" : "not ready").put("RequestId", requestId);
            send(ch, keepAlive, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
            return;
        }
        if ((HttpMethod.GET.equals(req.method()) || HttpMethod.HEAD.equals(req.method()))
                && (uri.equals("/") || uri.equals("/console") || uri.startsWith(CONSOLE))) {
            console(ch, keepAlive, req, requestId);
            return;
        }
        boolean scrape = HttpMethod.GET.equals(req.method()) && "/metrics".equals(uri);
        if (!scrape && (!HttpMethod.POST.equals(req.method()) || !uri.startsWith(PREFIX) || uri.length() == PREFIX.length())) {
            error(ch, keepAlive, requestId, new AdminException(404, "InvalidAction", "Use POST /admin/v1/<Action>."));
            return;
        }
        // on the event loop, from memory: a flood of wrong tokens never reaches the store, the executor or the audit
        AdminTokens.Check check = tokens.check(req.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (!check.ok()) {
            error(ch, keepAlive, requestId, new AdminException(401, check.code(), check.message()));
            return;
        }
        AdminTokens.Token who = check.token();
        String action = scrape ? AdminRole.METRICS_SCRAPE : uri.substring(PREFIX.length());
        long started = System.nanoTime();
        String userAgent = req.headers().get(HttpHeaderNames.USER_AGENT, "");
        if (scrape) {
            if (!who.role().allows(action)) {
                error(ch, keepAlive, requestId, AdminAuditRecords.forbidden(who, action));
            } else {
                scrape(ch, keepAlive, requestId, who);
            }
            return;
        }
        JsonNode params;
        try {
            byte[] body = ByteBufUtil.getBytes(req.content());
            params = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            if (params == null || !params.isObject()) {
                throw new IllegalArgumentException();
            }
        } catch (Exception e) {
            error(ch, keepAlive, requestId, new AdminException(400, "InvalidParameter", "The body must be a JSON object."));
            return;
        }
        if (actions.has(action) && !who.role().allows(action)) {
            AdminException refused = AdminAuditRecords.forbidden(who, action);
            audit(ch, requestId, who, action, params, refused.code(), userAgent, started);
            error(ch, keepAlive, requestId, refused);
            return;
        }
        if (!audit.canAccept() && !UNAUDITED_WHEN_FULL.contains(action)) {
            // fail closed, as the data plane: nothing runs that could not be audited (DescribeInstance stays, to diagnose it)
            error(ch, keepAlive, requestId, new AdminException(503, "ServiceUnavailableTemporary",
                    "The audit log cannot record admin calls right now; nothing was done."));
            return;
        }
        try {
            executor.execute(() -> {
                AdminTokens.Check confirmed = tokens.confirm(who); // revoked or expired on another replica: refused now
                if (!confirmed.ok()) {
                    error(ch, keepAlive, requestId, new AdminException(401, confirmed.code(), confirmed.message()));
                    return;
                }
                String result = "OK";
                JsonNode named = params;
                try {
                    ObjectNode out = actions.run(action, params);
                    named = AdminAuditRecords.resourceOf(params) != null ? params : out.has("KeyMetadata") ? out.get("KeyMetadata") : out; // what it made
                    if (action.equals("DescribeInstance")) {
                        out.putObject("Caller").put("TokenId", who.id()).put("Role", who.role().wireName());
                    }
                    out.put("RequestId", requestId);
                    send(ch, keepAlive, HttpResponseStatus.OK, out);
                } catch (AdminException e) {
                    result = e.code();
                    error(ch, keepAlive, requestId, e);
                } catch (RuntimeException e) {
                    result = "InternalFailure";
                    LOG.error("admin action {} ({}) failed", action, requestId, e);
                    error(ch, keepAlive, requestId, new AdminException(500, "InternalFailure", "Internal Failure."));
                }
                audit(ch, requestId, who, action, named, result, userAgent, started);
            });
        } catch (RejectedExecutionException e) {
            error(ch, keepAlive, requestId, new AdminException(503, "ServiceUnavailableTemporary", "The admin plane is busy."));
        }
    }

    /** Admin actions that run even when the audit cannot take a record: the one that shows why. */
    private static final java.util.Set<String> UNAUDITED_WHEN_FULL = java.util.Set.of("DescribeInstance");

    private void audit(Channel ch, String requestId, AdminTokens.Token who, String action, JsonNode params, String result, String userAgent,
            long started) {
        audit.offer(AdminAuditRecords.of(ch, requestId, who, action, params, result, userAgent, started));
    }

    /** Gauges may walk every client key: scraped on the admin executor, not the event loop. */
    private void scrape(Channel ch, boolean keepAlive, String requestId, AdminTokens.Token who) {
        try {
            executor.execute(() -> {
                AdminTokens.Check confirmed = tokens.confirm(who);
                if (!confirmed.ok()) {
                    error(ch, keepAlive, requestId, new AdminException(401, confirmed.code(), confirmed.message()));
                    return;
                }
                byte[] text;
                try {
                    text = metrics.get().getBytes(StandardCharsets.UTF_8);
                } catch (RuntimeException e) {
                    LOG.error("metrics scrape ({}) failed", requestId, e);
                    error(ch, keepAlive, requestId, new AdminException(500, "InternalFailure", "Internal Failure."));
                    return;
                }
                FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(text));
                resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                write(ch, keepAlive, resp, text.length);
            });
        } catch (RejectedExecutionException e) {
            error(ch, keepAlive, requestId, new AdminException(503, "ServiceUnavailableTemporary", "The admin plane is busy."));
        }
    }

    /** Static console files from memory, on the event loop (no I/O, no blocking). */
    private void console(Channel ch, boolean keepAlive, FullHttpRequest req, String requestId) {
        String uri = req.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (!path.startsWith(CONSOLE)) {
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND, Unpooled.EMPTY_BUFFER);
            resp.headers().set(HttpHeaderNames.LOCATION, CONSOLE);
            write(ch, keepAlive, resp, 0);
            return;
        }
        ConsoleAssets.Asset asset = console.get(path.substring(CONSOLE.length()));
        if (asset == null) {
            error(ch, keepAlive, requestId, new AdminException(404, "NotFound", console.present()
                    ? "There is no such console file." : "This build carries no console."));
            return;
        }
        boolean fresh = asset.etag().equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        boolean head = HttpMethod.HEAD.equals(req.method());
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, fresh ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
                fresh || head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(asset.body()));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.contentType())
                .set(HttpHeaderNames.ETAG, asset.etag())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("Content-Security-Policy", CSP)
                .set("X-Content-Type-Options", "nosniff")
                .set("X-Frame-Options", "DENY")
                .set("Referrer-Policy", "no-referrer")
                .set("Cross-Origin-Opener-Policy", "same-origin");
        if (fresh) {
            write(ch, keepAlive, resp, 0);
        } else {
            resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, asset.body().length);
            finish(ch, keepAlive, resp);
        }
    }

    private static void error(Channel ch, boolean keepAlive, String requestId, AdminException e) {
        ObjectNode body = JSON.createObjectNode().put("Code", e.code()).put("Message", e.getMessage()).put("RequestId", requestId);
        send(ch, keepAlive, HttpResponseStatus.valueOf(e.status()), body);
    }

    private static void send(Channel ch, boolean keepAlive, HttpResponseStatus status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (Exception e) {
            bytes = "{\"Code\":\"InternalFailure\"}".getBytes(StandardCharsets.US_ASCII);
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        write(ch, keepAlive, resp, bytes.length);
    }

    private static void write(Channel ch, boolean keepAlive, FullHttpResponse resp, int length) {
        resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        finish(ch, keepAlive, resp);
    }

    private static void finish(Channel ch, boolean keepAlive, FullHttpResponse resp) {
        if (keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ch.writeAndFlush(resp, ch.voidPromise());
        } else {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
