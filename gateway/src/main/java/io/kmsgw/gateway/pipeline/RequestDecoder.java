package io.kmsgw.gateway.pipeline;

import io.kmsgw.gateway.authz.Cidr;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.RequestIds;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
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
    private final List<Cidr> trustedProxies;

    /** @param trustedProxies peers whose X-Forwarded-For is believed; empty = the TCP peer is always the client */
    public RequestDecoder(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String requestId = RequestIds.next();
        if (!req.decoderResult().isSuccess()) {
            Responses.error(ctx.channel(), requestId, false, ProtocolError.INVALID_PARAM, "The HTTP request is malformed.");
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
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
        List<Map.Entry<String, String>> kms = new ArrayList<>(8);
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (name.length() > KMS_PREFIX.length() && io.netty.util.AsciiString.regionMatches(name, true, 0, KMS_PREFIX, 0, KMS_PREFIX.length())) {
                kms.add(new AbstractMap.SimpleImmutableEntry<>(name.toString().toLowerCase(Locale.ROOT), e.getValue().toString().trim()));
            }
        }
        kms.sort(Map.Entry.comparingByKey());
        InetAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? Cidr.normalise(a.getAddress()) : null;
        InetAddress ip = trustedProxies.isEmpty() || peer == null ? peer : forwardedClient(peer, h.getAll("x-forwarded-for"));
        KmsRequest r = new KmsRequest(requestId, System.nanoTime(), ip, keepAlive,
                h.get("x-kms-apiversion"), h.get("x-kms-apiname"), h.get("x-kms-signaturemethod"), h.get("x-kms-acccesskeyid"),
                h.get("date"), h.get("content-sha256"), h.get("content-type"), h.get("authorization"), h.get("user-agent"),
                h.get("x-kms-migrationkeyversionid"), kms, ByteBufUtil.getBytes(req.content()));
        ctx.fireChannelRead(r);
    }

    private boolean trusted(InetAddress a) {
        for (Cidr c : trustedProxies) {
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
                hop = Cidr.address(hops.get(i));
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
