package ai.refinery.training.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.Collection;

/**
 * Configuration of the decoder's output: projection from the width to the vocabulary, softmax and sparse
 * cross-entropy in one layer ({@link TokenSoftmaxOutputLayer}). Input [minibatch, width, T] (NCW), labels
 * [minibatch, 1, T] of token ids, output [minibatch, vocabulary, T] probabilities. Parameters are DL4J's dense
 * "W" [width, vocabulary] and "b" [1, vocabulary], so weight decay and the updater treat them as they treat
 * an RnnOutputLayer's. The loss function and activation fields only describe what the layer computes.
 *
 * <p>Built through a DL4J builder so that unset fields inherit the network's defaults (updater, weight
 * init, gradient clipping); the no-argument constructor is for DL4J's JSON configuration.
 */
public class TokenSoftmaxOutput extends BaseOutputLayer {

    public TokenSoftmaxOutput() {
    }

    public TokenSoftmaxOutput(long width, long vocabSize) {
        this(new Builder().lossFunction(new LossSparseMCXENT()).activation(Activation.SOFTMAX).nIn(width).nOut(vocabSize));
    }

    private TokenSoftmaxOutput(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return DecoderLayerConf.wire(new TokenSoftmaxOutputLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return DefaultParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        long length = inputType instanceof InputType.InputTypeRecurrent r ? r.getTimeSeriesLength() : -1;
        return InputType.recurrent(nOut, length, RNNFormat.NCW);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        nIn = DecoderLayerConf.nInFor(inputType, nIn, override);
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null; // takes the NCW activations as they come
    }

    private static final class Builder extends BaseOutputLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public TokenSoftmaxOutput build() {
            return new TokenSoftmaxOutput(this);
        }
    }
}
