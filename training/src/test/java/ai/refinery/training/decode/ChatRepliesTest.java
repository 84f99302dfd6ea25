package ai.refinery.training.decode;

import ai.refinery.core.sft.Message;
import ai.refinery.training.generate.TinyModel;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.ChatTemplate;
import ai.refinery.training.tokenizer.SpecialTokens;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A reply is generated from the chat template's prompt and ends at the model's <|end|>. */
class ChatRepliesTest {

    @Test
    void aReplyEndsAtTheEndOfTurnMarker() {
        BpeTokenizer tok = TinyModel.tokenizer();
        ComputationGraph g = TinyModel.graph(3);
        BatchDecoder decoder = new BatchDecoder(DecoderWeights.from(g), tok, 4, 64);
        ChatTemplate template = new ChatTemplate(tok);
        List<Message> conversation = List.of(Message.user("Hi"));
        int h = tok.encodeOrdinary("h")[0];
        // A bias that makes "h" the greedy pick at every step: without a turn end the reply runs to max_tokens.
        SamplingSettings settings = SamplingSettings.greedy(6).withLogitBias(Map.of(h, 100.0));
        Completion free = decoder.generate(List.of(template.generationPrompt(conversation)), settings).get(0);
        assertEquals("hhhhhh", free.text());
        assertEquals(Completion.FinishReason.LENGTH, free.finishReason());

        TinyModel.bias(g, SpecialTokens.END_ID, 50); // the model now ends its turn at once
        decoder = new BatchDecoder(DecoderWeights.from(g), tok, 4, 64);
        Completion reply = ChatReplies.reply(decoder, template, List.of(conversation, conversation),
                SamplingSettings.greedy(6)).get(1);
        assertEquals("", reply.text());
        assertEquals(Completion.FinishReason.STOP, reply.finishReason());
        assertEquals(template.generationPrompt(conversation).length, reply.promptTokens());
        assertEquals(List.of(SpecialTokens.END), ChatReplies.endingTurns(SamplingSettings.greedy(1)).stop());
    }
}
