package ai.refinery.training;

import ai.refinery.core.sft.Message;
import ai.refinery.core.sft.SftRow;
import ai.refinery.training.tokenizer.BpeTokenizer;
import ai.refinery.training.tokenizer.PreTokenizer;
import ai.refinery.training.tokenizer.TokenizerSettings;
import ai.refinery.training.tokenizer.TokenizerTrainer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small, real-looking instruction conversations and a byte-level BPE tokenizer learned on them. */
public final class Conversations {
    public static final List<List<Message>> EXAMPLES = List.of(
            List.of(Message.system("You are a concise assistant."),
                    Message.user("What is the capital of France?"),
                    Message.assistant("The capital of France is Paris.")),
            List.of(Message.user("Translate to German: good morning"),
                    Message.assistant("Guten Morgen.")),
            List.of(Message.user("Give me a synonym for happy."),
                    Message.assistant("Cheerful."),
                    Message.user("And one for sad?"),
                    Message.assistant("Gloomy.")),
            List.of(Message.user("How many legs does a spider have?"),
                    Message.assistant("A spider has eight legs.")),
            List.of(Message.system("Answer with one word."),
                    Message.user("Colour of the sky on a clear day?"),
                    Message.assistant("Blue.")),
            List.of(Message.user("Name a prime number between 10 and 15."),
                    Message.assistant("Eleven, or thirteen.")));

    private static BpeTokenizer tokenizer;

    private Conversations() {
    }

    /** Learned on the conversations' texts (a few hundred merges). */
    public static synchronized BpeTokenizer tokenizer() {
        if (tokenizer == null) {
            Map<String, Long> counts = new HashMap<>();
            for (List<Message> c : EXAMPLES) {
                for (Message m : c) {
                    for (String piece : PreTokenizer.split(m.content())) {
                        counts.merge(piece, 1L, Long::sum);
                    }
                }
            }
            List<Tuple2<String, Long>> table = new ArrayList<>();
            counts.forEach((k, v) -> table.add(new Tuple2<>(k, v)));
            tokenizer = TokenizerTrainer.learn(table, new TokenizerSettings(400, 2, 100_000, "text"));
        }
        return tokenizer;
    }

    /** SFT rows (the contract's columns) of the given conversations, ids conv-0.., no split. */
    public static Dataset<Row> rows(List<List<Message>> conversations) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < conversations.size(); i++) {
            rows.add(RowFactory.create(new SftRow("conv-" + i, conversations.get(i), "test", null, null).values()));
        }
        return SparkTestSession.get().createDataFrame(rows, SftRow.SCHEMA);
    }
}
