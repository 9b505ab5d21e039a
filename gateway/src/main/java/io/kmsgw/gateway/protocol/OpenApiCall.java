package io.kmsgw.gateway.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One KMS OpenAPI (2016-01-20) request as it arrived on the instance endpoint, before its signature is checked: the
 * method and path, every parameter (query string, and a form body for RPC POSTs) decoded exactly once, the headers by
 * lower-case name, the body, and which signature it carries. Built by {@link #parse}, which refuses what no official client
 * sends: a parameter given twice, broken percent-encoding, a header the signature could name given twice.
 */
public final class OpenApiCall {
    /** The KMS OpenAPI version served. */
    public static final String VERSION = "2016-01-20";
    public static final int MAX_PARAMETERS = 64;

    /** The actions served, and the instance API whose role (for policies) and meters each shares. */
    private static final Map<String, ApiName> SERVED = Map.ofEntries(
            Map.entry("Encrypt", ApiName.Encrypt),
            Map.entry("Decrypt", ApiName.Decrypt),
            Map.entry("GenerateDataKey", ApiName.GenerateDataKey),
            Map.entry("GenerateDataKeyWithoutPlaintext", ApiName.GenerateDataKey),
            Map.entry("GetSecretValue", ApiName.GetSecretValue),
            Map.entry("AsymmetricSign", ApiName.Sign),
            Map.entry("AsymmetricVerify", ApiName.Verify),
            Map.entry("AsymmetricEncrypt", ApiName.Encrypt),
            Map.entry("AsymmetricDecrypt", ApiName.Decrypt),
            Map.entry("GetPublicKey", ApiName.GetPublicKey));

    /**
     * KMS OpenAPI 2016-01-20 actions a KMS instance endpoint does not serve (they belong to the regional endpoint; kmsgw's
     * keys, secrets and access are managed on its admin plane): answered {@code UnsupportedOperation}, not "not found".
     */
    private static final java.util.Set<String> NOT_SERVED = java.util.Set.of("ReEncrypt", "ExportDataKey", "GenerateAndExportDataKey",
            "CreateKey", "DescribeKey", "ListKeys", "EnableKey", "DisableKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "UpdateKeyDescription",
            "CreateKeyVersion", "DescribeKeyVersion", "ListKeyVersions", "UpdateRotationPolicy", "GetParametersForImport",
            "ImportKeyMaterial", "DeleteKeyMaterial", "CreateAlias", "UpdateAlias", "DeleteAlias", "ListAliases", "ListAliasesByKeyId",
            "TagResource", "UntagResource", "ListTagResources", "TagResources", "UntagResources", "ListResourceTags", "DescribeRegions",
            "DescribeService", "DescribeAccountKmsStatus", "OpenKmsService", "CreateSecret", "PutSecretValue", "DescribeSecret",
            "ListSecrets", "ListSecretVersionIds", "UpdateSecret", "UpdateSecretVersionStage", "UpdateSecretRotationPolicy",
            "RotateSecret", "DeleteSecret", "RestoreSecret", "GetRandomPassword", "GetSecretPolicy", "SetSecretPolicy", "GetKeyPolicy",
            "SetKeyPolicy", "CreateApplicationAccessPoint", "CreateClientKey", "CreateNetworkRule", "CreatePolicy", "ListKmsInstances",
            "GetKmsInstance", "CreateCertificate", "CertificatePrivateKeySign", "CertificatePublicKeyVerify");

    /** The instance API an OpenAPI action maps onto, or null when the action is not served. */
    public static ApiName instanceApi(String action) {
        return action == null ? null : SERVED.get(action);
    }

    /** Whether {@code action} is a KMS OpenAPI action a KMS instance does not serve (as opposed to no action at all). */
    public static boolean knownButNotServed(String action) {
        return action != null && NOT_SERVED.contains(action);
    }

    /** The signature a request carries. */
    public enum Signature { V3, V1 }

    /** The format the client reads answers in. */
    public enum Format { JSON, XML }

    public final String method;
    public final String path;
    /** Query parameters, decoded, in the order sent (V3 signs these). */
    public final Map<String, String> query;
    /** Query and form-body parameters together, decoded (V1 signs these; actions read these). */
    public final Map<String, String> params;
    /** The first value of each header, by lower-case name. */
    public final Map<String, String> headers;
    public final byte[] body;
    public final Signature signature;
    public final String action;
    public final String version;
    public final Format format;

    private OpenApiCall(String method, String path, Map<String, String> query, Map<String, String> params, Map<String, String> headers,
                        byte[] body, Signature signature) {
        this.method = method;
        this.path = path;
        this.query = Collections.unmodifiableMap(query);
        this.params = Collections.unmodifiableMap(params);
        this.headers = Collections.unmodifiableMap(headers);
        this.body = body;
        this.signature = signature;
        if (signature == Signature.V3) {
            this.action = headers.get("x-acs-action");
            this.version = headers.get("x-acs-version");
        } else {
            this.action = params.get("Action");
            this.version = params.get("Version");
        }
        String f = params.get("Format");
        String accept = headers.get("accept");
        this.format = (f != null && f.equalsIgnoreCase("XML")) || (f == null && accept != null && accept.toLowerCase(Locale.ROOT).contains("xml")
                && !accept.toLowerCase(Locale.ROOT).contains("json")) ? Format.XML : Format.JSON;
    }

    /**
     * Whether a request is meant for the OpenAPI: it carries a V3 {@code Authorization}, an {@code x-acs-action} header, or a
     * query string (the instance protocol's clients send none of these). Everything else is the instance protocol's.
     */
    public static boolean isOpenApi(String uri, String authorization, boolean hasAcsAction) {
        return hasAcsAction || (authorization != null && authorization.startsWith("ACS3-")) || uri.indexOf('?') >= 0;
    }

    /** The answer format a request asks for, read as leniently as an error before parsing needs it. */
    public static Format formatOf(String uri, String accept) {
        int q = uri.indexOf('?');
        if (q >= 0 && uri.regionMatches(true, q, "?Format=XML", 0, 11) || uri.toUpperCase(Locale.ROOT).contains("&FORMAT=XML")) {
            return Format.XML;
        }
        return accept != null && accept.toLowerCase(Locale.ROOT).contains("xml") && !accept.toLowerCase(Locale.ROOT).contains("json")
                ? Format.XML : Format.JSON;
    }

    /**
     * Parses a request the decoder has judged to be for the OpenAPI.
     *
     * @param headers every header as sent (name, value), in order
     * @throws ProtocolException a clear client error: the parameters cannot be read, or what the signature covers is ambiguous
     */
    public static OpenApiCall parse(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body, String contentType) {
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new ProtocolException(ProtocolError.METHOD_NOT_ALLOWED, "The method " + method + " is not allowed; use GET or POST.");
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (!path.equals("/")) {
            throw new ProtocolException(ProtocolError.NOT_FOUND, "The request URL is invalid; the KMS OpenAPI is served at /.");
        }
        Map<String, String> h = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : headers) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (h.putIfAbsent(name, e.getValue()) != null && (name.startsWith("x-acs-") || name.equals("authorization")
                    || name.equals("host") || name.equals("content-type"))) {
                throw new ProtocolException(ProtocolError.INVALID_PARAMETER, "The header " + name + " is given twice.");
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            decodeForm(uri.substring(q + 1), query, "query string");
        }
        Map<String, String> params = new LinkedHashMap<>(query);
        if (body.length > 0 && contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            Map<String, String> form = new LinkedHashMap<>();
            decodeForm(new String(body, StandardCharsets.ISO_8859_1), form, "body");
            for (Map.Entry<String, String> e : form.entrySet()) {
                if (params.putIfAbsent(e.getKey(), e.getValue()) != null) {
                    throw new ProtocolException(ProtocolError.INVALID_PARAMETER, "The parameter " + echo(e.getKey())
                            + " is given twice.");
                }
            }
        }
        if (params.size() > MAX_PARAMETERS) {
            throw new ProtocolException(ProtocolError.INVALID_PARAMETER, "The request has more than " + MAX_PARAMETERS + " parameters.");
        }
        String auth = h.get("authorization");
        Signature sig = auth != null && auth.startsWith("ACS3-") ? Signature.V3 : Signature.V1;
        return new OpenApiCall(method, path, query, params, h, body, sig);
    }

    /** Decodes {@code a=b&c=d} (percent-encoding, {@code +} as space) into {@code out}; a name given twice is refused. */
    static void decodeForm(String s, Map<String, String> out, String where) {
        if (s.isEmpty()) {
            return;
        }
        int start = 0;
        while (start <= s.length()) {
            int amp = s.indexOf('&', start);
            int end = amp < 0 ? s.length() : amp;
            if (end > start) {
                int eq = s.indexOf('=', start);
                String name;
                String value;
                if (eq < 0 || eq > end) {
                    name = decode(s, start, end, where);
                    value = "";
                } else {
                    name = decode(s, start, eq, where);
                    value = decode(s, eq + 1, end, where);
                }
                if (name.isEmpty()) {
                    throw new ProtocolException(ProtocolError.INVALID_PARAMETER, "The " + where + " has a parameter without a name.");
                }
                if (out.size() >= MAX_PARAMETERS) {
                    throw new ProtocolException(ProtocolError.INVALID_PARAMETER, "The request has more than " + MAX_PARAMETERS + " parameters.");
                }
                if (out.putIfAbsent(name, value) != null) {
                    throw new ProtocolException(ProtocolError.INVALID_PARAMETER, "The parameter " + echo(name) + " is given twice.");
                }
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
    }

    private static String decode(String s, int from, int to, String where) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= to) {
                    throw malformed(where);
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw malformed(where);
                }
                b.write(hi << 4 | lo);
                i += 2;
            } else if (c == '+') {
                b.write(' ');
            } else if (c > 0xff) {
                throw malformed(where);
            } else {
                b.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw malformed(where);
        }
    }

    /** A client-supplied name, shortened and without control characters, for an error message. */
    private static String echo(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }

    private static ProtocolException malformed(String where) {
        return new ProtocolException(ProtocolError.INVALID_PARAMETER, "The " + where + " is not valid percent-encoded UTF-8.");
    }
}
