package ai.refinery.training.model;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lays out a {@link DecoderLayerConf}'s named parameters one after another in its flat parameter vector. */
final class DecoderParamInitializer implements ParamInitializer {
    static final DecoderParamInitializer INSTANCE = new DecoderParamInitializer();

    private DecoderParamInitializer() {
    }

    private static DecoderLayerConf decoder(Layer layer) {
        return (DecoderLayerConf) layer;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        long n = 0;
        for (long[] shape : decoder(layer).parameterShapes().values()) {
            n += length(shape);
        }
        return n;
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return new ArrayList<>(decoder(layer).parameterShapes().keySet());
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return paramKeys(layer).stream().filter(k -> decoder(layer).isWeight(k)).toList();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return paramKeys(layer).stream().filter(k -> !decoder(layer).isWeight(k)).toList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return decoder(layer).parameterShapes().containsKey(key) && decoder(layer).isWeight(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return decoder(layer).parameterShapes().containsKey(key) && !decoder(layer).isWeight(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> params = views(conf, paramsView);
        for (String key : params.keySet()) {
            conf.addVariable(key); // DL4J's updater walks the layer's variables in this order
        }
        if (initializeParams) {
            decoder(conf.getLayer()).initialize(params);
        }
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf, gradientView);
    }

    /** Row-major views of consecutive slices of the flat vector, so parameters and gradients share one layout. */
    private static Map<String, INDArray> views(NeuralNetConfiguration conf, INDArray flat) {
        INDArray vector = flat.reshape(flat.length());
        Map<String, INDArray> views = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> e : decoder(conf.getLayer()).parameterShapes().entrySet()) {
            long n = length(e.getValue());
            views.put(e.getKey(), vector.get(NDArrayIndex.interval(offset, offset + n)).reshape('c', e.getValue()));
            offset += n;
        }
        return views;
    }

    private static long length(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
