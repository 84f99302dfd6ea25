package ai.refinery.training.serve;

import ai.refinery.training.decode.BatchDecoder;
import ai.refinery.training.decode.Completion;
import ai.refinery.training.decode.SamplingSettings;
import ai.refinery.training.decode.Sequence;
import ai.refinery.training.generate.ModelBundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Decoding threads behind the server, with continuous batching: prompts of any requests wait in one queue; each
 * thread keeps up to {@code maxBatch} sequences in its batch, runs one decoding step for all of them, hands
 * finished completions back and takes waiting prompts into the freed places. Every sequence has its own random
 * generator, so an answer does not depend on what else was decoded with it.
 */
final class DecodeWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeWorkers.class);

    private record Job(int[] prompt, SamplingSettings settings, CompletableFuture<Completion> result) {
    }

    private final LinkedBlockingQueue<Job> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    DecodeWorkers(ModelBundle model, int threadCount, int maxBatch) {
        for (int i = 0; i < threadCount; i++) {
            BatchDecoder decoder = model.generator(maxBatch).decoder();
            Thread t = new Thread(() -> loop(decoder, maxBatch), "serve-decoder-" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Queues a prompt; the future completes with its completion or the error that stopped it. */
    CompletableFuture<Completion> submit(int[] prompt, SamplingSettings settings) {
        CompletableFuture<Completion> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("the server is stopping"));
        } else {
            waiting.add(new Job(prompt, settings, f));
        }
        return f;
    }

    private void loop(BatchDecoder decoder, int maxBatch) {
        List<Sequence> active = new ArrayList<>();
        List<CompletableFuture<Completion>> results = new ArrayList<>();
        while (!closed) {
            try {
                Job job = active.isEmpty() ? waiting.poll(100, TimeUnit.MILLISECONDS) : waiting.poll();
                while (job != null) {
                    try {
                        Sequence s = decoder.start(job.prompt(), job.settings());
                        active.add(s);
                        results.add(job.result());
                    } catch (RuntimeException e) {
                        job.result().completeExceptionally(e);
                    }
                    job = active.size() < maxBatch ? waiting.poll() : null;
                }
                if (active.isEmpty()) {
                    continue;
                }
                try {
                    decoder.step(active);
                } catch (RuntimeException | OutOfMemoryError e) {
                    // A step failed: fail the batch's requests rather than the thread.
                    LOG.error("Decoding step failed", e);
                    for (CompletableFuture<Completion> f : results) {
                        f.completeExceptionally(e);
                    }
                    active.clear();
                    results.clear();
                    continue;
                }
                for (int i = active.size() - 1; i >= 0; i--) {
                    if (active.get(i).isDone()) {
                        results.remove(i).complete(active.remove(i).completion());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        RuntimeException stopping = new IllegalStateException("the server is stopping");
        results.forEach(f -> f.completeExceptionally(stopping));
    }

    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
        Job j;
        while ((j = waiting.poll()) != null) {
            j.result().completeExceptionally(new IllegalStateException("the server is stopping"));
        }
    }
}
