package dev.jonnx.text.tokenizer;

import java.util.List;
import java.util.Map;

/** Typed access to the parsed JSON of a {@code tokenizer.json}, with errors that name the field. */
final class TokenizerConfig {
    private TokenizerConfig() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object value, String what) {
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + " must be a JSON object, found " + describe(value));
    }

    static Map<String, Object> object(Map<String, Object> map, String key, String what) {
        return object(require(map, key, what), what + "." + key);
    }

    static List<?> list(Map<String, Object> map, String key, String what) {
        Object value = require(map, key, what);
        if (value instanceof List<?> list) {
            return list;
        }
        throw new IllegalArgumentException(what + "." + key + " must be a JSON array, found "
                + describe(value));
    }

    static String string(Map<String, Object> map, String key, String what) {
        Object value = require(map, key, what);
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(what + "." + key + " must be a string, found "
                + describe(value));
    }

    static String string(Object value, String what) {
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(what + " must be a string, found " + describe(value));
    }

    static int integer(Map<String, Object> map, String key, String what) {
        return integer(require(map, key, what), what + "." + key);
    }

    static int integer(Object value, String what) {
        if (value instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw new IllegalArgumentException(what + " must be a 32-bit integer, found " + describe(value));
    }

    /** Reads an optional boolean; a missing key or JSON null gives {@code defaultValue}. */
    static boolean bool(Map<String, Object> map, String key, boolean defaultValue) {
        Object value = map.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(key + " must be true or false, found " + describe(value));
    }

    private static Object require(Map<String, Object> map, String key, String what) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException(what + " has no '" + key + "'");
        }
        return value;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value.toString();
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
