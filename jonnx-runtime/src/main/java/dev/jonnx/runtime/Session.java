package dev.jonnx.runtime;

import dev.jonnx.InvalidInputException;
import dev.jonnx.model.ModelIO;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.graph.ArenaPool;
import dev.jonnx.runtime.graph.BufferArena;
import dev.jonnx.runtime.graph.CompiledGraph;
import dev.jonnx.runtime.graph.GraphCompiler;
import dev.jonnx.runtime.optimizer.GraphOptimizer;
import dev.jonnx.runtime.registry.IntraOpPool;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.MapValue;
import dev.jonnx.tensor.OptionalValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model compiled for running. Build it once and call {@link #run} from as many threads as
 * you like: a session is safe to share, because every run keeps its values in its own frame.
 *
 * <pre>{@code
 * try (Session session = Session.open(Path.of("model.onnx"));
 *      Result result = session.run(Map.of("x", Tensor.of(new float[] {1, 2}, 1, 2)))) {
 *     float[] y = result.tensor("y").floats();
 * }
 * }</pre>
 */
public final class Session implements AutoCloseable {
    private final OnnxModel model;
    private final SessionOptions options;
    private final CompiledGraph graph;
    private final List<ValueInfo> inputs;
    private final List<ValueInfo> outputs;
    private final List<ValueInfoProto> requiredInputs;
    /** The position of each graph input by name. */
    private final Map<String, Integer> inputIndex;
    private final ExecutorService pool;
    /** The helpers that run independent nodes beside the calling thread, or null. */
    private final ExecutorService interOpPool;
    /** Buffer arenas kept between runs, or null when memory reuse is off. */
    private final ArenaPool arenas;
    private volatile boolean closed;

    /**
     * The maximum number of arenas kept idle between runs. Each keeps about one run's intermediate
     * buffers,
     * so after a burst of concurrent runs the extra arenas are dropped for the garbage collector.
     */
    private static final int MAX_IDLE_ARENAS = 4;

    private Session(OnnxModel model, SessionOptions options) {
        this.model = model;
        this.options = options;
        checkOpsetImports(model, options.registry());
        dev.jonnx.runtime.graph.SchemaCheck.check(model.proto(), model.name(), model.opsets());
        ModelProto proto = optimized(model, options);
        GraphCompiler compiler = new GraphCompiler(options.registry(), model.name(),
                proto.getFunctionsList(), ref -> model.tensor(ref.proto()));
        Map<String, Integer> opsets = new LinkedHashMap<>(model.opsets());
        for (var id : proto.getOpsetImportList()) {
            opsets.putIfAbsent(OnnxModel.normalizeDomain(id.getDomain()),
                    OnnxModel.opsetVersion(id, "model " + model.name()));
        }
        this.graph = compiler.compileMain(proto.getGraph(), opsets);
        List<ValueInfo> in = new ArrayList<>();
        List<ValueInfoProto> required = new ArrayList<>();
        List<ValueInfoProto> declared = graph.inputInfos();
        for (int i = 0; i < declared.size(); i++) {
            in.add(ValueInfo.of(declared.get(i)));
            required.add(graph.defaultOf(i) == null ? declared.get(i) : null);
        }
        this.inputs = List.copyOf(in);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < declared.size(); i++) {
            index.put(declared.get(i).getName(), i);
        }
        this.inputIndex = Map.copyOf(index);
        this.requiredInputs = required;
        this.outputs = graph.outputInfos().stream().map(ValueInfo::of).toList();
        // The thread that calls run() takes a share of each split, so the pool has one worker less.
        this.pool = options.threads() > 1 ? IntraOpPool.create(options.threads() - 1,
                namedDaemonThreads(model.name(), "")) : null;
        this.interOpPool = options.interOpThreads() > 1
                ? IntraOpPool.create(options.interOpThreads() - 1,
                        namedDaemonThreads(model.name(), "inter-op-"))
                : null;
        this.arenas = options.memoryReuse() ? new ArenaPool(MAX_IDLE_ARENAS) : null;
    }

    /**
     * Rejects an import of a standard domain at an opset newer than the newest in the operator
     * table or the registry, because that opset may redefine operators that Jonnx would
     * otherwise run with older semantics. The imports of model-local functions are checked the
     * same way. Custom domains are checked only for a version outside 0 to
     * {@link Integer#MAX_VALUE}.
     */
    private static void checkOpsetImports(OnnxModel model, dev.jonnx.runtime.registry.OpRegistry registry) {
        String importer = "model " + model.name();
        for (var id : model.proto().getOpsetImportList()) {
            checkOpsetImport(id, importer, model.proto().getGraph().getNodeList(), "the main graph", registry);
        }
        for (var f : model.proto().getFunctionsList()) {
            String function = "function " + f.getDomain() + "." + f.getName();
            for (var id : f.getOpsetImportList()) {
                checkOpsetImport(id, importer + ", " + function, f.getNodeList(), function, registry);
            }
        }
    }

    private static void checkOpsetImport(dev.jonnx.onnx.OperatorSetIdProto id, String importer,
            List<dev.jonnx.onnx.NodeProto> nodes, String where, dev.jonnx.runtime.registry.OpRegistry registry) {
        String domain = OnnxModel.normalizeDomain(id.getDomain());
        int latest = dev.jonnx.schema.OpSchemas.builtIn().latestOpset(domain);
        if (latest != 0) {
            for (String op : registry.operators()) {
                if (op.startsWith(domain + ":")) {
                    List<Integer> versions = registry.versions(domain, op.substring(domain.length() + 1));
                    latest = Math.max(latest, versions.get(versions.size() - 1));
                }
            }
            if (id.getVersion() > latest) {
                String name = domain.isEmpty() ? "ai.onnx" : domain;
                List<String> ops = nodes.stream()
                        .filter(n -> OnnxModel.normalizeDomain(n.getDomain()).equals(domain))
                        .map(n -> n.getOpType()).distinct().sorted().toList();
                throw new dev.jonnx.UnsupportedOperatorException(importer + " imports " + name + " opset "
                        + id.getVersion() + ", but Jonnx implements " + name + " opsets up to " + latest
                        + "; operators of that domain in " + where + ": "
                        + (ops.isEmpty() ? "none" : String.join(", ", ops)));
            }
        }
        OnnxModel.opsetVersion(id, importer);
    }

    /**
     * Applies the graph rewrites. The rewrites assume a well-formed graph, so when one fails on a
     * malformed model the original graph is compiled instead, and the compiler reports what is
     * wrong with it. A warning names the failure.
     */
    private static ModelProto optimized(OnnxModel model, SessionOptions options) {
        try {
            return GraphOptimizer.optimize(model, options.registry(), options.optimizationLevel());
        } catch (dev.jonnx.OnnxException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            System.getLogger(Session.class.getName()).log(System.Logger.Level.WARNING,
                    "graph optimization failed for model " + model.name() + " (" + e
                            + "); running the graph as written");
            return model.proto();
        }
    }

    /** Opens the model file at {@code path} with default options. */
    public static Session open(Path path) {
        return open(path, SessionOptions.defaults());
    }

    /**
     * Opens a model file; external data is read from the file's folder.
     *
     * @throws dev.jonnx.ModelFormatException if the file is not a readable ONNX model
     * @throws dev.jonnx.ModelCheckException if the graph is invalid
     * @throws dev.jonnx.UnsupportedOperatorException listing every operator without a kernel
     */
    public static Session open(Path path, SessionOptions options) {
        Objects.requireNonNull(path, "path must not be null");
        Objects.requireNonNull(options, "options must not be null; use SessionOptions.defaults()");
        return open(ModelIO.load(path), options);
    }

    /** Opens a model held in memory; see {@link #open(Path, SessionOptions)}. */
    public static Session open(byte[] model, SessionOptions options) {
        Objects.requireNonNull(model, "model bytes must not be null");
        Objects.requireNonNull(options, "options must not be null; use SessionOptions.defaults()");
        return open(ModelIO.load(model, "(in-memory model)"), options);
    }

    /** Opens a loaded model; the session closes the model when it is closed. */
    public static Session open(OnnxModel model, SessionOptions options) {
        Objects.requireNonNull(model, "model must not be null");
        if (options == null) {
            model.close();
            throw new NullPointerException("options must not be null; use SessionOptions.defaults()");
        }
        try {
            return new Session(model, options);
        } catch (RuntimeException | StackOverflowError e) {
            model.close();
            if (e instanceof StackOverflowError) {
                throw new dev.jonnx.ModelCheckException("model " + model.name()
                        + ": the graph nests too deeply to compile", e);
            }
            throw (RuntimeException) e;
        }
    }

    public OnnxModel model() {
        return model;
    }

    public SessionOptions options() {
        return options;
    }

    /** The graph inputs, including those with initializer defaults, in model order. */
    public List<ValueInfo> inputs() {
        return inputs;
    }

    public List<ValueInfo> outputs() {
        return outputs;
    }

    /**
     * The compiled graph (nodes in run order), for tools such as the profiler. It is the graph
     * after the rewrites of the session's optimization level.
     */
    public CompiledGraph graph() {
        return graph;
    }

    /** Runs the model; see {@link #run(Map, RunOptions)}. */
    public Result run(Map<String, ? extends Value> feeds) {
        return run(feeds, RunOptions.none());
    }

    /**
     * Runs the model on the given inputs, checked first against the model's declarations.
     *
     * @throws InvalidInputException if an input name is unknown, a required input is missing,
     *     a value's kind, element type, rank or fixed dimension differs from the declaration,
     *     or a string tensor has a null element
     * @throws NullPointerException if {@code feeds} or {@code runOptions} is null, or
     *     {@code feeds} contains a null name or value
     * @throws dev.jonnx.RunException if a node fails, or the run is cancelled or times out
     * @throws IllegalStateException if the session is closed
     */
    public Result run(Map<String, ? extends Value> feeds, RunOptions runOptions) {
        Objects.requireNonNull(feeds, "feeds must not be null; pass Map.of() to run a model"
                + " without required inputs");
        Objects.requireNonNull(runOptions, "runOptions must not be null; use RunOptions.none()");
        if (closed) {
            throw new IllegalStateException("run() called on a closed session for model " + model.name());
        }
        Value[] args = bind(feeds);
        BufferArena arena = arenas == null ? null : arenas.borrow();
        try {
            RunContext.RunControl control = new RunContext.RunControl(runOptions.cancelledFlag(),
                    runOptions.deadlineFromNow(), pool, options.threads(), runOptions.profiler(), arena,
                    interOpPool, options.interOpThreads());
            Value[] out = graph.run(args, new RunContext(null, control));
            return new Result(graph.outputNames(), out);
        } finally {
            if (arena != null) {
                arenas.giveBack(arena);
            }
        }
    }

    /**
     * Returns the bytes of float buffers the session keeps between runs for reuse (0 when memory reuse
     * is off). They are the intermediate buffers of recent runs, not the outputs returned.
     */
    public long retainedBufferBytes() {
        return arenas == null ? 0 : arenas.idleBytes();
    }

    private Value[] bind(Map<String, ? extends Value> feeds) {
        List<String> names = graph.inputNames();
        for (Map.Entry<String, ? extends Value> feed : feeds.entrySet()) {
            String name = feed.getKey();
            if (name == null) {
                throw new NullPointerException("model " + model.name() + ": feeds contain a null"
                        + " input name; the model's inputs are " + names);
            }
            if (feed.getValue() == null) {
                throw new NullPointerException("model " + model.name() + ": input '" + name
                        + "' has a null value; give a value, or leave the name out for an input"
                        + " with a default");
            }
            if (!inputIndex.containsKey(name)) {
                throw new InvalidInputException("model " + model.name() + ": unknown input name '"
                        + name + "'; the model's inputs are " + names);
            }
        }
        Value[] args = new Value[names.size()];
        Map<String, Long> symbols = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Value v = feeds.get(names.get(i));
            if (v == null) {
                if (requiredInputs.get(i) != null) {
                    throw new InvalidInputException("model " + model.name() + ": missing input '"
                            + names.get(i) + "' (" + inputs.get(i).describe() + ")");
                }
                continue;
            }
            check(graph.inputInfos().get(i), v, symbols);
            args[i] = v;
        }
        return args;
    }

    private void check(ValueInfoProto declared, Value v, Map<String, Long> symbols) {
        TypeProto type = declared.getType();
        String where = "model " + model.name() + ", input '" + declared.getName() + "'";
        switch (type.getValueCase()) {
            case TENSOR_TYPE -> {
                if (!(v instanceof Tensor t)) {
                    throw new InvalidInputException(where + ": expected a tensor, got " + v.describe());
                }
                checkTensor(type.getTensorType(), t, where, symbols);
                checkStrings(t, where);
            }
            case SEQUENCE_TYPE -> {
                if (!(v instanceof SequenceValue)) {
                    throw new InvalidInputException(where + ": expected a sequence, got " + v.describe());
                }
            }
            case MAP_TYPE -> {
                if (!(v instanceof MapValue)) {
                    throw new InvalidInputException(where + ": expected a map, got " + v.describe());
                }
            }
            case OPTIONAL_TYPE -> {
                if (!(v instanceof OptionalValue)) {
                    throw new InvalidInputException(where + ": expected an optional, got " + v.describe());
                }
            }
            default -> { }
        }
    }

    private static void checkTensor(TypeProto.Tensor declared, Tensor t, String where,
            Map<String, Long> symbols) {
        if (declared.getElemType() != 0 && declared.getElemType() != t.type().code()) {
            throw new InvalidInputException(where + ": expected element type "
                    + DataType.fromCode(declared.getElemType()) + ", got " + t.type()
                    + " (shape " + Arrays.toString(t.shape()) + ")");
        }
        if (!declared.hasShape()) {
            return;
        }
        TensorShapeProto shape = declared.getShape();
        if (shape.getDimCount() != t.rank()) {
            throw new InvalidInputException(where + ": expected rank " + shape.getDimCount() + " "
                    + ValueInfo.dimsOf(shape) + ", got rank " + t.rank() + " "
                    + Arrays.toString(t.shape()));
        }
        for (int d = 0; d < t.rank(); d++) {
            TensorShapeProto.Dimension dim = shape.getDim(d);
            long actual = t.dim(d);
            if (dim.hasDimValue() && dim.getDimValue() != actual) {
                throw new InvalidInputException(where + ": dimension " + d + " must be "
                        + dim.getDimValue() + ", got " + actual + " (shape "
                        + Arrays.toString(t.shape()) + ")");
            }
            if (dim.hasDimParam() && !dim.getDimParam().isEmpty()) {
                Long bound = symbols.putIfAbsent(dim.getDimParam(), actual);
                if (bound != null && bound != actual) {
                    throw new InvalidInputException(where + ": dimension " + d + " ('"
                            + dim.getDimParam() + "') is " + actual + ", but another input bound '"
                            + dim.getDimParam() + "' to " + bound);
                }
            }
        }
    }

    /** Rejects a null element of a string tensor here, before a kernel fails on it. */
    private static void checkStrings(Tensor t, String where) {
        if (t.type() != DataType.STRING) {
            return;
        }
        String[] strings = t.strings();
        for (int i = 0; i < strings.length; i++) {
            if (strings[i] == null) {
                throw new InvalidInputException(where + ": element " + i + " is null; string"
                        + " tensors need a string in every element (\"\" for an empty one)");
            }
        }
    }

    private static java.util.concurrent.ThreadFactory namedDaemonThreads(String modelName,
            String role) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "jonnx-" + modelName + "-" + role + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Stops the thread pool and unmaps external data. Runs already under way may fail. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (pool != null) {
                pool.shutdownNow();
            }
            if (interOpPool != null) {
                interOpPool.shutdownNow();
            }
            if (arenas != null) {
                arenas.clear();
            }
            model.close();
        }
    }
}
