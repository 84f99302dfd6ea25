package ai.refinery.training.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * DL4J configuration shared by the decoder's hand-written layers (forward and backward in ND4J ops, see
 * {@link DecoderLayer}): activations [minibatch, width, length] (NCW) in and out, named parameters laid out
 * by {@link DecoderParamInitializer}. Weights get weight decay, gains and biases do not (DL4J's bias
 * regularization is separate and unset).
 *
 * <p>Fields left unset inherit the network's defaults (updater, gradient clipping) as DL4J's own layers do,
 * which is why the constructor goes through a DL4J builder. Subclasses need a no-argument constructor and
 * bean accessors for each field, and no other public getX(), for DL4J's JSON configuration.
 */
public abstract class DecoderLayerConf extends FeedForwardLayer {
    private int length;

    protected DecoderLayerConf() {
    }

    protected DecoderLayerConf(int width, int length) {
        super(new Defaults().nIn(width).nOut(width));
        this.length = length;
    }

    /** Parameter names and shapes, in the order they sit in the layer's flat parameter vector. */
    abstract Map<String, long[]> parameterShapes();

    /** Whether the parameter is a weight (weight decay applies) rather than a gain or a bias. */
    abstract boolean isWeight(String parameter);

    abstract void initialize(Map<String, INDArray> parameters);

    /** DL4J's wiring of a new layer to its configuration and slice of the network's parameters. */
    static <L extends Layer> L wire(L layer, NeuralNetConfiguration conf,
                                      Collection<TrainingListener> listeners, int layerIndex,
                                      INDArray paramsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(conf.getLayer().initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return DecoderParamInitializer.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(nOut, length, RNNFormat.NCW);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        nIn = nInFor(inputType, nIn, override);
    }

    /** The width of a recurrent (NCW) input where nIn is unset or to be overridden; otherwise nIn. */
    static long nInFor(InputType inputType, long nIn, boolean override) {
        return inputType instanceof InputType.InputTypeRecurrent r && (nIn <= 0 || override) ? r.getSize() : nIn;
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null; // takes the NCW activations as they come
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long params = initializer().numParams(this);
        return new LayerMemoryReport.Builder(layerName, getClass(), inputType, getOutputType(-1, inputType))
                .standardMemory(params, iUpdater == null ? 0 : iUpdater.stateSize(params))
                .workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    public int getLength() {
        return length;
    }

    public void setLength(int length) {
        this.length = length;
    }

    /** Only carries DL4J's defaults for unset fields into the constructor. */
    private static final class Defaults extends FeedForwardLayer.Builder<Defaults> {
        @Override
        public <E extends org.deeplearning4j.nn.conf.layers.Layer> E build() {
            throw new UnsupportedOperationException("construct the layer directly");
        }
    }
}
