package io.kmsgw.gateway.authz;

import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.gateway.dispatch.ApiOperation;
import io.kmsgw.gateway.dispatch.ApiOperations;
import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.protocol.ApiName;
import io.kmsgw.gateway.pipeline.Responses;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.function.UnaryOperator;

/**
 * Evaluates the caller's policies for the request's API, key and source address. A key named by
 * alias matches {@code key/alias/…} patterns as given and {@code key/<id>} patterns after resolution;
 * a denied request never learns whether the key exists.
 */
@ChannelHandler.Sharable
public final class Authorizer extends KmsRequestHandler {
    private final AccessControl access;
    private final ApiOperations operations;
    private final UnaryOperator<String> keyIdResolver;
    private final UnaryOperator<String> secretKeyResolver;

    /**
     * @param keyIdResolver     maps a key id or alias to the key id; throws when the key does not exist
     * @param secretKeyResolver maps a secret name to the id of the key protecting it, or null when there is no such secret
     */
    public Authorizer(AccessControl access, ApiOperations operations, UnaryOperator<String> keyIdResolver,
                      UnaryOperator<String> secretKeyResolver) {
        this.access = access;
        this.operations = operations;
        this.keyIdResolver = keyIdResolver;
        this.secretKeyResolver = secretKeyResolver;
    }

    @Override
    protected void handle(ChannelHandlerContext ctx, KmsRequest r) {
        ApiOperation<Object> op = operations.get(r.api);
        String given = op.keyId(r.message);
        String secret = op.secretName(r.message);
        String aap = r.principal.aapName();
        boolean ok;
        if (secret != null) {
            r.resource = "secret/" + secret;
            ok = access.allowed(aap, r.api, r.clientIp, r.resource);
            String protectingKey = ok ? secretKeyResolver.apply(secret) : null;
            if (protectingKey != null) {
                // a secret's value is only as private as its key: KeyUser on that key is required too
                ok = access.allowed(aap, ApiName.Role.KEY_USER, r.clientIp, "key/" + protectingKey);
            }
        } else if (given == null) {
            ok = access.allowed(aap, r.api, r.clientIp);
        } else {
            String id;
            try {
                id = keyIdResolver.apply(given);
            } catch (KmsException notFound) {
                id = null;
            }
            // the audit names the key by id; a missing key keeps the name it was asked for
            r.resource = "key/" + (id != null ? id : given);
            ok = access.allowed(aap, r.api, r.clientIp, "key/" + given)
                    || (id != null && !id.equals(given) && access.allowed(aap, r.api, r.clientIp, "key/" + id));
        }
        if (!ok) {
            String resource = secret != null ? "secret/" + secret : given == null ? r.api.name() : "key/" + given;
            throw new ProtocolException(ProtocolError.FORBIDDEN,
                    "This operation for \"" + Responses.echo(resource) + "\" is forbidden by permission system.");
        }
        ctx.fireChannelRead(r);
    }
}
