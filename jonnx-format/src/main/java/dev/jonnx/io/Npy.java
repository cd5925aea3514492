package dev.jonnx.io;

import dev.jonnx.ModelFormatException;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes tensors in NumPy's {@code .npy} format (versions 1.0 to 3.0), C order,
 * little-endian numeric types, bool, and fixed-width Unicode strings ({@code <U}).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static Tensor read(Path file) {
        try {
            return read(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Decodes an .npy file held in memory; {@code name} is used in messages. */
    public static Tensor read(byte[] bytes, String name) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (byte m : MAGIC) {
            if (!b.hasRemaining() || b.get() != m) {
                throw new ModelFormatException(name + " is not an .npy file (bad magic bytes)");
            }
        }
        if (b.remaining() < 4) {
            throw new ModelFormatException(name + " is truncated in its .npy header");
        }
        int major = b.get() & 0xFF;
        b.get();
        long headerLength = major == 1 ? b.getShort() & 0xFFFF : b.getInt() & 0xFFFFFFFFL;
        if (headerLength > b.remaining()) {
            throw new ModelFormatException(name + " is truncated in its .npy header");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        b.get(headerBytes);
        String header = new String(headerBytes, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, name, "descr");
        if (group(FORTRAN, header, name, "fortran_order").equals("True")) {
            throw new ModelFormatException(name + ": Fortran-order .npy arrays are not supported;"
                    + " save with numpy.ascontiguousarray first");
        }
        int[] shape = parseShape(group(SHAPE, header, name, "shape"), name);
        int size;
        try {
            size = Tensor.sizeOf(shape);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(name + ": " + e.getMessage());
        }
        ByteBuffer body = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (descr.startsWith(">") && !descr.endsWith("1")) {
            throw new ModelFormatException(name + ": big-endian dtype '" + descr + "' is not supported");
        }
        String code = descr.replaceFirst("^[<>|=]", "");
        if (code.startsWith("U")) {
            int width = Integer.parseInt(code.substring(1));
            String[] out = new String[size];
            if ((long) size * width * 4 > body.remaining()) {
                throw new ModelFormatException(name + ": data is shorter than its shape");
            }
            for (int i = 0; i < size; i++) {
                StringBuilder s = new StringBuilder();
                for (int c = 0; c < width; c++) {
                    int cp = body.getInt();
                    if (cp != 0) {
                        s.appendCodePoint(cp);
                    }
                }
                out[i] = s.toString();
            }
            return Tensor.of(DataType.STRING, shape, out);
        }
        DataType type = switch (code) {
            case "f4" -> DataType.FLOAT;
            case "f8" -> DataType.DOUBLE;
            case "f2" -> DataType.FLOAT16;
            case "i1" -> DataType.INT8;
            case "u1" -> DataType.UINT8;
            case "i2" -> DataType.INT16;
            case "u2" -> DataType.UINT16;
            case "i4" -> DataType.INT32;
            case "u4" -> DataType.UINT32;
            case "i8" -> DataType.INT64;
            case "u8" -> DataType.UINT64;
            case "b1" -> DataType.BOOL;
            case "c8" -> DataType.COMPLEX64;
            case "c16" -> DataType.COMPLEX128;
            default -> throw new ModelFormatException(name + ": unsupported .npy dtype '" + descr + "'");
        };
        long needed = TensorProtos.rawByteLength(type, size);
        if (body.remaining() < needed) {
            throw new ModelFormatException(name + ": " + type + " " + java.util.Arrays.toString(shape)
                    + " needs " + needed + " bytes of data, got " + body.remaining());
        }
        return TensorProtos.fromBytes(type, shape, size, body.limit((int) needed), name);
    }

    private static String group(Pattern p, String header, String name, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new ModelFormatException(name + ": .npy header has no '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    private static int[] parseShape(String text, String name) {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String s = part.trim();
            if (!s.isEmpty()) {
                try {
                    dims.add(Integer.parseInt(s.replace("L", "")));
                } catch (NumberFormatException e) {
                    throw new ModelFormatException(name + ": invalid .npy shape (" + text + ")");
                }
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    public static void write(Tensor tensor, Path file) {
        try {
            Files.write(file, toBytes(tensor));
        } catch (IOException e) {
            throw new ModelFormatException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Encodes a tensor as an .npy file (version 1.0). */
    public static byte[] toBytes(Tensor tensor) {
        DataType type = tensor.type();
        String descr;
        byte[] body;
        if (type == DataType.STRING) {
            int width = 1;
            for (String s : tensor.strings()) {
                width = Math.max(width, s.codePointCount(0, s.length()));
            }
            ByteBuffer buf = ByteBuffer.allocate(tensor.size() * width * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (String s : tensor.strings()) {
                int[] cps = s.codePoints().toArray();
                for (int c = 0; c < width; c++) {
                    buf.putInt(c < cps.length ? cps[c] : 0);
                }
            }
            descr = "<U" + width;
            body = buf.array();
        } else {
            descr = switch (type) {
                case FLOAT -> "<f4";
                case DOUBLE -> "<f8";
                case FLOAT16 -> "<f2";
                case INT8 -> "|i1";
                case UINT8 -> "|u1";
                case INT16 -> "<i2";
                case UINT16 -> "<u2";
                case INT32 -> "<i4";
                case UINT32 -> "<u4";
                case INT64 -> "<i8";
                case UINT64 -> "<u8";
                case BOOL -> "|b1";
                case COMPLEX64 -> "<c8";
                case COMPLEX128 -> "<c16";
                default -> throw new IllegalArgumentException("NumPy has no dtype for " + type
                        + "; write it as a .pb tensor instead");
            };
            body = TensorProtos.toBytes(tensor);
        }
        StringBuilder shape = new StringBuilder("(");
        for (int d : tensor.shape()) {
            shape.append(d).append(", ");
        }
        if (tensor.rank() > 1) {
            shape.setLength(shape.length() - 2);
        } else if (tensor.rank() == 1) {
            shape.setLength(shape.length() - 1);
        }
        shape.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + body.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(body);
        return out.array();
    }
}
