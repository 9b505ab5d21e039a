package io.kmsgw.gateway.dispatch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kmsgw.crypto.api.Commands;
import io.kmsgw.crypto.api.Completion;
import io.kmsgw.crypto.api.CryptoOperations;
import io.kmsgw.crypto.api.IsoTime;
import io.kmsgw.crypto.api.KmsException;
import io.kmsgw.crypto.api.Results;
import io.kmsgw.crypto.api.SecretManagement;
import io.kmsgw.crypto.api.SecretValue;
import io.kmsgw.gateway.pipeline.KmsRequestHandler;
import io.kmsgw.gateway.pipeline.Responses;
import io.kmsgw.gateway.protocol.KmsRequest;
import io.kmsgw.gateway.protocol.ProtocolError;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The KMS OpenAPI (2016-01-20) actions a KMS instance serves, over the same engine calls as the instance protocol and
 * with the official transfer clients' semantics, so ciphertexts open through either door: {@code CiphertextBlob} is
 * Base64 of {@code KeyVersionId(36) ‖ Iv(12) ‖ ciphertext ‖ tag} (an AdvanceEncrypt blob without its 3-byte header);
 * {@code EncryptionContext} becomes the AAD SHA-256 of its keys sorted and joined as {@code k=v&…}; {@code Plaintext} is
 * text; GenerateDataKey's blob encrypts the Base64 text of the data key, so {@code Decrypt(blob).Plaintext == Plaintext}.
 */
final class OpenApis {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int VERSION_ID_BYTES = 36;
    static final int IV_BYTES = 12;

    private OpenApis() {
    }

    /** Every action served, by name. */
    static Map<String, ApiOperation<?>> all(CryptoOperations engine, SecretManagement secrets) {
        Map<String, ApiOperation<?>> ops = new LinkedHashMap<>();
        ops.put("Encrypt", new Encrypt(engine));
        ops.put("Decrypt", new Decrypt(engine));
        ops.put("GenerateDataKey", new GenerateDataKey(engine, true));
        ops.put("GenerateDataKeyWithoutPlaintext", new GenerateDataKey(engine, false));
        ops.put("GetSecretValue", new GetSecretValue(secrets));
        ops.put("AsymmetricSign", new AsymmetricSign(engine));
        ops.put("AsymmetricVerify", new AsymmetricVerify(engine));
        ops.put("AsymmetricEncrypt", new AsymmetricEncrypt(engine));
        ops.put("AsymmetricDecrypt", new AsymmetricDecrypt(engine));
        ops.put("GetPublicKey", new GetPublicKey(engine));
        return Collections.unmodifiableMap(ops);
    }

    /** The parameters of one request, read by name. */
    record Params(Map<String, String> values) {
        String required(String name) {
            String v = values.get(name);
            if (v == null || v.isEmpty()) {
                throw new KmsException(io.kmsgw.crypto.api.KmsError.INVALID_PARAMETER, "The parameter " + name + " is required.");
            }
            return v;
        }

        String optional(String name) {
            String v = values.get(name);
            return v == null ? "" : v;
        }

        byte[] base64(String name, boolean required) {
            String v = required ? required(name) : optional(name);
            try {
                return Base64.getDecoder().decode(v);
            } catch (IllegalArgumentException e) {
                throw KmsException.invalid("The parameter " + name + " is not valid Base64.");
            }
        }
    }

    /** An OpenAPI action: parameters from the request, a key (or secret) named for authorization, an answer as a map. */
    abstract static class Action implements ApiOperation<Params> {
        @Override
        public final Params parse(byte[] body) {
            throw new IllegalStateException("an OpenAPI action reads its parameters from the request");
        }

        @Override
        public Params parse(KmsRequest r) {
            Params p = new Params(r.openApi.params);
            check(p);
            return p;
        }

        /** Checks the parameters before authorization (a missing one answers InvalidParameter / MissingParameter). */
        void check(Params p) {
            p.required("KeyId");
        }

        @Override
        public String keyId(Params p) {
            return p.optional("KeyId");
        }

        @Override
        public String keyVersionId(KmsRequest r, Params p) {
            return null;
        }

        /**
         * Runs the action, or, with {@code DryRun=true} (Encrypt, Decrypt, GenerateDataKey…), answers what the KMS OpenAPI
         * answers a dry run that would have succeeded: authenticated, authorized and its parameters checked, nothing done.
         */
        @Override
        public final void execute(KmsRequest r, Params p, Channel ch) {
            if ("true".equalsIgnoreCase(p.optional("DryRun"))) {
                Responses.error(ch, r, ProtocolError.DRY_RUN, "The request would have succeeded, but the DryRun flag is set.");
                return;
            }
            run(r, p, ch);
        }

