package io.kmsgw.gateway.authz;

import io.kmsgw.crypto.api.KmsEngine;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.gateway.dispatch.ApiOperation;
import io.kmsgw.gateway.dispatch.ApiOperations;
import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.pipeline.Responses;
import io.kmsgw.gateway.protocol.ApiName;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.kmsgw.gateway.protocol.ProtocolException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;

/**
 * Evaluates the caller's policies for the request's API, key and source address. A key named by
 * alias matches {@code key/alias/…} patterns as given and {@code key/<id>} patterns after resolution.
 * A key reached through a key version alone (the transfer clients' Decrypt sends
 * {@code x-kms-migrationkeyversionid} and no KeyId; an AdvanceDecrypt blob names its version) is
 * authorized as if named by its id or by any alias pointing at it. A denied request never learns
 * whether the key exists.
 */
@ChannelHandler.Sharable
public final class Authorizer extends KmsRequestHandler {
    /** What authorization needs to know about keys and secrets, answered from the engine's in-memory view. */
    public interface KeyDirectory {
        /** The key id of a key id or alias; throws KmsException when there is no such key. */
        String resolveKeyId(String keyIdOrAlias);

        /** The id of the key owning a version, or null. */
        String keyIdOfVersion(String keyVersionId);

        /** The aliases pointing at a key. */
        List<String> aliasesOf(String keyId);

        /** The id of the key protecting a secret, or null when there is no such secret. */
        String secretEncryptionKeyId(String secretName);

        /** The engine's key ring and secrets as a directory. */
        static KeyDirectory of(KmsEngine engine) {
            return new KeyDirectory() {
                @Override
                public String resolveKeyId(String keyIdOrAlias) {
                    return engine.directory().resolveKeyId(keyIdOrAlias);
                }

                @Override
                public String keyIdOfVersion(String keyVersionId) {
                    return engine.directory().keyIdOfVersion(keyVersionId);
                }

                @Override
                public List<String> aliasesOf(String keyId) {
                    return engine.directory().aliasesOfKey(keyId);
                }

                @Override
                public String secretEncryptionKeyId(String secretName) {
                    return engine.secrets().secretEncryptionKeyId(secretName);
                }
            };
        }
    }

    private final AccessControl access;
    private final ApiOperations operations;
    private final KeyDirectory keys;

    public Authorizer(AccessControl access, ApiOperations operations, KeyDirectory keys) {
        this.access = access;
        this.operations = operations;
        this.keys = keys;
    }

    @Override
    protected void handle(ChannelHandlerContext ctx, KmsRequest r) {
        ApiOperation<Object> op = operations.get(r);
        String secret = op.secretName(r.message());
        String given = op.keyId(r.message());
        if (secret != null) {
            authorizeSecret(r, secret);
        } else if (given == null) {
            if (!access.allowed(r.principal().aapName(), r.api, r.clientIp)) {
                throw denied(r.api.name());
            }
        } else if (!given.isEmpty()) {
            authorizeNamedKey(r, given);
        } else {
            authorizeKeyOfVersion(r, op.keyVersionId(r, r.message()));
        }
        ctx.fireChannelRead(r);
    }

    private void authorizeSecret(KmsRequest r, String secret) {
        String aap = r.principal().aapName();
        r.resource("secret/" + secret);
        if (!access.allowed(aap, r.api, r.clientIp, r.resource())) {
            throw denied(r.resource());
        }
        String protectingKey = keys.secretEncryptionKeyId(secret);
        // a secret's value is only as private as its key: KeyUser on that key is required too, and the refusal names the key
        if (protectingKey != null && !access.allowed(aap, ApiName.Role.KEY_USER, r.clientIp, "key/" + protectingKey)) {
            throw denied(protectingKey);
        }
    }

    private void authorizeNamedKey(KmsRequest r, String given) {
        String aap = r.principal().aapName();
        String id;
        try {
            id = keys.resolveKeyId(given);
        } catch (KmsException notFound) {
            id = null;
        }
        // the audit names the key by id; a missing key keeps the name it was asked for
        r.resource("key/" + (id != null ? id : given));
        boolean ok = access.allowed(aap, r.api, r.clientIp, "key/" + given)
                || (id != null && !id.equals(given) && access.allowed(aap, r.api, r.clientIp, "key/" + id));
        if (!ok) {
            throw denied(given);
        }
    }

    private void authorizeKeyOfVersion(KmsRequest r, String version) {
        if (version == null || version.isEmpty()) {
            throw KmsException.invalid("KeyId is required.");
        }
        String aap = r.principal().aapName();
        String id = keys.keyIdOfVersion(version);
        if (id == null) {
            // no key has this version: a policy that could allow any key decides whether the caller may learn that
            r.resource("key/" + version);
            if (!access.allowed(aap, r.api, r.clientIp, r.resource())) {
                throw denied(version);
            }
            return;
        }
        r.resource("key/" + id);
        if (access.allowed(aap, r.api, r.clientIp, r.resource())) {
            return;
        }
        for (String alias : keys.aliasesOf(id)) {
            if (access.allowed(aap, r.api, r.clientIp, "key/" + alias)) {
                return;
            }
        }
        throw denied(id);
    }

    private static ProtocolException denied(String resource) {
        return new ProtocolException(ProtocolError.FORBIDDEN,
                "This operation for \"" + Responses.echo(resource) + "\" is forbidden by permission system.");
    }
}
