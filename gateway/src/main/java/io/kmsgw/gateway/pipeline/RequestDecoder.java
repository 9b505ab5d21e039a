package io.kmsgw.gateway.pipeline;

import io.kmsgw.gateway.net.IpBlock;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.OpenApiCall;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.RequestIds;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP → {@link KmsRequest}: checks method and path, copies the headers the protocol uses and the
 * body, and releases the HTTP message. Malformed HTTP is answered here and the connection closed.
 */
@ChannelHandler.Sharable
public final class RequestDecoder extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String KMS_PREFIX = "x-kms-";
    private static final String ACS_PREFIX = "x-acs-";
    private final List<IpBlock> trustedProxies;

    /** @param trustedProxies peers whose X-Forwarded-For is believed; empty = the TCP peer is always the client */
    public RequestDecoder(List<IpBlock> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String requestId = RequestIds.next();
        if (!req.decoderResult().isSuccess()) {
            Throwable cause = req.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                Responses.error(ctx.channel(), requestId, false, ProtocolError.HEADERS_TOO_LARGE,
                        "The request headers are larger than " + DataPlaneInitializer.MAX_HEADER_BYTES + " bytes.");
            } else if (cause instanceof TooLongHttpLineException) {
                Responses.error(ctx.channel(), requestId, false, ProtocolError.URI_TOO_LONG,
                        "The request line is longer than " + DataPlaneInitializer.MAX_INITIAL_LINE + " bytes.");
            } else {
                Responses.error(ctx.channel(), requestId, false, ProtocolError.INVALID_PARAM, "The HTTP request is malformed.");
            }
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.uri().indexOf('?') >= 0) {
            openApi(ctx, req, requestId, keepAlive);
            return;
        }
        if (!HttpMethod.POST.equals(req.method())) {
            Responses.error(ctx.channel(), requestId, keepAlive, ProtocolError.METHOD_NOT_ALLOWED,
                    "The method " + Responses.echo(req.method().name()) + " is not allowed; use POST.");
            return;
        }
        if (!"/".equals(req.uri())) {
            Responses.error(ctx.channel(), requestId, keepAlive, ProtocolError.NOT_FOUND, "The request URL is invalid; use POST /.");
            return;
        }
        HttpHeaders h = req.headers();
        // One pass over the headers: the x-kms-* ones for the string to sign, and the first value of each
        // header the protocol reads (what HttpHeaders.get would return, without ten hashed lookups).
        List<Map.Entry<String, String>> kms = new ArrayList<>(8);
        String[] first = new String[FIELDS];
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        boolean acs = false;
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            int field;
            if (name.length() > KMS_PREFIX.length() && AsciiString.regionMatches(name, true, 0, KMS_PREFIX, 0, KMS_PREFIX.length())) {
                String lower = name.toString().toLowerCase(Locale.ROOT);
                String value = e.getValue().toString();
                kms.add(new AbstractMap.SimpleImmutableEntry<>(lower, value.trim()));
                field = kmsField(lower);
                if (field >= 0 && first[field] == null) {
                    first[field] = value;
                }
            } else if ((field = plainField(name)) >= 0 && first[field] == null) {
                first[field] = e.getValue().toString();
            } else if (name.length() > ACS_PREFIX.length() && AsciiString.regionMatches(name, true, 0, ACS_PREFIX, 0, ACS_PREFIX.length())) {
                acs = true;
            }
        }
        if (acs || (first[AUTHORIZATION] != null && first[AUTHORIZATION].startsWith("ACS3-"))) {
            openApi(ctx, req, requestId, keepAlive);
            return;
        }
        kms.sort(Map.Entry.comparingByKey());
        InetAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? IpBlock.normalise(a.getAddress()) : null;
        InetAddress ip = trustedProxies.isEmpty() || peer == null ? peer : forwardedClient(peer, h.getAll("x-forwarded-for"));
        KmsRequest r = new KmsRequest(requestId, RequestSequencer.arrived(ctx.channel()), ip, keepAlive,
                first[API_VERSION], first[API_NAME], first[SIGNATURE_METHOD], first[ACCESS_KEY_ID],
                first[DATE], first[CONTENT_SHA256], first[CONTENT_TYPE], first[AUTHORIZATION], first[USER_AGENT],
                first[MIGRATION_KEY_VERSION_ID], kms, ByteBufUtil.getBytes(req.content()));
        ctx.fireChannelRead(r);
    }

    /**
     * A KMS OpenAPI request (a query string, an {@code x-acs-*} header or a V3 Authorization): its parameters decoded, mapped
     * onto the instance API it shares roles and meters with, and passed on for the OpenAPI's authentication. What cannot be
     * read is answered here, in the OpenAPI's error format.
     */
    private void openApi(ChannelHandlerContext ctx, FullHttpRequest req, String requestId, boolean keepAlive) {
        HttpHeaders h = req.headers();
        OpenApiCall call;
        try {
            call = OpenApiCall.parse(req.method().name(), req.uri(), h.entries(), ByteBufUtil.getBytes(req.content()),
                    h.get(HttpHeaderNames.CONTENT_TYPE));
        } catch (ProtocolException e) {
            Responses.openApiError(ctx.channel(), requestId, keepAlive, OpenApiCall.formatOf(req.uri(), h.get(HttpHeaderNames.ACCEPT)),
                    e.error(), e.getMessage());
            return;
        }
        InetAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? IpBlock.normalise(a.getAddress()) : null;
        InetAddress ip = trustedProxies.isEmpty() || peer == null ? peer : forwardedClient(peer, h.getAll("x-forwarded-for"));
        ctx.fireChannelRead(KmsRequest.openApi(requestId, RequestSequencer.arrived(ctx.channel()), ip, keepAlive, call,
                OpenApiCall.instanceApi(call.action), null, h.get(HttpHeaderNames.USER_AGENT)));
    }

    private static final int API_VERSION = 0;
    private static final int API_NAME = 1;
    private static final int SIGNATURE_METHOD = 2;
    private static final int ACCESS_KEY_ID = 3;
    private static final int MIGRATION_KEY_VERSION_ID = 4;
    private static final int DATE = 5;
    private static final int CONTENT_SHA256 = 6;
    private static final int CONTENT_TYPE = 7;
    private static final int AUTHORIZATION = 8;
    private static final int USER_AGENT = 9;
    private static final int FIELDS = 10;

    /** The field an x-kms-* header (lower case) fills, or -1. */
    static int kmsField(String lower) {
        return switch (lower) {
            case "x-kms-apiversion" -> API_VERSION;
            case "x-kms-apiname" -> API_NAME;
            case "x-kms-signaturemethod" -> SIGNATURE_METHOD;
            case "x-kms-acccesskeyid" -> ACCESS_KEY_ID;
            case "x-kms-migrationkeyversionid" -> MIGRATION_KEY_VERSION_ID;
            default -> -1;
        };
    }

    /** The field another header fills (its name in any case), or -1. */
    static int plainField(CharSequence name) {
        return switch (name.length()) {
            case 4 -> AsciiString.contentEqualsIgnoreCase(name, "date") ? DATE : -1;
            case 10 -> AsciiString.contentEqualsIgnoreCase(name, "user-agent") ? USER_AGENT : -1;
            case 12 -> AsciiString.contentEqualsIgnoreCase(name, "content-type") ? CONTENT_TYPE : -1;
            case 13 -> AsciiString.contentEqualsIgnoreCase(name, "authorization") ? AUTHORIZATION : -1;
            case 14 -> AsciiString.contentEqualsIgnoreCase(name, "content-sha256") ? CONTENT_SHA256 : -1;
            default -> -1;
        };
    }

    private boolean trusted(InetAddress a) {
        for (IpBlock c : trustedProxies) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client behind trusted proxies: walk X-Forwarded-For from the right (nearest hop) past every
     * trusted proxy; the first other address is the client. Anything unparsable stops the walk at the
     * last trusted hop. Names are never resolved.
     */
    InetAddress forwardedClient(InetAddress peer, List<String> forwardedFor) {
        if (!trusted(peer) || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String part : header.split(",")) {
                hops.add(part.trim());
            }
        }
        InetAddress current = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop;
            try {
                hop = IpBlock.address(hops.get(i));
            } catch (IllegalArgumentException e) {
                return current;
            }
            current = hop;
            if (!trusted(hop)) {
                return hop;
            }
        }
        return current;
    }
}
