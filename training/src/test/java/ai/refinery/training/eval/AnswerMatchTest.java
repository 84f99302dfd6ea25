package ai.refinery.training.eval;

import ai.refinery.core.sft.Message;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Normalised exact match and the question/reference of a row. */
class AnswerMatchTest {

    @Test
    void normalisationDropsCasePunctuationArticlesAndExtraSpace() {
        assertEquals("university of oslo", AnswerMatch.normalise("  The University of Oslo. "));
        assertEquals("october 2 1996", AnswerMatch.normalise("October 2, 1996"));
        assertEquals("san jose ca", AnswerMatch.normalise("San Jose,\tCA!"));
        assertEquals("fi", AnswerMatch.normalise("ﬁ")); // NFKC: the ligature is two letters
        assertEquals("café", AnswerMatch.normalise("CAFÉ"));
        assertEquals("", AnswerMatch.normalise(null));
        assertEquals("theory", AnswerMatch.normalise("the theory"), "an article as a word, not a prefix");
    }

    @Test
    void matchesOnlyEqualNonEmptyNormalisedTexts() {
        assertTrue(AnswerMatch.matches("the university of oslo", "University of Oslo"));
        assertTrue(AnswerMatch.matches("October 2 1996.", "October 2, 1996"));
        assertFalse(AnswerMatch.matches("Oslo", "Oslo, Norway"));
        assertFalse(AnswerMatch.matches("October 2, 1995", "October 2, 1996"));
        assertFalse(AnswerMatch.matches("", "!"), "an empty reference is never matched");
        assertFalse(AnswerMatch.matches(null, "Oslo"));
    }

    @Test
    void theLastTurnIsTheReferenceAndTheTurnBeforeItTheQuestion() {
        QaItem item = QaItem.of(List.of(Message.system("Be brief."), Message.user("Where?"), Message.assistant("Here."),
                Message.user("When?"), Message.assistant("Now.")));
        assertEquals("When?", item.question());
        assertEquals("Now.", item.reference());
        assertEquals(4, item.prompt().size(), "the earlier turns are context");
        assertNull(item.problem());
        QaItem unanswered = QaItem.of(List.of(Message.user("Where?")));
        assertEquals("Where?", unanswered.question());
        assertEquals("no_assistant_turn", unanswered.problem().reason());
    }
}
