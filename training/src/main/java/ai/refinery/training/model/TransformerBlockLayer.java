package ai.refinery.training.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@link TransformerBlock}'s forward and backward pass. Rows are positions (example-major, [N, C] with
 * N = minibatch * length); attention runs on head-major copies [minibatch, heads, length, headSize] through
 * batched matrix products. The 1/sqrt(headSize) scale goes on the queries (N x C values), not on the scores
 * (minibatch x heads x length^2 values).
 */
class TransformerBlockLayer extends DecoderLayer<TransformerBlock> {
    /** Added to the scores of later positions before the softmax: their weights come out exactly 0. */
    private static final double MASKED = PackedPositions.MASKED;

    private INDArray causalMask;

    // Kept from the forward pass for the backward pass.
    private Ops.Normalized norm1;
    private INDArray attentionIn;
    private INDArray queries;
    private INDArray keys;
    private INDArray values;
    private INDArray weights;
    private INDArray context;
    private Ops.Normalized norm2;
    private INDArray mlpIn;
    private INDArray hidden;
    private INDArray gate;
    private INDArray activated;

    TransformerBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private INDArray p(String name) {
        return params.get(name);
    }

    @Override
    protected INDArray forward(LayerWorkspaceMgr workspaceMgr, ArrayType working, ArrayType keep) {
        ArrayType store = keep != null ? keep : working;
        long mb = input.size(0);
        INDArray x = inputRows(workspaceMgr, working);

        norm1 = Ops.normalize(x, workspaceMgr, store);
        attentionIn = Ops.scaleShift(norm1, p("ln1g"), p("ln1b"), workspaceMgr, store);
        queries = heads(attentionIn.mmul(p("wq")).addiRowVector(p("bq")).muli(queryScale()), mb, workspaceMgr, store);
        keys = heads(attentionIn.mmul(p("wk")).addiRowVector(p("bk")), mb, workspaceMgr, store);
        values = heads(attentionIn.mmul(p("wv")).addiRowVector(p("bv")), mb, workspaceMgr, store);
        long length = queries.size(2);
        weights = workspaceMgr.createUninitialized(store, dataType, new long[] {mb, queries.size(1), length, length}, 'c');
        Nd4j.matmul(queries, keys, weights, false, true, false);
        // Packed sequences: block-diagonal causal, each query sees its own sequence only; the backward pass needs
        // no change, masked weights are 0 and so are their gradients.
        weights.addi(positions == null ? causalMask(length) : positions.attentionBias(dataType, mb, length));
        Nd4j.exec(new SoftMax(weights, weights, 3));
        context = rows(Nd4j.matmul(weights, values), workspaceMgr, store);
        INDArray attended = context.mmul(p("wo")).addiRowVector(p("bo")).addi(x);

        norm2 = Ops.normalize(attended, workspaceMgr, store);
        mlpIn = Ops.scaleShift(norm2, p("ln2g"), p("ln2b"), workspaceMgr, store);
        hidden = workspaceMgr.createUninitialized(store, dataType, new long[] {x.size(0), layerConf().getMlpWidth()}, 'c');
        Nd4j.gemm(mlpIn, p("w1"), hidden, false, false, 1.0, 0.0);
        hidden.addiRowVector(p("b1"));
        gate = Ops.geluGate(hidden, workspaceMgr, store);
        activated = workspaceMgr.dup(store, hidden).muli(gate);
        INDArray out = activated.mmul(p("w2")).addiRowVector(p("b2")).addi(attended);
        INDArray result = toInputShape(out, workspaceMgr, ArrayType.ACTIVATIONS);
        if (keep == null) {
            forget();
        }
        return result;
    }

