package io.kmsgw.gateway.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The operator console's static files ({@code console/} on the class path, packed into the jar by the build), read once at
 * start so the admin event loop serves them from memory. Only files that exist are served: a request path is a key in this
 * map, never a file-system or class-path lookup, so there is no traversal to defend against.
 */
public final class ConsoleAssets {
    private static final String ROOT = "console/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    /** One file: its bytes, content type and a strong ETag. */
    public record Asset(byte[] body, String contentType, String etag) {
    }

    private final Map<String, Asset> assets;

    private ConsoleAssets(Map<String, Asset> assets) {
        this.assets = Collections.unmodifiableMap(assets);
    }

    /** The console files of this build, found next to this class (a jar, or a classes directory in tests). */
    public static ConsoleAssets load() {
        Map<String, Asset> found = new HashMap<>();
        URL index = ConsoleAssets.class.getClassLoader().getResource(ROOT + "index.html");
        if (index == null) {
            return new ConsoleAssets(found);
        }
        try {
            if ("jar".equals(index.getProtocol())) {
                String spec = index.getPath(); // file:/x/kmsgw.jar!/console/index.html
                Path jar = Path.of(new URL(spec.substring(0, spec.indexOf("!/"))).toURI());
                try (JarFile jf = new JarFile(jar.toFile())) {
                    for (JarEntry e : Collections.list(jf.entries())) {
                        if (!e.isDirectory() && e.getName().startsWith(ROOT)) {
                            try (InputStream in = jf.getInputStream(e)) {
                                add(found, e.getName().substring(ROOT.length()), in.readAllBytes());
                            }
                        }
                    }
                }
            } else {
                Path root = Path.of(index.toURI()).getParent();
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        add(found, root.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console files", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the console files", e);
        }
        return new ConsoleAssets(found);
    }

    private static void add(Map<String, Asset> into, String name, byte[] body) {
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        if (type == null) {
            return; // sources maps, notes and the like are not served
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            into.put(name, new Asset(body, type, "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\""));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file for a path below {@code /console/} ("" is the index page), or null. */
    public Asset get(String path) {
        return assets.get(path.isEmpty() ? "index.html" : path);
    }

    /** Whether this build carries a console at all. */
    public boolean present() {
        return assets.containsKey("index.html");
    }
}
