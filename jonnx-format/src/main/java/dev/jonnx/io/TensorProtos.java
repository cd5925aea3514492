package dev.jonnx.io;

import com.google.protobuf.ByteString;
import dev.jonnx.ModelCheckException;
import dev.jonnx.ModelFormatException;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Limits;
import dev.jonnx.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Converts between {@link TensorProto} and {@link Tensor}. */
public final class TensorProtos {
    private TensorProtos() {}

    /** Supplies the bytes of a tensor whose data is stored outside the protobuf message. */
    @FunctionalInterface
    public interface ExternalDataSource {
        ByteBuffer read(TensorProto tensor);
    }

    /** A source that rejects external data, for tensors read without a model folder. */
    public static final ExternalDataSource NO_EXTERNAL_DATA = t -> {
        throw new ModelFormatException("tensor '" + t.getName()
                + "' stores its data in an external file, but it was read without a model folder");
    };

    public static Tensor toTensor(TensorProto proto) {
        return toTensor(proto, NO_EXTERNAL_DATA);
    }

    /**
     * Decodes a tensor from its message.
     *
     * @throws ModelFormatException if the element type is unknown, a dimension is negative, or
     *     the data does not match the shape
     */
    public static Tensor toTensor(TensorProto proto, ExternalDataSource external) {
        String name = proto.getName().isEmpty() ? "(unnamed)" : "'" + printable(proto.getName()) + "'";
        if (proto.getDataType() == 0) {
            throw new ModelFormatException("tensor " + name + " has no data_type");
        }
        DataType type;
        try {
            type = DataType.fromCode(proto.getDataType());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("tensor " + name + ": " + e.getMessage());
        }
        int[] shape = shapeOf(proto.getDimsList(), "tensor " + name);
        int size = Tensor.sizeOf(shape);
        try {
            if (proto.hasDataLocation() && proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                return fromBytes(type, shape, size, external.read(proto), name);
            }
            if (proto.hasRawData()) {
                ByteBuffer raw = proto.getRawData().asReadOnlyByteBuffer();
                return fromBytes(type, shape, size, raw, name);
            }
            return fromFields(proto, type, shape, size, name);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new ModelFormatException("tensor " + name + " " + type + " "
                    + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
    }

    /** Escapes control and non-ASCII characters, so a garbled name cannot garble a message. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    /**
     * Converts dims to a shape.
     *
     * @throws ModelFormatException if a dimension is negative
     * @throws ModelCheckException if the element count passes {@link Limits#maxElements()}
     */
    public static int[] shapeOf(List<Long> dims, String what) {
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = dims.get(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new ModelFormatException(what + " has invalid dimension " + d + " in " + dims);
            }
            shape[i] = (int) d;
        }
        // A zero dimension makes the tensor empty, however large the other dimensions are.
        long count = dims.contains(0L) ? 0 : 1;
        for (int i = 0; i < shape.length && count > 0; i++) {
            count = shape[i] <= Long.MAX_VALUE / count ? count * shape[i] : -1;
        }
        if (!Limits.fits(count)) {
            throw new ModelCheckException(Limits.describeExcess(what + " of shape", dims, count));
        }
        return shape;
    }

    /** Decodes fixed-width little-endian elements (packed for sub-byte types). */
    public static Tensor fromBytes(DataType type, int[] shape, int size, ByteBuffer bytes,
            String name) {
        if (type == DataType.STRING) {
            throw new ModelFormatException("string tensor " + name + " must use string_data, not raw bytes");
        }
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long expected = rawByteLength(type, size);
        if (b.remaining() != expected) {
            throw new ModelFormatException("tensor " + name + " " + type + " " + Arrays.toString(shape)
                    + " needs " + expected + " bytes of data, got " + b.remaining());
        }
        int slots = size * type.slotsPerElement();
        Object data = Tensor.allocate(type, size);
        switch (type) {
            case FLOAT, COMPLEX64 -> b.asFloatBuffer().get((float[]) data);
            case DOUBLE, COMPLEX128 -> b.asDoubleBuffer().get((double[]) data);
            case INT64, UINT64 -> b.asLongBuffer().get((long[]) data);
            case INT32, UINT32 -> b.asIntBuffer().get((int[]) data);
            case INT16, UINT16, FLOAT16, BFLOAT16 -> b.asShortBuffer().get((short[]) data);
            case INT8, UINT8, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0 ->
                    b.get((byte[]) data);
            case BOOL -> {
                boolean[] out = (boolean[]) data;
                for (int i = 0; i < slots; i++) {
                    out[i] = b.get() != 0;
                }
            }
            case INT4, UINT4, FLOAT4E2M1, INT2, UINT2 -> {
                byte[] packed = new byte[b.remaining()];
                b.get(packed);
                unpack(type, packed, (byte[]) data);
            }
            default -> throw new IllegalStateException("unhandled type " + type);
        }
        return Tensor.of(type, shape, data);
    }

    /** Bytes that {@code size} elements of {@code type} take in raw data. */
    public static long rawByteLength(DataType type, int size) {
        // bitWidth() covers a whole element, both parts of a complex number included.
        int bits = type.bitWidth();
        return ((long) size * bits + 7) / 8;
    }

    /** Unpacks 4-bit or 2-bit elements, sign-extending the signed types. */
    static void unpack(DataType type, byte[] packed, byte[] out) {
        int bits = type.bitWidth();
        int perByte = 8 / bits;
        int mask = (1 << bits) - 1;
        boolean signed = type == DataType.INT4 || type == DataType.INT2;
        for (int i = 0; i < out.length; i++) {
            int v = (packed[i / perByte] >> ((i % perByte) * bits)) & mask;
            if (signed && (v & (1 << (bits - 1))) != 0) {
                v -= 1 << bits;
            }
            out[i] = (byte) v;
        }
    }

    static byte[] pack(DataType type, byte[] values) {
        int bits = type.bitWidth();
        int perByte = 8 / bits;
        int mask = (1 << bits) - 1;
        byte[] packed = new byte[(values.length + perByte - 1) / perByte];
        for (int i = 0; i < values.length; i++) {
            packed[i / perByte] |= (byte) ((values[i] & mask) << ((i % perByte) * bits));
        }
        return packed;
    }

    private static Tensor fromFields(TensorProto p, DataType type, int[] shape, int size,
            String name) {
        int slots = size * type.slotsPerElement();
        Object data = Tensor.allocate(type, size);
        switch (type) {
            case FLOAT, COMPLEX64 -> {
                check(p.getFloatDataCount(), slots, "float_data", name);
                float[] out = (float[]) data;
                for (int i = 0; i < slots; i++) {
                    out[i] = p.getFloatData(i);
                }
            }
            case DOUBLE, COMPLEX128 -> {
                check(p.getDoubleDataCount(), slots, "double_data", name);
                double[] out = (double[]) data;
                for (int i = 0; i < slots; i++) {
                    out[i] = p.getDoubleData(i);
                }
            }
            case INT64 -> {
                check(p.getInt64DataCount(), slots, "int64_data", name);
                long[] out = (long[]) data;
                for (int i = 0; i < slots; i++) {
                    out[i] = p.getInt64Data(i);
                }
            }
            case UINT64, UINT32 -> {
                check(p.getUint64DataCount(), slots, "uint64_data", name);
                for (int i = 0; i < slots; i++) {
                    Tensor.storeLong(type, data, i, p.getUint64Data(i));
                }
            }
            case STRING -> {
                check(p.getStringDataCount(), slots, "string_data", name);
                String[] out = (String[]) data;
                for (int i = 0; i < slots; i++) {
                    out[i] = p.getStringData(i).toString(StandardCharsets.UTF_8);
                }
            }
            case INT4, UINT4, FLOAT4E2M1, INT2, UINT2 -> {
                int perInt = 8 / type.bitWidth();
                check(p.getInt32DataCount(), (slots + perInt - 1) / perInt, "int32_data", name);
                byte[] packed = new byte[p.getInt32DataCount()];
                for (int i = 0; i < packed.length; i++) {
                    packed[i] = (byte) p.getInt32Data(i);
                }
                unpack(type, packed, (byte[]) data);
            }
            default -> {
                check(p.getInt32DataCount(), slots, "int32_data", name);
                for (int i = 0; i < slots; i++) {
                    Tensor.storeLong(type, data, i, p.getInt32Data(i));
                }
                if (type == DataType.FLOAT16 || type == DataType.BFLOAT16) {
                    short[] out = (short[]) data;
                    for (int i = 0; i < slots; i++) {
                        out[i] = (short) p.getInt32Data(i);
                    }
                } else if (type.isReducedFloat()) {
                    byte[] out = (byte[]) data;
                    for (int i = 0; i < slots; i++) {
                        out[i] = (byte) p.getInt32Data(i);
                    }
                }
            }
        }
        return Tensor.of(type, shape, data);
    }

    private static void check(int count, int expected, String field, String name) {
        if (count != expected) {
            throw new ModelFormatException("tensor " + name + " needs " + expected + " values in "
                    + field + ", got " + count);
        }
    }

    /** Encodes a tensor as a message, with raw data for every type but string. */
    public static TensorProto toProto(Tensor tensor, String name) {
        TensorProto.Builder b = TensorProto.newBuilder().setDataType(tensor.type().code());
        if (name != null) {
            b.setName(name);
        }
        for (int d : tensor.shape()) {
            b.addDims(d);
        }
        if (tensor.type() == DataType.STRING) {
            for (String s : tensor.strings()) {
                b.addStringData(ByteString.copyFromUtf8(s));
            }
        } else {
            b.setRawData(ByteString.copyFrom(toBytes(tensor)));
        }
        return b.build();
    }

    /** Encodes the elements of a non-string tensor as little-endian raw data. */
    public static byte[] toBytes(Tensor tensor) {
        DataType type = tensor.type();
        long length = rawByteLength(type, tensor.size());
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(length)).order(ByteOrder.LITTLE_ENDIAN);
        Object data = tensor.data();
        switch (type) {
            case FLOAT, COMPLEX64 -> b.asFloatBuffer().put((float[]) data);
            case DOUBLE, COMPLEX128 -> b.asDoubleBuffer().put((double[]) data);
            case INT64, UINT64 -> b.asLongBuffer().put((long[]) data);
            case INT32, UINT32 -> b.asIntBuffer().put((int[]) data);
            case INT16, UINT16, FLOAT16, BFLOAT16 -> b.asShortBuffer().put((short[]) data);
            case INT8, UINT8, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0 ->
                    b.put((byte[]) data);
            case BOOL -> {
                for (boolean v : (boolean[]) data) {
                    b.put((byte) (v ? 1 : 0));
                }
            }
            case INT4, UINT4, FLOAT4E2M1, INT2, UINT2 -> b.put(pack(type, (byte[]) data));
            case STRING -> throw new IllegalArgumentException("string tensors have no raw data");
        }
        return b.array();
    }
}