    @Override
    protected INDArray backward(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        long mb = input.size(0);
        INDArray dOut = Ops.rows(epsilon, workspaceMgr, ArrayType.BP_WORKING_MEM);

        // MLP: out = attended + gelu(ln2(attended) w1 + b1) w2 + b2
        Nd4j.gemm(activated, dOut, gradientViews.get("w2"), true, false, 1.0, 0.0);
        Ops.columnSums(dOut, gradientViews.get("b2"));
        INDArray dHidden = Ops.geluBackward(dOut.mmul(p("w2").transpose()), hidden, gate);
        Nd4j.gemm(mlpIn, dHidden, gradientViews.get("w1"), true, false, 1.0, 0.0);
        Ops.columnSums(dHidden, gradientViews.get("b1"));
        INDArray dAttended = Ops.layerNormBackward(dHidden.mmul(p("w1").transpose()), norm2, p("ln2g"),
                gradientViews.get("ln2g"), gradientViews.get("ln2b")).addi(dOut);

        // Attention: attended = x + context wo + bo
        Nd4j.gemm(context, dAttended, gradientViews.get("wo"), true, false, 1.0, 0.0);
        Ops.columnSums(dAttended, gradientViews.get("bo"));
        INDArray dContextRows = dAttended.mmul(p("wo").transpose());
        INDArray dContext = heads(dContextRows, mb, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray dValues = Nd4j.matmul(weights, dContext, true, false, false);
        INDArray dScores = Nd4j.matmul(dContext, values, false, true, false);
        // Softmax backward: dS = W * (dW - sum over the keys of dW * W). That sum equals dContext . context per
        // position and head (dW = dContext values^T, context = W values): a width-sized product instead of a
        // pass over the length^2 weights.
        int h = layerConf().getHeads();
        INDArray projection = dContextRows.mul(context).reshape(context.size(0), h, context.size(1) / h).sum(2);
        dScores.subi(projection.reshape(mb, length(), h).permute(0, 2, 1).reshape(mb, h, length(), 1)).muli(weights);
        INDArray dQueries = Nd4j.matmul(dScores, keys);
        INDArray dKeys = Nd4j.matmul(dScores, queries, true, false, false);
        INDArray dAttentionIn = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, dOut.shape(), 'c');
        projectionBackward(rows(dQueries, workspaceMgr, ArrayType.BP_WORKING_MEM).muli(queryScale()), "q", dAttentionIn, 0.0);
        projectionBackward(rows(dKeys, workspaceMgr, ArrayType.BP_WORKING_MEM), "k", dAttentionIn, 1.0);
        projectionBackward(rows(dValues, workspaceMgr, ArrayType.BP_WORKING_MEM), "v", dAttentionIn, 1.0);
        INDArray dx = Ops.layerNormBackward(dAttentionIn, norm1, p("ln1g"), gradientViews.get("ln1g"),
                gradientViews.get("ln1b")).addi(dAttended);
        INDArray result = toInputShape(dx, workspaceMgr, ArrayType.ACTIVATION_GRAD);
        forget();
        return result;
    }

    /** Gradients of a projection rows = attentionIn w + b; adds (beta 1) or writes (beta 0) rows' share of dAttentionIn. */
    private void projectionBackward(INDArray dRows, String proj, INDArray dAttentionIn, double beta) {
        Nd4j.gemm(attentionIn, dRows, gradientViews.get("w" + proj), true, false, 1.0, 0.0);
        Ops.columnSums(dRows, gradientViews.get("b" + proj));
        Nd4j.gemm(dRows, p("w" + proj), dAttentionIn, false, true, 1.0, beta);
    }

    /** 1/sqrt(head size), applied to the queries. */
    private double queryScale() {
        return 1.0 / Math.sqrt(layerConf().getNIn() / (double) layerConf().getHeads());
    }

    private long length() {
        return input.size(2);
    }

    /** Rows [mb * T, C] to heads [mb, H, T, C/H], a copy in the given workspace. */
    private INDArray heads(INDArray rows, long mb, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        int h = layerConf().getHeads();
        long length = rows.size(0) / mb;
        return workspaceMgr.dup(type, rows.reshape(mb, length, h, rows.size(1) / h).permute(0, 2, 1, 3), 'c');
    }

    /** Heads [mb, H, T, D] back to rows [mb * T, H * D], a copy in the given workspace. */
    private static INDArray rows(INDArray heads, LayerWorkspaceMgr workspaceMgr, ArrayType type) {
        return workspaceMgr.dup(type, heads.permute(0, 2, 1, 3), 'c')
                .reshape(heads.size(0) * heads.size(2), heads.size(1) * heads.size(3));
    }

    /** [1, 1, T, T]: 0 where key position <= query position, a large negative number above the diagonal. */
    private INDArray causalMask(long length) {
        if (causalMask == null || causalMask.size(2) != length || causalMask.dataType() != dataType) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                INDArray m = Nd4j.zeros(dataType, 1, 1, length, length);
                for (int query = 0; query < length; query++) {
                    for (int key = query + 1; key < length; key++) {
                        m.putScalar(new long[] {0, 0, query, key}, MASKED);
                    }
                }
                causalMask = m;
            }
        }
        return causalMask;
    }

    /** Drops the kept intermediates: they live in a workspace that is reused after this iteration. */
    private void forget() {
        norm1 = null;
        norm2 = null;
        attentionIn = queries = keys = values = weights = context = mlpIn = hidden = gate = activated = null;
    }

    @Override
    public void clear() {
        super.clear();
        forget();
    }
}