        abstract void run(KmsRequest r, Params p, Channel ch);
    }

    /** An answer on the channel's event loop: the action's fields, then RequestId. */
    static <T> Completion<T> reply(Channel ch, KmsRequest r, Function<T, Map<String, Object>> body) {
        return (result, error) -> {
            Runnable send = () -> {
                if (error != null) {
                    Responses.error(ch, r, ProtocolError.of(error.error()), KmsRequestHandler.clientMessage(error));
                    return;
                }
                Map<String, Object> out;
                try {
                    out = body.apply(result);
                } catch (KmsException e) {
                    Responses.error(ch, r, ProtocolError.of(e.error()), KmsRequestHandler.clientMessage(e));
                    return;
                }
                out.put("RequestId", r.requestId);
                Responses.okOpenApi(ch, r, out);
            };
            if (ch.eventLoop().inEventLoop()) {
                send.run();
            } else {
                ch.eventLoop().execute(send);
            }
        };
    }

    /**
     * The AAD of an EncryptionContext as the transfer clients make it: SHA-256 of {@code k1=v1&k2=v2…}, keys sorted; empty when
     * there is no context. Values must be strings (the OpenAPI's EncryptionContext is a string map).
     */
    static byte[] aad(String encryptionContext) {
        if (encryptionContext == null || encryptionContext.isEmpty()) {
            return new byte[0];
        }
        JsonNode n;
        try {
            n = JSON.readTree(encryptionContext);
        } catch (JsonProcessingException e) {
            throw KmsException.invalid("The parameter EncryptionContext is not a JSON object.");
        }
        if (n == null || !n.isObject()) {
            throw KmsException.invalid("The parameter EncryptionContext is not a JSON object.");
        }
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        if (keys.isEmpty()) {
            return new byte[0];
        }
        Collections.sort(keys);
        StringBuilder b = new StringBuilder();
        for (String k : keys) {
            JsonNode v = n.get(k);
            if (!v.isTextual()) {
                throw KmsException.invalid("The parameter EncryptionContext must map strings to strings.");
            }
            b.append(b.length() == 0 ? "" : "&").append(k).append('=').append(v.asText());
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An answer naming the key and version used, and one field of the action's. */
    static Map<String, Object> answer(String keyId, String keyVersionId, String name, Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("KeyId", keyId);
        out.put("KeyVersionId", keyVersionId);
        out.put(name, value);
        return out;
    }

    /** Encrypt's answer (and GenerateDataKey's, before its Plaintext): the key, its version and the OpenAPI's CiphertextBlob. */
    static Map<String, Object> sealed(Results.Padded e) {
        return answer(e.encrypted().keyId(), e.encrypted().keyVersionId(), "CiphertextBlob",
                blob(e.encrypted().keyVersionId(), e.encrypted().iv(), e.encrypted().ciphertextBlob()));
    }

    /** {@code KeyVersionId ‖ Iv ‖ ciphertext} as Base64: the OpenAPI's CiphertextBlob. */
    static String blob(String keyVersionId, byte[] iv, byte[] ciphertext) {
        byte[] v = keyVersionId.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[v.length + iv.length + ciphertext.length];
        System.arraycopy(v, 0, out, 0, v.length);
        System.arraycopy(iv, 0, out, v.length, iv.length);
        System.arraycopy(ciphertext, 0, out, v.length + iv.length, ciphertext.length);
        return Base64.getEncoder().encodeToString(out);
    }

    /** A CiphertextBlob taken apart. */
    record Blob(String keyVersionId, byte[] iv, byte[] ciphertext) {
        static Blob parse(Params p) {
            byte[] b = p.base64("CiphertextBlob", true);
            if (b.length <= VERSION_ID_BYTES + IV_BYTES) {
                throw KmsException.invalid("The parameter CiphertextBlob is not a ciphertext of this instance.");
            }
            String version = new String(b, 0, VERSION_ID_BYTES, StandardCharsets.ISO_8859_1);
            return new Blob(version, java.util.Arrays.copyOfRange(b, VERSION_ID_BYTES, VERSION_ID_BYTES + IV_BYTES),
                    java.util.Arrays.copyOfRange(b, VERSION_ID_BYTES + IV_BYTES, b.length));
        }
    }

    static final class Encrypt extends KeyAction {
        Encrypt(CryptoOperations engine) {
            super(engine);
        }

        @Override
        void check(Params p) {
            p.required("KeyId");
            p.required("Plaintext");
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            engine.encrypt(new Commands.Encrypt(p.required("KeyId"), p.required("Plaintext").getBytes(StandardCharsets.UTF_8), "",
                    aad(p.optional("EncryptionContext")), new byte[0], ""), reply(ch, r, OpenApis::sealed));
        }
    }

    /** Decrypt names no key: the blob's key version does, for authorization and for the engine. */
    static final class Decrypt extends KeyAction {
        Decrypt(CryptoOperations engine) {
            super(engine);
        }

        @Override
        void check(Params p) {
            Blob.parse(p);
        }

        @Override
        public String keyId(Params p) {
            return "";
        }

        @Override
        public String keyVersionId(KmsRequest r, Params p) {
            return Blob.parse(p).keyVersionId();
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            Blob b = Blob.parse(p);
            engine.decrypt(new Commands.Decrypt("", b.ciphertext(), "", aad(p.optional("EncryptionContext")), b.iv(), "", b.keyVersionId()),
                    reply(ch, r, (Results.Decrypted d) -> answer(d.keyId(), d.keyVersionId(), "Plaintext",
                            new String(d.plaintext(), StandardCharsets.UTF_8))));
        }
    }

    /**
     * GenerateDataKey(WithoutPlaintext): random bytes from the HSM ({@code NumberOfBytes}, else 32 for AES_256 and 16 for
     * AES_128), then their Base64 text encrypted under the key as Encrypt would; the plaintext is answered only when that
     * encryption succeeded.
     */
    static final class GenerateDataKey extends KeyAction {
        private final boolean withPlaintext;

        GenerateDataKey(CryptoOperations engine, boolean withPlaintext) {
            super(engine);
            this.withPlaintext = withPlaintext;
        }

        @Override
        void check(Params p) {
            p.required("KeyId");
            numberOfBytes(p);
        }

        private static int numberOfBytes(Params p) {
            String n = p.optional("NumberOfBytes");
            if (!n.isEmpty()) {
                int v;
                try {
                    v = Integer.parseInt(n);
                } catch (NumberFormatException e) {
                    v = -1;
                }
                if (v < 1 || v > 1024) {
                    throw KmsException.invalid("The parameter NumberOfBytes must be between 1 and 1024.");
                }
                return v;
            }
            return switch (p.optional("KeySpec")) {
                case "", "AES_256" -> 32;
                case "AES_128" -> 16;
                default -> throw KmsException.invalid("The specified parameter KeySpec is not valid.");
            };
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            String keyId = p.required("KeyId");
            byte[] aad = aad(p.optional("EncryptionContext"));
            engine.generateRandom(numberOfBytes(p), (random, error) -> {
                if (error != null) {
                    reply(ch, r, (Object x) -> new LinkedHashMap<>()).complete(null, error);
                    return;
                }
                String plaintext = Base64.getEncoder().encodeToString(random);
                java.util.Arrays.fill(random, (byte) 0);
                try {
                    engine.encrypt(new Commands.Encrypt(keyId, plaintext.getBytes(StandardCharsets.US_ASCII), "", aad, new byte[0], ""),
                            reply(ch, r, (Results.Padded e) -> {
                                Map<String, Object> out = sealed(e);
                                if (withPlaintext) {
                                    out.put("Plaintext", plaintext);
                                }
                                return out;
                            }));
                } catch (KmsException e) {
                    reply(ch, r, (Object x) -> new LinkedHashMap<>()).complete(null, e);
                }
            });
        }
    }

    static final class GetSecretValue extends Action {
        private final SecretManagement secrets;

        GetSecretValue(SecretManagement secrets) {
            this.secrets = secrets;
        }

        @Override
        void check(Params p) {
            p.required("SecretName");
        }

        @Override
        public String keyId(Params p) {
            return null;
        }

        @Override
        public String secretName(Params p) {
            return p.required("SecretName");
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            boolean extended = Boolean.parseBoolean(p.optional("FetchExtendedConfig"));
            secrets.getSecretValue(p.required("SecretName"), p.optional("VersionStage"), p.optional("VersionId"),
                    reply(ch, r, (SecretValue v) -> {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("SecretName", v.secret().name());
                        out.put("SecretType", v.secret().secretType());
                        out.put("SecretData", v.secretData());
                        out.put("SecretDataType", v.version().dataType());
                        out.put("VersionId", v.version().versionId());
                        out.put("CreateTime", IsoTime.seconds(v.version().created()));
                        out.put("VersionStages", Map.of("VersionStage", List.copyOf(v.secret().stagesOf(v.version().versionId()))));
                        out.put("AutomaticRotation", "false");
                        if (extended) {
                            out.put("ExtendedConfig", v.secret().extendedConfig());
                        }
                        return out;
                    }));
        }
    }

    /** An action on a key, run by the engine's data plane. */
    abstract static class KeyAction extends Action {
        final CryptoOperations engine;

        KeyAction(CryptoOperations engine) {
            this.engine = engine;
        }
    }

    /** The asymmetric actions name a key and its version (KeyVersionId); the engine checks the version. */
    abstract static class Asymmetric extends KeyAction {
        Asymmetric(CryptoOperations engine) {
            super(engine);
        }

        @Override
        void check(Params p) {
            p.required("KeyId");
            p.required("KeyVersionId");
        }
    }

    static final class AsymmetricSign extends Asymmetric {
        AsymmetricSign(CryptoOperations engine) {
            super(engine);
        }

        @Override
        void check(Params p) {
            super.check(p);
            p.required("Algorithm");
            p.base64("Digest", true);
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            engine.sign(new Commands.Sign(p.required("KeyId"), p.required("Algorithm"), p.base64("Digest", true), new byte[0], "DIGEST",
                    p.required("KeyVersionId")), reply(ch, r, (Results.Signed s) -> answer(s.keyId(), s.keyVersionId(), "Value",
                            Base64.getEncoder().encodeToString(s.signature()))));
        }
    }

    static final class AsymmetricVerify extends Asymmetric {
        AsymmetricVerify(CryptoOperations engine) {
            super(engine);
        }

        @Override
        void check(Params p) {
            super.check(p);
            p.required("Algorithm");
            p.base64("Digest", true);
            p.base64("Value", true);
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            engine.verify(new Commands.Sign(p.required("KeyId"), p.required("Algorithm"), p.base64("Digest", true), new byte[0], "DIGEST",
                    p.required("KeyVersionId")), p.base64("Value", true), reply(ch, r,
                            (Results.Verified v) -> answer(v.keyId(), v.keyVersionId(), "Value", v.value())));
        }
    }

    static final class AsymmetricEncrypt extends Asymmetric {
        AsymmetricEncrypt(CryptoOperations engine) {
            super(engine);
        }

        @Override
        void check(Params p) {
            super.check(p);
            p.required("Algorithm");
            p.base64("Plaintext", true);
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            String version = p.required("KeyVersionId");
            engine.encrypt(new Commands.Encrypt(p.required("KeyId"), p.base64("Plaintext", true), p.required("Algorithm"), new byte[0],
                    new byte[0], ""), reply(ch, r, (Results.Padded e) -> {
                        if (!e.encrypted().keyVersionId().equals(version)) {
                            throw KmsException.invalid("The key version " + version + " is not the key's version to encrypt with ("
                                    + e.encrypted().keyVersionId() + ").");
                        }
                        return answer(e.encrypted().keyId(), e.encrypted().keyVersionId(), "CiphertextBlob",
                                Base64.getEncoder().encodeToString(e.encrypted().ciphertextBlob()));
                    }));
        }
    }

    static final class AsymmetricDecrypt extends Asymmetric {
        AsymmetricDecrypt(CryptoOperations engine) {
            super(engine);
        }

        @Override
        void check(Params p) {
            super.check(p);
            p.required("Algorithm");
            p.base64("CiphertextBlob", true);
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            engine.decrypt(new Commands.Decrypt(p.required("KeyId"), p.base64("CiphertextBlob", true), p.required("Algorithm"), new byte[0],
                    new byte[0], "", p.required("KeyVersionId")), reply(ch, r, (Results.Decrypted d) -> answer(d.keyId(),
                            d.keyVersionId(), "Plaintext", Base64.getEncoder().encodeToString(d.plaintext()))));
        }
    }

    /** GetPublicKey answers from the cached key ring on the event loop, as the instance protocol's does. */
    static final class GetPublicKey extends Asymmetric {
        GetPublicKey(CryptoOperations engine) {
            super(engine);
        }

        @Override
        void run(KmsRequest r, Params p, Channel ch) {
            Results.PublicKey pk = engine.getPublicKey(p.required("KeyId"), p.required("KeyVersionId"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("KeyId", pk.keyId());
            out.put("KeyVersionId", pk.keyVersionId());
            out.put("PublicKey", pk.pem());
            out.put("RequestId", r.requestId);
            Responses.okOpenApi(ch, r, out);
        }
    }
}
