package dev.jonnx;

/** A model that reads but breaks a rule of the ONNX IR: an undefined name, a cycle, an unsupported IR version, external data outside the model folder, a limit exceeded. */
public class ModelCheckException extends OnnxException {
    public ModelCheckException(String message) {
        super(message);
    }

    public ModelCheckException(String message, Throwable cause) {
        super(message, cause);
    }
}
