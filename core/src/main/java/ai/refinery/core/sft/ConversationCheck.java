package ai.refinery.core.sft;

import java.util.List;
import java.util.Set;

/**
 * The shape every conversation must have to be trained on: an optional system turn first, then user and
 * assistant turns alternating, starting with a user's and ending with an assistant's, and no empty assistant
 * turn. A user turn may be empty (response tuning trains on responses to empty instructions).
 */
public final class ConversationCheck {
    /** Why a conversation fails, or null from {@link #problem} when it passes. */
    public record Problem(String reason, String detail) {
    }

    private static final Set<String> ROLES = Set.of(Message.SYSTEM, Message.USER, Message.ASSISTANT);

    private ConversationCheck() {
    }

    /** The first problem found, checked in the order unknown role, no assistant turn, order, empty turn. */
    public static Problem problem(List<Message> messages) {
        boolean anyAssistant = false;
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).role();
            if (!ROLES.contains(role)) {
                return new Problem(SftRejectReasons.UNKNOWN_ROLE, "message " + i + " has role '" + role + "'");
            }
            anyAssistant |= messages.get(i).isAssistant();
        }
        if (!anyAssistant) {
            return new Problem(SftRejectReasons.NO_ASSISTANT_TURN,
                    messages.isEmpty() ? "no messages" : "roles " + roles(messages));
        }
        int first = Message.SYSTEM.equals(messages.get(0).role()) ? 1 : 0;
        for (int i = first; i < messages.size(); i++) {
            String expected = (i - first) % 2 == 0 ? Message.USER : Message.ASSISTANT;
            if (!expected.equals(messages.get(i).role())) {
                return new Problem(SftRejectReasons.ROLES_OUT_OF_ORDER,
                        "message " + i + " is " + messages.get(i).role() + ", expected " + expected + ": " + roles(messages));
            }
        }
        if (!messages.get(messages.size() - 1).isAssistant()) {
            return new Problem(SftRejectReasons.ROLES_OUT_OF_ORDER, "ends with an unanswered user turn: " + roles(messages));
        }
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).isAssistant() && messages.get(i).content().isBlank()) {
                return new Problem(SftRejectReasons.EMPTY_ASSISTANT_TURN, "message " + i + " is empty");
            }
        }
        return null;
    }

    private static String roles(List<Message> messages) {
        return messages.stream().map(Message::role).toList().toString();
    }
}
