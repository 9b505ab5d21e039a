package io.kmsgw.gateway.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each admin action does and takes, for people: the CLI's help and shell completion read it. The list lives in
 * {@code actions.txt} beside this class; a test keeps it equal to the actions {@link AdminActions} serves.
 */
public final class AdminCatalog {
    /** One parameter: its name, type ({@code string}, {@code int}, {@code bool}, {@code list}, {@code json}, {@code time}), default. */
    public record Param(String name, String type, String dflt, String description) {
        public boolean required() {
            return dflt.equals("required");
        }
    }

    /** One action: its name, one line, its parameters. */
    public record Action(String name, String summary, List<Param> params) {
    }

    private static final Map<String, Action> ACTIONS = load();

    private AdminCatalog() {
    }

    /** Every action, in the file's order (grouped by what it manages). */
    public static List<Action> actions() {
        return List.copyOf(ACTIONS.values());
    }

    /** The action named {@code name}, or null. */
    public static Action get(String name) {
        return ACTIONS.get(name);
    }

    private static Map<String, Action> load() {
        String text;
        try (InputStream in = AdminCatalog.class.getResourceAsStream("actions.txt")) {
            if (in == null) {
                throw new IllegalStateException("actions.txt is missing from the jar");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Action> out = new LinkedHashMap<>();
        String name = null;
        String summary = null;
        List<Param> params = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.strip().split(" \\| ", -1);
            if (!line.startsWith(" ")) {
                if (name != null) {
                    out.put(name, new Action(name, summary, Collections.unmodifiableList(params)));
                }
                name = f[0];
                summary = f[1];
                params = new ArrayList<>();
            } else {
                params.add(new Param(f[0], f[1], f[2], f[3]));
            }
        }
        if (name != null) {
            out.put(name, new Action(name, summary, Collections.unmodifiableList(params)));
        }
        return Collections.unmodifiableMap(out);
    }
}
