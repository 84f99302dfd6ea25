package ai.refinery.training.eval;

import ai.refinery.core.sft.ConversationCheck;
import ai.refinery.core.sft.Message;

import java.io.Serializable;
import java.util.List;

/**
 * One question of a QA evaluation, from an instruction row: the conversation up to its last assistant turn is
 * the prompt (a system turn and earlier turns stay as context), its last user turn the question and its last
 * assistant turn the reference answer. A row that is not a valid conversation (see {@link ConversationCheck})
 * has a problem instead.
 */
public record QaItem(List<Message> prompt, String question, String reference, ConversationCheck.Problem problem)
        implements Serializable {

    public static QaItem of(List<Message> messages) {
        ConversationCheck.Problem problem = ConversationCheck.problem(messages);
        if (problem != null) {
            String question = null;
            for (Message m : messages) {
                if (Message.USER.equals(m.role())) {
                    question = m.content();
                }
            }
            return new QaItem(null, question, null, problem);
        }
        int last = messages.size() - 1; // an assistant turn, after a user turn (checked)
        return new QaItem(List.copyOf(messages.subList(0, last)), messages.get(last - 1).content(),
                messages.get(last).content(), null);
    }
}
